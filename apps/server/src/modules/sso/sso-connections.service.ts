import {
  GOOGLE_ISSUER,
  type TCreateSsoConnectionRequest,
  type TSsoConnection,
  type TSsoDiscoverResponse,
  type TUpdateSsoConnectionRequest,
} from "@parley/shared";
import { and, asc, eq, inArray, ne } from "drizzle-orm";
import type { SecretBox } from "../../platform/crypto.ts";
import type { Database, DatabaseOrTransaction } from "../../platform/db.ts";
import { isUniqueViolation } from "../../platform/db.ts";
import { AppError } from "../../platform/errors.ts";
import type { RealtimePublisher } from "../../platform/realtime.ts";
import { type AuditActor, changedFields, publishAudit, recordAudit } from "../audit/audit.service.ts";
import { roles } from "../workspaces/workspaces.tables.ts";
import { ssoConnections, ssoDomains } from "./sso.tables.ts";
import {
  certificateExpiry,
  certificateFingerprint,
  domainOf,
  normalizeCertificate,
  oidcSettingsOf,
  type SsoConnectionRow,
  samlSettingsOf,
  ssoUrls,
} from "./sso-connection.ts";

export type ConnectionDeps = {
  db: Database;
  realtime: RealtimePublisher;
  secrets: SecretBox;
  publicUrl: string;
  /** Checks an OpenID issuer answers discovery; throws a 400 AppError naming the provider's problem. */
  verifyOidcIssuer: (issuer: string, clientId: string, clientSecret: string) => Promise<void>;
};

