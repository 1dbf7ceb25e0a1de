import { type TSessionResponse, ZEmail } from "@parley/shared";
import { and, eq, sql } from "drizzle-orm";
import type { Database, Transaction } from "../../platform/db.ts";
import { isUniqueViolation } from "../../platform/db.ts";
import { isAppError } from "../../platform/errors.ts";
import type { ClientContext } from "../../platform/identity.ts";
import type { RealtimePublisher } from "../../platform/realtime.ts";
import { type AuditActor, audit } from "../audit/audit.service.ts";
import { users } from "../auth/auth.tables.ts";
import { completeSignIn, type SessionPolicy } from "../auth/sign-in.ts";
import { assertWorkspaceAdmits } from "../workspaces/workspace-admission.ts";
import { memberships, workspaces } from "../workspaces/workspaces.tables.ts";
import { ssoIdentities } from "./sso.tables.ts";
import { domainOf, type SsoConnectionRow } from "./sso-connection.ts";
import { connectionDomains } from "./sso-connections.service.ts";
import { SsoError } from "./sso-error.ts";

/** What an identity provider vouched for, whatever the protocol. */
export type SsoProfile = {
  /** OIDC `sub` or SAML NameID: stable per provider, unlike the email. */
  subject: string;
  email: string | null;
  /** Null when the provider does not say. */
  emailVerified: boolean | null;
  name: string | null;
};

type UserRow = typeof users.$inferSelect;
type Resolution = { user: UserRow; isCreated: boolean; isLinked: boolean; hasJoined: boolean };

const checkedEmail = (connection: SsoConnectionRow, profile: SsoProfile): string => {
  const parsed = ZEmail.safeParse(profile.email ?? "");
  if (!parsed.success) throw new SsoError("email_missing", "the identity provider sent no usable email address");
  // Google accounts may carry unverified addresses; other providers are trusted unless they say otherwise.
  const isVerificationRequired = connection.provider === "google";
  if (profile.emailVerified === false || (isVerificationRequired && profile.emailVerified !== true)) {
    throw new SsoError("email_not_verified", `the provider has not verified ${parsed.data}`);
  }
  return parsed.data;
};

const nameFor = (profile: SsoProfile, email: string): string => {
  // PostgreSQL text cannot hold NUL characters.
  const name = profile.name?.split("\u0000").join("").trim().slice(0, 120);
  return name || email.slice(0, email.indexOf("@"));
};

const findMembership = async (tx: Transaction, workspaceId: string, userId: string) => {
  const [row] = await tx
    .select({ status: memberships.status })
    .from(memberships)
    .where(and(eq(memberships.workspaceId, workspaceId), eq(memberships.userId, userId)));
  return row ?? null;
};

/** Adds the member with the connection's default role unless already one; a deactivated member stays out. */
const ensureMembership = async (tx: Transaction, connection: SsoConnectionRow, userId: string): Promise<boolean> => {
  const membership = await findMembership(tx, connection.workspaceId, userId);
  if (membership?.status === "deactivated") {
    throw new SsoError("membership_deactivated", "the member is deactivated in this workspace");
  }
  if (membership) return false;
  await tx.insert(memberships).values({ workspaceId: connection.workspaceId, userId, roleId: connection.defaultRoleId });
  return true;
};

/**
 * Who the provider's subject is in Parley: the linked user; else the workspace member with this
 * email (linked now); else a new user created just in time.
 */
