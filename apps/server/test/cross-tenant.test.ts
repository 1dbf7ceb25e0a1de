import { randomBytes } from "node:crypto";
import { PERMISSION_NAMES, type TSessionResponse } from "@parley/shared";
import type { InjectOptions } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { recordAudit } from "../src/modules/audit/audit.service.ts";
import { createMailer } from "../src/platform/mail/mailer.ts";
import { renderMail } from "../src/platform/mail/templates.ts";
import { recordDeadLetter } from "../src/platform/queue/dead-letters.ts";
import { createSigningKey } from "./fixtures/sso/test-keys.ts";
import { bearer, createApiKey, joinWorkspace, signUp, startTestApp, type TestApp } from "./helpers.ts";

type JsonSchema = {
  type?: string | string[];
  format?: string;
  enum?: unknown[];
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  minItems?: number;
  items?: JsonSchema;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  const?: unknown;
};
type Operation = {
  parameters?: Array<{ in: string; name: string; schema?: JsonSchema }>;
  requestBody?: { content?: Record<string, { schema?: JsonSchema }> };
};
type OpenApiDocument = { paths: Record<string, Record<string, Operation>> };

/** Everything a tenant owns that another tenant must never see. */
type Tenant = {
  owner: TSessionResponse;
  memberEmail: string;
  apiKey: string;
  marker: string;
  /** Ids, emails, names and markers of this tenant, filled from the database after seeding. */
  secrets: Set<string>;
  idsByTable: Map<string, string[]>;
};

const unique = (label: string) => `${label}${randomBytes(5).toString("hex")}`;