const toConnectionDto = (publicUrl: string, row: SsoConnectionRow, domains: string[]): TSsoConnection => {
  const urls = ssoUrls(publicUrl, row.id);
  const oidcSettings = row.protocol === "oidc" ? oidcSettingsOf(row) : null;
  const samlSettings = row.protocol === "saml" ? samlSettingsOf(row) : null;
  return {
    id: row.id,
    protocol: row.protocol,
    provider: row.provider,
    name: row.name,
    domains: [...domains].sort(),
    defaultRoleId: row.defaultRoleId,
    isEnabled: row.isEnabled,
    isPasswordLoginForbidden: row.isPasswordLoginForbidden,
    startUrl: urls.startUrl,
    oidc: oidcSettings
      ? {
          issuer: oidcSettings.issuer,
          clientId: oidcSettings.clientId,
          hasClientSecret: row.secret !== null,
          redirectUri: urls.oidcRedirectUri,
        }
      : null,
    saml: samlSettings
      ? {
          ...samlSettings,
          idpCertificateExpiresAt: certificateExpiry(samlSettings.idpCertificate)?.toISOString() ?? null,
          spEntityId: urls.samlEntityId,
          acsUrl: urls.samlAcsUrl,
          metadataUrl: urls.samlMetadataUrl,
        }
      : null,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
};

const domainsByConnection = async (db: DatabaseOrTransaction, connectionIds: string[]): Promise<Map<string, string[]>> => {
  const byConnection = new Map<string, string[]>(connectionIds.map((id) => [id, []]));
  if (connectionIds.length === 0) return byConnection;
  const rows = await db.select().from(ssoDomains).where(inArray(ssoDomains.connectionId, connectionIds));
  for (const row of rows) byConnection.get(row.connectionId)?.push(row.domain);
  return byConnection;
};

const findConnectionRow = async (db: DatabaseOrTransaction, workspaceId: string, id: string, lock = false) => {
  const query = db
    .select()
    .from(ssoConnections)
    .where(and(eq(ssoConnections.id, id), eq(ssoConnections.workspaceId, workspaceId)));
  const [row] = lock ? await query.for("update") : await query;
  // Another workspace's connection answers exactly like a missing one.
  if (!row) throw new AppError("not_found", "There is no single sign-on connection with this id in this workspace.");
  return row;
};

const assertDefaultRole = async (db: DatabaseOrTransaction, workspaceId: string, roleId: string): Promise<void> => {
  const [role] = await db
    .select({ key: roles.key })
    .from(roles)
    .where(and(eq(roles.id, roleId), eq(roles.workspaceId, workspaceId)));
  if (!role) {
    throw new AppError("validation_failed", "Choose a role of this workspace as the default role.", [
      { path: "body.defaultRoleId", message: "not a role of this workspace" },
    ]);
  }
  // Whoever controls the identity provider could otherwise mint owners; ownership is handed over explicitly.
  if (role.key === "owner") {
    throw new AppError("validation_failed", "Single sign-on cannot make people owners; choose another default role.", [
      { path: "body.defaultRoleId", message: "the owner role cannot be a default role" },
    ]);
  }
};

const domainConflict = (domain: string) =>
  new AppError(
    "conflict",
    `The domain ${domain} already belongs to another single sign-on connection.`,
    { domain },
    { reason: "sso_domain_taken", params: { domain } },
  );

/** Replaces the connection's domains; a domain held by any other connection, in any workspace, is refused. */
const replaceDomains = async (
  tx: DatabaseOrTransaction,
  connection: { id: string; workspaceId: string },
  domains: string[],
): Promise<void> => {
  const [taken] = await tx
    .select({ domain: ssoDomains.domain })
    .from(ssoDomains)
    .where(and(inArray(ssoDomains.domain, domains), ne(ssoDomains.connectionId, connection.id)))
    .limit(1);
  if (taken) throw domainConflict(taken.domain);
  await tx.delete(ssoDomains).where(eq(ssoDomains.connectionId, connection.id));
  await tx
    .insert(ssoDomains)
    .values(domains.map((domain) => ({ domain, connectionId: connection.id, workspaceId: connection.workspaceId })));
};

/** Two admins claiming one domain at once: the primary key decides, the loser gets the same 409. */
const rethrowDomainRace = (error: unknown): never => {
  if (isUniqueViolation(error, "sso_domains_pkey")) {
    const cause = error instanceof Error && error.cause ? error.cause : error;
    const detail = typeof cause === "object" && cause !== null && "detail" in cause ? String(cause.detail) : "";
    throw domainConflict(/\(domain\)=\((.*)\)/.exec(detail)?.[1] ?? "this domain");
  }
  throw error;
};

/** Protocol settings for the audit log: a certificate is logged by its fingerprint, not its long text. */
const auditedSettings = (row: SsoConnectionRow): Record<string, unknown> => {
  if (row.protocol === "oidc") return oidcSettingsOf(row);
  const { idpCertificate, ...rest } = samlSettingsOf(row);
  return { ...rest, idpCertificateSha256: certificateFingerprint(idpCertificate) };
};

const auditSnapshot = (row: SsoConnectionRow, domains: string[]) => ({
  name: row.name,
  protocol: row.protocol,
  provider: row.provider,
  domains: [...domains].sort(),
  defaultRoleId: row.defaultRoleId,
  isEnabled: row.isEnabled,
  isPasswordLoginForbidden: row.isPasswordLoginForbidden,
  ...auditedSettings(row),
});

export const listConnections = async (db: Database, publicUrl: string, workspaceId: string): Promise<TSsoConnection[]> => {
  const rows = await db
    .select()
    .from(ssoConnections)
    .where(eq(ssoConnections.workspaceId, workspaceId))
    .orderBy(asc(ssoConnections.createdAt));
  const domains = await domainsByConnection(
    db,
    rows.map((row) => row.id),
  );
  return rows.map((row) => toConnectionDto(publicUrl, row, domains.get(row.id) ?? []));
};

export const getConnection = async (db: Database, publicUrl: string, workspaceId: string, id: string) => {
  const row = await findConnectionRow(db, workspaceId, id);
  const domains = await domainsByConnection(db, [row.id]);
  return toConnectionDto(publicUrl, row, domains.get(row.id) ?? []);
};

const settingsFor = (input: TCreateSsoConnectionRequest): { config: Record<string, unknown>; secret: string | null } => {
  if (input.protocol === "saml") {
    return {
      config: {
        idpEntryPoint: input.idpEntryPoint,
        idpIssuer: input.idpIssuer,
        idpCertificate: normalizeCertificate(input.idpCertificate).pem,
      },
      secret: null,
    };
  }
  const issuer = input.provider === "google" ? GOOGLE_ISSUER : input.issuer;
  return { config: { issuer, clientId: input.clientId }, secret: input.clientSecret };
};

export const createConnection = async (
  deps: ConnectionDeps,
  workspaceId: string,
  input: TCreateSsoConnectionRequest,
  actor: AuditActor,
): Promise<TSsoConnection> => {
  await assertDefaultRole(deps.db, workspaceId, input.defaultRoleId);
  const { config, secret } = settingsFor(input);
  // Google's issuer is known; any other issuer must answer discovery before it is saved.
  if (input.protocol === "oidc" && input.provider === "generic") {
    await deps.verifyOidcIssuer(input.issuer, input.clientId, input.clientSecret);
  }
  try {
    const { row, entry } = await deps.db.transaction(async (tx) => {
      const [row] = await tx
        .insert(ssoConnections)
        .values({
          workspaceId,
          protocol: input.protocol,
          provider: input.protocol === "oidc" ? input.provider : "generic",
          name: input.name,
          config,
          secret: secret === null ? null : deps.secrets.encrypt(secret),
          defaultRoleId: input.defaultRoleId,
          isEnabled: input.isEnabled,
          isPasswordLoginForbidden: input.isPasswordLoginForbidden,
        })
        .returning();
      if (!row) throw new Error("sso connection insert returned no row");
      await replaceDomains(tx, row, input.domains);
      const entry = await recordAudit(tx, {
        workspaceId,
        actor,
        action: "sso.connection_created",
        target: { type: "sso_connection", id: row.id, label: row.name },
        after: auditSnapshot(row, input.domains),
      });
      return { row, entry };
    });
    publishAudit(deps.realtime, workspaceId, entry);
    return toConnectionDto(deps.publicUrl, row, input.domains);
  } catch (error) {
    return rethrowDomainRace(error);
  }
};

const PROTOCOL_FIELDS = {
  oidcGeneric: ["issuer", "clientId", "clientSecret"],
  oidcGoogle: ["clientId", "clientSecret"],
  saml: ["idpEntryPoint", "idpIssuer", "idpCertificate"],
} as const;

const assertFieldsFitProtocol = (row: SsoConnectionRow, changes: TUpdateSsoConnectionRequest): void => {
  const allowed: readonly string[] =
    row.protocol === "saml"
      ? PROTOCOL_FIELDS.saml
      : row.provider === "google"
        ? PROTOCOL_FIELDS.oidcGoogle
        : PROTOCOL_FIELDS.oidcGeneric;
  const protocolFields = new Set<string>([...PROTOCOL_FIELDS.oidcGeneric, ...PROTOCOL_FIELDS.saml]);
  const misplaced = Object.keys(changes).filter((key) => protocolFields.has(key) && !allowed.includes(key));
  if (misplaced.length > 0) {
    const kind = row.protocol === "saml" ? "a SAML" : row.provider === "google" ? "a Google" : "an OpenID Connect";
    throw new AppError(
      "validation_failed",
      `These fields do not apply to ${kind} connection: ${misplaced.join(", ")}.`,
      misplaced.map((key) => ({ path: `body.${key}`, message: "not a setting of this connection's protocol" })),
    );
  }
};

const nextConfig = (row: SsoConnectionRow, changes: TUpdateSsoConnectionRequest): Record<string, unknown> => {
  if (row.protocol === "saml") {
    const current = samlSettingsOf(row);
    return {
      idpEntryPoint: changes.idpEntryPoint ?? current.idpEntryPoint,
      idpIssuer: changes.idpIssuer ?? current.idpIssuer,
      idpCertificate: changes.idpCertificate ? normalizeCertificate(changes.idpCertificate).pem : current.idpCertificate,
    };
  }
  const current = oidcSettingsOf(row);
  return { issuer: changes.issuer ?? current.issuer, clientId: changes.clientId ?? current.clientId };
};

export const updateConnection = async (
  deps: ConnectionDeps,
  workspaceId: string,
  id: string,
  changes: TUpdateSsoConnectionRequest,
  actor: AuditActor,
): Promise<TSsoConnection> => {
  const current = await findConnectionRow(deps.db, workspaceId, id);
  assertFieldsFitProtocol(current, changes);
  if (changes.defaultRoleId !== undefined) await assertDefaultRole(deps.db, workspaceId, changes.defaultRoleId);
  const isIssuerChanged = changes.issuer !== undefined || changes.clientId !== undefined || changes.clientSecret !== undefined;
  if (current.protocol === "oidc" && current.provider === "generic" && isIssuerChanged) {
    const settings = oidcSettingsOf({ ...current, config: nextConfig(current, changes) });
    const secret = changes.clientSecret ?? (current.secret === null ? "" : deps.secrets.decrypt(current.secret));
    await deps.verifyOidcIssuer(settings.issuer, settings.clientId, secret);
  }

  try {
    const { row, domains, entry } = await deps.db.transaction(async (tx) => {
      const before = await findConnectionRow(tx, workspaceId, id, true);
      const domainsBefore = (await domainsByConnection(tx, [id])).get(id) ?? [];
      const config = nextConfig(before, changes);
      const [row] = await tx
        .update(ssoConnections)
        .set({
          name: changes.name,
          defaultRoleId: changes.defaultRoleId,
          isEnabled: changes.isEnabled,
          isPasswordLoginForbidden: changes.isPasswordLoginForbidden,
          config,
          ...(changes.clientSecret === undefined ? {} : { secret: deps.secrets.encrypt(changes.clientSecret) }),
          updatedAt: new Date(),
        })
        .where(eq(ssoConnections.id, id))
        .returning();
      if (!row) throw new AppError("not_found", "There is no single sign-on connection with this id in this workspace.");
      if (changes.domains) await replaceDomains(tx, row, changes.domains);
      const domains = changes.domains ?? domainsBefore;
      const diff = changedFields(auditSnapshot(before, domainsBefore), auditSnapshot(row, domains));
      const isSecretReplaced = changes.clientSecret !== undefined;
      const entry =
        diff || isSecretReplaced
          ? await recordAudit(tx, {
              workspaceId,
              actor,
              action: "sso.connection_updated",
              target: { type: "sso_connection", id, label: row.name },
              // The secret is never written to the log; only that it was replaced.
              before: { ...diff?.before, ...(isSecretReplaced ? { clientSecret: "(hidden)" } : {}) },
              after: { ...diff?.after, ...(isSecretReplaced ? { clientSecret: "(replaced)" } : {}) },
            })
          : null;
      return { row, domains, entry };
    });
    if (entry) publishAudit(deps.realtime, workspaceId, entry);
    return toConnectionDto(deps.publicUrl, row, domains);
  } catch (error) {
    return rethrowDomainRace(error);
  }
};

export const deleteConnection = async (
  deps: Pick<ConnectionDeps, "db" | "realtime">,
  workspaceId: string,
  id: string,
  actor: AuditActor,
): Promise<void> => {
  const entry = await deps.db.transaction(async (tx) => {
    const row = await findConnectionRow(tx, workspaceId, id, true);
    const domains = (await domainsByConnection(tx, [id])).get(id) ?? [];
    // Domains, linked identities and sign-ins in flight go with it (foreign keys cascade).
    await tx.delete(ssoConnections).where(eq(ssoConnections.id, id));
    return recordAudit(tx, {
      workspaceId,
      actor,
      action: "sso.connection_deleted",
      target: { type: "sso_connection", id, label: row.name },
      before: auditSnapshot(row, domains),
    });
  });
  publishAudit(deps.realtime, workspaceId, entry);
};

/** "Continue with SSO": the enabled connection that owns the email's domain, if any. */
export const discoverConnection = async (db: Database, publicUrl: string, email: string): Promise<TSsoDiscoverResponse> => {
  const domain = domainOf(email);
  const [row] = await db
    .select({ id: ssoConnections.id, name: ssoConnections.name })
    .from(ssoDomains)
    .innerJoin(ssoConnections, eq(ssoConnections.id, ssoDomains.connectionId))
    .where(and(eq(ssoDomains.domain, domain), eq(ssoConnections.isEnabled, true)));
  if (!row) throw new AppError("not_found", "No single sign-on for this domain.");
  return { connectionId: row.id, name: row.name, startUrl: ssoUrls(publicUrl, row.id).startUrl };
};

/** A connection by id whatever its workspace, for the public sign-in endpoints. */
export const findConnectionById = async (db: DatabaseOrTransaction, id: string): Promise<SsoConnectionRow | null> => {
  const [row] = await db.select().from(ssoConnections).where(eq(ssoConnections.id, id));
  return row ?? null;
};

export const connectionDomains = async (db: DatabaseOrTransaction, connectionId: string): Promise<string[]> =>
  (await domainsByConnection(db, [connectionId])).get(connectionId) ?? [];