const resolveUser = (db: Database, connection: SsoConnectionRow, profile: SsoProfile, email: string): Promise<Resolution> =>
  db.transaction(async (tx) => {
    const [linked] = await tx
      .select({ user: users })
      .from(ssoIdentities)
      .innerJoin(users, eq(users.id, ssoIdentities.userId))
      .where(and(eq(ssoIdentities.connectionId, connection.id), eq(ssoIdentities.subject, profile.subject)));
    if (linked) {
      const hasJoined = await ensureMembership(tx, connection, linked.user.id);
      return { user: linked.user, isCreated: false, isLinked: false, hasJoined };
    }

    const [existing] = await tx.select().from(users).where(sql`lower(${users.email}) = ${email}`);
    if (existing) {
      // Domains are claimed, not proven, so an account made elsewhere is never handed to this
      // provider: only people already in the workspace are linked by email.
      const membership = await findMembership(tx, connection.workspaceId, existing.id);
      if (!membership) {
        throw new SsoError("account_not_linkable", `${email} has a Parley account outside this workspace`);
      }
      if (membership.status === "deactivated") {
        throw new SsoError("membership_deactivated", "the member is deactivated in this workspace");
      }
      await tx.insert(ssoIdentities).values({ connectionId: connection.id, userId: existing.id, subject: profile.subject });
      if (existing.emailVerifiedAt === null) {
        await tx.update(users).set({ emailVerifiedAt: new Date(), updatedAt: new Date() }).where(eq(users.id, existing.id));
      }
      return { user: existing, isCreated: false, isLinked: true, hasJoined: false };
    }

    const [created] = await tx
      .insert(users)
      .values({ name: nameFor(profile, email), email, emailVerifiedAt: new Date() })
      .returning();
    if (!created) throw new Error("user insert returned no row");
    await tx.insert(memberships).values({
      workspaceId: connection.workspaceId,
      userId: created.id,
      roleId: connection.defaultRoleId,
    });
    await tx.insert(ssoIdentities).values({ connectionId: connection.id, userId: created.id, subject: profile.subject });
    return { user: created, isCreated: true, isLinked: true, hasJoined: true };
  });

const assertWorkspaceOpen = async (db: Database, workspaceId: string, client: ClientContext): Promise<void> => {
  const [workspace] = await db.select().from(workspaces).where(eq(workspaces.id, workspaceId));
  if (!workspace) throw new SsoError("connection_unavailable", "the connection's workspace no longer exists");
  try {
    assertWorkspaceAdmits(workspace, client);
  } catch (error) {
    if (isAppError(error)) throw new SsoError("workspace_unavailable", error.message, { cause: error });
    throw error;
  }
};

/**
 * Signs in whoever the identity provider vouched for, into the connection's workspace. No second
 * factor is asked: the provider is where the organisation enforces its own.
 */
export const signInWithSso = async (
  deps: { db: Database; realtime: RealtimePublisher; policy: SessionPolicy },
  input: { connection: SsoConnectionRow; profile: SsoProfile; client: ClientContext; actor: AuditActor },
): Promise<TSessionResponse> => {
  const { db, realtime } = deps;
  const { connection, profile } = input;
  const email = checkedEmail(connection, profile);
  const domains = await connectionDomains(db, connection.id);
  if (!domains.includes(domainOf(email))) {
    throw new SsoError("domain_not_allowed", `${domainOf(email)} is not among the connection's domains`);
  }
  await assertWorkspaceOpen(db, connection.workspaceId, input.client);

  let resolution: Resolution;
  try {
    resolution = await resolveUser(db, connection, profile, email);
  } catch (error) {
    // Two first sign-ins of one person at once: the loser finds what the winner created.
    if (!isUniqueViolation(error)) throw error;
    resolution = await resolveUser(db, connection, profile, email);
  }
  const { user } = resolution;
  const actor = { ...input.actor, id: user.id, label: user.email };
  const target = { type: "user", id: user.id, label: user.email };

  if (resolution.hasJoined) {
    await audit(db, realtime, {
      workspaceId: connection.workspaceId,
      actor,
      action: "member.joined_by_sso",
      target,
      after: { roleId: connection.defaultRoleId, connection: connection.name, isNewAccount: resolution.isCreated },
    });
  }
  const session = await completeSignIn(db, realtime, {
    user,
    method: "sso",
    client: input.client,
    policy: deps.policy,
    actor,
    workspaceId: connection.workspaceId,
  });
  await audit(db, realtime, {
    workspaceId: connection.workspaceId,
    actor,
    action: "sso.signed_in",
    target,
    after: {
      connectionId: connection.id,
      connection: connection.name,
      protocol: connection.protocol,
      isIdentityLinked: resolution.isLinked,
    },
  });
  return session;
};