describe("tenant isolation across every GET route", () => {
  let harness: TestApp;
  let document: OpenApiDocument;
  let tenantA: Tenant;
  let tenantB: Tenant;

  /** Seeds a workspace with an owner, a second member, an API key, audit entries, a dead letter and dev-mailbox mail. */
  const seedTenant = async (label: string): Promise<Tenant> => {
    const marker = unique(`${label}marker`);
    const owner = await signUp(harness.app, {
      name: unique(`${label}Owner`),
      email: `${unique(`${label}owner`)}@example.com`,
      workspaceName: unique(`${label}Workspace`),
    });
    const memberEmail = `${unique(`${label}member`)}@example.com`;
    const member = await signUp(harness.app, {
      name: unique(`${label}Member`),
      email: memberEmail,
      workspaceName: unique(label),
    });
    await joinWorkspace(harness, { userId: member.user.id, workspaceId: owner.workspace.id, roleKey: "agent" });

    const apiKey = await createApiKey(harness.app, owner.token, PERMISSION_NAMES, unique(`${label}Key`));

    const { db } = harness.database;
    await recordAudit(db, {
      workspaceId: owner.workspace.id,
      actor: { type: "user", id: owner.user.id, label: owner.user.email, ip: "192.0.2.1", userAgent: "vitest" },
      action: "test.cross_tenant",
      target: { type: "thing", id: marker, label: marker },
    });
    await recordDeadLetter(db, {
      queueJobId: unique("job"),
      task: "test.cross_tenant",
      payload: { workspaceId: owner.workspace.id, marker },
      attempts: 3,
      maxAttempts: 3,
      error: `failed for ${marker}`,
    });
    await createMailer({ smtpUrl: undefined }).queue(db, {
      to: owner.user.email,
      workspaceId: owner.workspace.id,
      ...renderMail({ subject: `Hello ${marker}`, heading: marker, paragraphs: [marker] }),
    });
    return { owner, memberEmail, apiKey, marker, secrets: new Set(), idsByTable: new Map() };
  };

  /**
   * Creates whatever the API lets a workspace create (teams, roles, invitations … as other modules
   * add them) with values derived from each route's own schema, so this suite grows with the API.
   * Failures are fine: a route whose body cannot be guessed just seeds nothing.
   */
  const seedThroughApi = async (tenant: Tenant) => {
    const { certificate } = await createSigningKey(tenant.marker);
    const valueFor = (name: string, schema: JsonSchema | undefined, depth: number): unknown => {
      if (!schema || depth > 4) return undefined;
      const options = schema.anyOf ?? schema.oneOf;
      if (options)
        return valueFor(
          name,
          options.find((option) => option.type !== "null"),
          depth,
        );
      if (schema.const !== undefined) return schema.const;
      if (schema.enum) return schema.enum[0];
      const type = Array.isArray(schema.type) ? schema.type.find((option) => option !== "null") : schema.type;
      switch (type) {
        case "string": {
          if (schema.format === "email") return `${unique(tenant.marker)}@example.com`;
          if (schema.format === "uuid") {
            // defaultRoleId → roles, teamIds → teams: the tenant's own rows (the last role is the agent role).
            const noun = name
              .replace(/Ids?$/, "")
              .split(/(?=[A-Z])/)
              .at(-1)
              ?.toLowerCase();
            return tenant.idsByTable.get(`${noun}s`)?.at(-1);
          }
          if (/domain/i.test(name)) return `${tenant.marker}.example.com`;
          if (/certificate/i.test(name)) return certificate;
          if (schema.format === "date-time") return new Date(Date.now() + 86_400_000).toISOString();
          // A closed local port: routes that contact the URL (OIDC discovery) fail fast, without leaving the machine.
          if (schema.format === "uri") return `http://127.0.0.1:9/${tenant.marker}`;
          const text = `${tenant.marker}-${name}`;
          return schema.maxLength !== undefined && schema.maxLength < text.length
            ? tenant.marker.slice(0, schema.maxLength)
            : text;
        }
        case "integer":
        case "number":
          return schema.minimum ?? 1;
        case "boolean":
          return false;
        case "array": {
          const item = valueFor(name, schema.items, depth + 1);
          return (schema.minItems ?? 0) > 0 && item !== undefined ? [item] : [];
        }
        case "object":
          return Object.fromEntries(
            Object.entries(schema.properties ?? {})
              .filter(([property]) => schema.required?.includes(property))
              .map(([property, propertySchema]) => [property, valueFor(property, propertySchema, depth + 1)]),
          );
        default:
          return undefined;
      }
    };
    for (const [path, operations] of Object.entries(document.paths)) {
      const operation = operations.post;
      const isSafeToSeed = !/\{|\/auth\/|\/platform\/|\/me(\/|$)|logout|accept/.test(path);
      if (!operation || !isSafeToSeed) continue;
      const schema = operation.requestBody?.content?.["application/json"]?.schema;
      // A body that is one of several shapes (an OIDC or a SAML connection) is tried in each shape.
      for (const shape of schema?.oneOf ?? schema?.anyOf ?? [schema]) {
        const body = valueFor("body", shape, 0) ?? {};
        await harness.app.inject({ method: "POST", url: path, headers: bearer(tenant.owner.token), payload: body as object });
      }
    }
  };

  /** Reads back every row the tenant owns, in every table with a workspace_id, so new tables are covered too. */
  const collectSecrets = async (tenant: Tenant) => {
    const { pool } = harness.database;
    const workspaceId = tenant.owner.workspace.id;
    const columns = await pool.query<{ table_name: string; column_name: string }>(
      `select table_name, column_name from information_schema.columns
       where table_schema = 'public' and data_type = 'uuid'
         and table_name in (select table_name from information_schema.columns where table_schema = 'public' and column_name = 'workspace_id')`,
    );
    const byTable = new Map<string, string[]>();
    for (const { table_name, column_name } of columns.rows)
      byTable.set(table_name, [...(byTable.get(table_name) ?? []), column_name]);
    tenant.idsByTable.clear();
    for (const [table, uuidColumns] of byTable) {
      const rows = await pool.query<Record<string, string | null>>(
        `select ${uuidColumns.map((column) => `"${column}"::text`).join(", ")} from "${table}" where workspace_id = $1`,
        [workspaceId],
      );
      for (const row of rows.rows) for (const value of Object.values(row)) if (value) tenant.secrets.add(value);
      if (uuidColumns.includes("id"))
        tenant.idsByTable.set(
          table,
          rows.rows.flatMap((row) => (row.id ? [row.id] : [])),
        );
    }
    const people = await pool.query<{ id: string; email: string; name: string }>(
      "select users.id::text, users.email, users.name from users join memberships on memberships.user_id = users.id where memberships.workspace_id = $1",
      [workspaceId],
    );
    tenant.idsByTable.set(
      "users",
      people.rows.map((person) => person.id),
    );
    for (const person of people.rows) for (const value of [person.id, person.email, person.name]) tenant.secrets.add(value);
    const [workspace] = (
      await pool.query<{ name: string; slug: string }>("select name, slug from workspaces where id = $1", [workspaceId])
    ).rows;
    for (const value of [workspaceId, workspace?.name, workspace?.slug, tenant.marker, tenant.apiKey])
      if (value) tenant.secrets.add(value);
    const keys = await pool.query<{ name: string; prefix: string }>("select name, prefix from api_keys where workspace_id = $1", [
      workspaceId,
    ]);
    for (const key of keys.rows) for (const value of [key.name, key.prefix]) tenant.secrets.add(value);
  };

  beforeAll(async () => {
    harness = await startTestApp();
    document = (await harness.app.inject({ url: "/api/openapi.json" })).json();
    tenantA = await seedTenant("alpha");
    tenantB = await seedTenant("beta");
    for (const tenant of [tenantA, tenantB]) await collectSecrets(tenant);
    for (const tenant of [tenantA, tenantB]) await seedThroughApi(tenant);
    for (const tenant of [tenantA, tenantB]) await collectSecrets(tenant);
  }, 60_000);
  afterAll(async () => {
    await harness.close();
  });

  const getOperations = () =>
    Object.entries(document.paths).flatMap(([path, operations]) => (operations.get ? [{ path, operation: operations.get }] : []));

  /** The requests to try for one GET route: its path ids and id-like query filters taken from the other tenant. */
  const requestsFor = (path: string, operation: Operation, victim: Tenant): Array<{ url: string; echoed: string[] }> => {
    const victimIds = [...victim.secrets].filter((value) =>
      /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(value),
    );
    const paths = /\{[^}]+\}/.test(path)
      ? victimIds.map((id) => ({ url: path.replace(/\{[^}]+\}/g, id), echoed: [id] }))
      : [{ url: path, echoed: [] }];
    const idQueries = (operation.parameters ?? []).filter(
      (parameter) => parameter.in === "query" && /(Id|cursor)$/.test(parameter.name) && parameter.schema?.format === "uuid",
    );
    const searchQueries = (operation.parameters ?? []).filter(
      (parameter) => parameter.in === "query" && /^(search|q|query|email)$/.test(parameter.name),
    );
    const requests = [...paths];
    for (const { url } of paths) {
      for (const parameter of idQueries) {
        for (const id of victimIds) requests.push({ url: `${url}?${parameter.name}=${id}`, echoed: [id] });
      }
      for (const parameter of searchQueries) {
        for (const value of [victim.owner.user.email, victim.marker, victim.owner.workspace.name]) {
          requests.push({ url: `${url}?${parameter.name}=${encodeURIComponent(value)}`, echoed: [value] });
        }
      }
    }
    return requests;
  };

  /**
   * Reads that record themselves (an export writes `audit.exported` with its filters) would show a
   * probe's own filter values back on the next request; they are the caller's own input, so drop
   * them after each probe.
   */
  const forgetProbeRecords = async (workspaceId: string, lastId: string) => {
    await harness.database.pool.query("delete from audit_log where workspace_id = $1 and id > $2", [workspaceId, lastId]);
  };

  const walkAs = async (label: string, caller: { token: string; workspaceId: string }, victim: Tenant) => {
    const { token } = caller;
    const [{ lastId } = { lastId: "00000000-0000-0000-0000-000000000000" }] = (
      await harness.database.pool.query<{ lastId: string }>(
        `select coalesce(max(id::text), '00000000-0000-0000-0000-000000000000') as "lastId" from audit_log where workspace_id = $1`,
        [caller.workspaceId],
      )
    ).rows;
    const leaks: string[] = [];
    let answered = 0;
    let succeeded = 0;
    for (const { path, operation } of getOperations()) {
      for (const { url, echoed } of requestsFor(path, operation, victim)) {
        const request: InjectOptions = { method: "GET", url, headers: bearer(token) };
        const response = await harness.app.inject(request);
        answered++;
        expect(response.statusCode, `${label} GET ${url} → ${response.body.slice(0, 200)}`).toBeLessThan(500);
        if (response.statusCode < 300) {
          succeeded++;
          // Only a read that was answered can have recorded itself; skipping the rest halves the walk.
          await forgetProbeRecords(caller.workspaceId, lastId);
        }
        const body = response.body.toLowerCase();
        for (const secret of victim.secrets) {
          if (echoed.includes(secret)) continue;
          if (body.includes(secret.toLowerCase()))
            leaks.push(`${label} GET ${url} (${response.statusCode}) contains "${secret}"`);
        }
      }
    }
    return { leaks, answered, succeeded };
  };

  it("has two tenants with data worth hiding", () => {
    for (const tenant of [tenantA, tenantB]) {
      for (const table of ["api_keys", "audit_log", "dead_letter_jobs", "mail_messages", "sessions", "roles"]) {
        expect(tenant.idsByTable.get(table)?.length ?? 0, `${table} rows`).toBeGreaterThan(0);
      }
      expect(tenant.idsByTable.get("users")).toHaveLength(2);
    }
    const shared = [...tenantA.secrets].filter((secret) => tenantB.secrets.has(secret));
    expect(shared).toEqual([]);
  });

  // One test per caller: each walks every GET route with every id of B, which on a loaded CI
  // machine takes about a minute.
  it.each([
    ["A's owner", () => tenantA.owner.token],
    ["A's API key", () => tenantA.apiKey],
  ] as const)(
    "never shows workspace B's ids, emails or names to %s",
    async (label, tokenOf) => {
      expect(getOperations().length).toBeGreaterThanOrEqual(6);
      const workspaceId = tenantA.owner.workspace.id;
      const { leaks, answered, succeeded } = await walkAs(label, { token: tokenOf(), workspaceId }, tenantB);
      expect(leaks).toEqual([]);
      expect(answered).toBeGreaterThan(getOperations().length);
      expect(succeeded).toBeGreaterThan(3);
    },
    120_000,
  );

  it("does show A its own data on the same routes, so the walk is not vacuous", async () => {
    const auditLog = await harness.app.inject({ url: "/api/v1/audit-log?limit=100", headers: bearer(tenantA.owner.token) });
    expect(auditLog.body).toContain(tenantA.marker);
    const mailbox = await harness.app.inject({ url: "/api/v1/dev-mailbox", headers: bearer(tenantA.owner.token) });
    expect(mailbox.body).toContain(tenantA.marker);
    const deadLetters = await harness.app.inject({ url: "/api/v1/admin/dead-letter-jobs", headers: bearer(tenantA.apiKey) });
    expect(deadLetters.body).toContain(tenantA.marker);
    const keys = await harness.app.inject({ url: "/api/v1/api-keys", headers: bearer(tenantA.apiKey) });
    expect(keys.body).toContain(tenantA.owner.user.email);
    // And B, walking the other way, sees nothing of A.
    const { leaks } = await walkAs("B's owner", { token: tenantB.owner.token, workspaceId: tenantB.owner.workspace.id }, tenantA);
    expect(leaks).toEqual([]);
  }, 120_000);
});
