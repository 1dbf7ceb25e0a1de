import { type TApiKey, type TCreatedApiKey, ZApiKeyPage, ZCreatedApiKey } from "@parley/shared";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiKeys } from "../src/modules/api-keys/api-keys.tables.ts";
import { auditLog } from "../src/modules/audit/audit.tables.ts";
import { bearer, connectAgent, joinWorkspace, nextEvent, signUp, startTestApp, type TestApp } from "./helpers.ts";

describe("API keys", () => {
  let harness: TestApp;
  let baseUrl: string;
  beforeAll(async () => {
    harness = await startTestApp();
    baseUrl = await harness.listen();
  });
  afterAll(async () => {
    await harness.close();
  });

  const createKey = async (token: string, payload: Record<string, unknown>): Promise<TCreatedApiKey> => {
    const response = await harness.app.inject({ method: "POST", url: "/api/v1/api-keys", headers: bearer(token), payload });
    expect(response.statusCode, response.body).toBe(201);
    return ZCreatedApiKey.parse(response.json());
  };

  const listKeys = async (token: string): Promise<TApiKey[]> => {
    const response = await harness.app.inject({ url: "/api/v1/api-keys", headers: bearer(token) });
    expect(response.statusCode, response.body).toBe(200);
    return ZApiKeyPage.parse(response.json()).items;
  };

  it("shows a new key once and afterwards only its prefix", async () => {
    const owner = await signUp(harness.app);
    const created = await createKey(owner.token, { name: "Zapier sync", permissions: ["members.view", "audit.view"] });
    expect(created.key).toMatch(/^pk_[A-Za-z0-9_-]{40,}$/);
    expect(created.apiKey).toMatchObject({
      name: "Zapier sync",
      permissions: ["members.view", "audit.view"],
      status: "active",
      expiresAt: null,
      lastUsedAt: null,
      createdBy: { id: owner.user.id, email: owner.user.email },
    });
    expect(created.key.startsWith(created.apiKey.prefix)).toBe(true);
    expect(created.apiKey.prefix.length).toBeLessThan(12);

    const listResponse = await harness.app.inject({ url: "/api/v1/api-keys", headers: bearer(owner.token) });
    expect(listResponse.body).not.toContain(created.key);
    expect(listResponse.body).not.toMatch(/hash/i);
    const [listed] = ZApiKeyPage.parse(listResponse.json()).items;
    expect(listed).toEqual(created.apiKey);

    const [stored] = await harness.database.db.select().from(apiKeys).where(eq(apiKeys.id, created.apiKey.id));
    expect(stored?.keyHash).not.toContain(created.key.slice(3));
    const [entry] = await harness.database.db.select().from(auditLog).where(eq(auditLog.targetId, created.apiKey.id));
    expect(entry).toMatchObject({ action: "api_key.created", actorId: owner.user.id, workspaceId: owner.workspace.id });
    expect(JSON.stringify(entry?.after)).not.toContain(created.key);
  });

  it("grants exactly the key's scopes across the API", async () => {
    const owner = await signUp(harness.app, { workspaceName: "Scoped Co" });
    const jobsKey = (await createKey(owner.token, { name: "jobs", permissions: ["jobs.manage"] })).key;
    const settingsKey = (await createKey(owner.token, { name: "settings", permissions: ["settings.manage"] })).key;
    const auditKey = (await createKey(owner.token, { name: "audit", permissions: ["audit.view"] })).key;

    const call = async (key: string, method: "GET" | "PATCH", url: string, payload?: unknown) =>
      (await harness.app.inject({ method, url: `/api/v1${url}`, headers: bearer(key), ...(payload ? { payload } : {}) }))
        .statusCode;

    expect(await call(jobsKey, "GET", "/admin/dead-letter-jobs")).toBe(200);
    expect(await call(jobsKey, "GET", "/dev-mailbox")).toBe(403);
    expect(await call(jobsKey, "GET", "/audit-log")).toBe(403);
    expect(await call(jobsKey, "PATCH", "/workspaces/current", { name: "Nope" })).toBe(403);

    expect(await call(settingsKey, "GET", "/dev-mailbox")).toBe(200);
    expect(await call(settingsKey, "PATCH", "/workspaces/current", { name: "Renamed By Key" })).toBe(200);
    expect(await call(settingsKey, "GET", "/admin/dead-letter-jobs")).toBe(403);
    expect(await call(settingsKey, "GET", "/audit-log")).toBe(403);

    expect(await call(auditKey, "GET", "/audit-log")).toBe(200);
    expect(await call(auditKey, "GET", "/audit-log/export.csv")).toBe(200);
    expect(await call(auditKey, "GET", "/dev-mailbox")).toBe(403);
    // Any authenticated key reaches "authenticated" routes of its own workspace.
    const current = await harness.app.inject({ url: "/api/v1/workspaces/current", headers: bearer(auditKey) });
    expect(current.json()).toMatchObject({ id: owner.workspace.id, name: "Renamed By Key" });

    // The rename is attributed to the key, not to the member who made it.
    const log = await harness.app.inject({
      url: "/api/v1/audit-log?action=workspace.updated",
      headers: bearer(auditKey),
    });
    expect(log.json().items[0]).toMatchObject({
      actor: { type: "api_key", label: 'API key "settings"' },
      after: { name: "Renamed By Key" },
    });
  });

  it("keeps keys out of routes about a signed-in person, and out of making more keys", async () => {
    const owner = await signUp(harness.app);
    const key = (await createKey(owner.token, { name: "everything", permissions: ["api_keys.manage", "members.view"] })).key;
    const me = await harness.app.inject({ url: "/api/v1/me", headers: bearer(key) });
    expect(me.statusCode).toBe(403);
    expect(me.json().error.code).toBe("forbidden");
    const logout = await harness.app.inject({ method: "POST", url: "/api/v1/auth/logout", headers: bearer(key) });
    expect(logout.statusCode).toBe(403);

    expect((await harness.app.inject({ url: "/api/v1/api-keys", headers: bearer(key) })).statusCode).toBe(200);
    const mint = await harness.app.inject({
      method: "POST",
      url: "/api/v1/api-keys",
      headers: bearer(key),
      payload: { name: "child", permissions: ["members.view"] },
    });
    expect(mint.statusCode).toBe(403);
    expect(await listKeys(owner.token)).toHaveLength(1);
  });

  it("refuses a key with permissions its creator lacks, and members without api_keys.manage", async () => {
    const owner = await signUp(harness.app);
    const adminUser = await signUp(harness.app);
    const adminToken = await joinWorkspace(harness, {
      userId: adminUser.user.id,
      workspaceId: owner.workspace.id,
      roleKey: "admin",
    });
    const agentUser = await signUp(harness.app);
    const agentToken = await joinWorkspace(harness, {
      userId: agentUser.user.id,
      workspaceId: owner.workspace.id,
      roleKey: "agent",
    });

    // Admins have every permission except billing.manage.
    const escalation = await harness.app.inject({
      method: "POST",
      url: "/api/v1/api-keys",
      headers: bearer(adminToken),
      payload: { name: "billing", permissions: ["audit.view", "billing.manage"] },
    });
    expect(escalation.statusCode).toBe(403);
    expect(escalation.json().error).toMatchObject({ code: "forbidden", details: { permissions: ["billing.manage"] } });
    await createKey(adminToken, { name: "allowed", permissions: ["audit.view"] });
    // The owner has billing.manage, so the same key is fine for them.
    await createKey(owner.token, { name: "billing", permissions: ["billing.manage"] });

    for (const request of [
      { method: "POST" as const, url: "/api/v1/api-keys", payload: { name: "x", permissions: ["members.view"] } },
      { method: "GET" as const, url: "/api/v1/api-keys" },
    ]) {
      const response = await harness.app.inject({ ...request, headers: bearer(agentToken) });
      expect(response.statusCode).toBe(403);
      expect(response.json().error.details).toEqual({ permission: "api_keys.manage" });
    }
    expect((await listKeys(owner.token)).map((key) => key.name).sort()).toEqual(["allowed", "billing"]);
  });

  it("rejects invalid requests with field errors", async () => {
    const owner = await signUp(harness.app);
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ name: "", permissions: ["audit.view"] }, "body.name"],
      [{ name: "x".repeat(101), permissions: ["audit.view"] }, "body.name"],
      [{ name: "k", permissions: [] }, "body.permissions"],
      [{ name: "k", permissions: ["audit.view", "audit.view"] }, "body.permissions"],
      [{ name: "k", permissions: ["root"] }, "body.permissions.0"],
      [{ name: "k", permissions: ["audit.view"], expiresAt: "2001-01-01T00:00:00Z" }, "body.expiresAt"],
      [{ name: "k", permissions: ["audit.view"], expiresAt: "tomorrow" }, "body.expiresAt"],
      [{ name: "k", permissions: ["audit.view"], workspaceId: owner.workspace.id }, "body"],
    ];
    for (const [payload, path] of cases) {
      const response = await harness.app.inject({
        method: "POST",
        url: "/api/v1/api-keys",
        headers: bearer(owner.token),
        payload,
      });
      expect(response.statusCode, JSON.stringify(payload)).toBe(400);
      expect(response.json().error.code).toBe("validation_failed");
      expect(response.json().error.details.map((problem: { path: string }) => problem.path)).toContain(path);
    }
    expect(await listKeys(owner.token)).toEqual([]);
  });

  it("records when and from where a key was last used", async () => {
    const owner = await signUp(harness.app);
    const created = await createKey(owner.token, { name: "reporting", permissions: ["audit.view"] });
    const before = Date.now();
    const response = await harness.app.inject({
      url: "/api/v1/audit-log",
      headers: bearer(created.key),
      remoteAddress: "203.0.113.9",
    });
    expect(response.statusCode).toBe(200);
    const [listed] = await listKeys(owner.token);
    expect(listed?.lastUsedIp).toBe("203.0.113.9");
    expect(Date.parse(listed?.lastUsedAt ?? "")).toBeGreaterThanOrEqual(before - 1000);

    // A new address is recorded at once, even within the minute that otherwise spares the write.
    await harness.app.inject({ url: "/api/v1/audit-log", headers: bearer(created.key), remoteAddress: "2001:db8::7" });
    expect((await listKeys(owner.token))[0]?.lastUsedIp).toBe("2001:db8::7");
  });

  it("stops an expired key and shows it as expired", async () => {
    const owner = await signUp(harness.app);
    const expiresAt = new Date(Date.now() + 86_400_000).toISOString();
    const created = await createKey(owner.token, { name: "temporary", permissions: ["audit.view"], expiresAt });
    expect(created.apiKey.expiresAt).toBe(expiresAt);
    expect((await harness.app.inject({ url: "/api/v1/audit-log", headers: bearer(created.key) })).statusCode).toBe(200);

    await harness.database.db
      .update(apiKeys)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(eq(apiKeys.id, created.apiKey.id));
    const refused = await harness.app.inject({ url: "/api/v1/audit-log", headers: bearer(created.key) });
    expect(refused.statusCode).toBe(401);
    expect(refused.json().error.code).toBe("unauthorized");
    expect((await listKeys(owner.token))[0]?.status).toBe("expired");
    await expect(connectAgent(baseUrl, { token: created.key })).rejects.toMatchObject({ data: { code: "unauthorized" } });
  });

  it("revokes a key at once, over HTTP and on its open socket", async () => {
    const owner = await signUp(harness.app);
    const created = await createKey(owner.token, { name: "live feed", permissions: ["audit.view"] });
    const socket = await connectAgent(baseUrl, { token: created.key });
    let revokedAt: string | undefined;
    try {
      expect(await nextEvent(socket, "session.ready")).toEqual({ userId: null, workspaceId: owner.workspace.id });
      const disconnected = nextEvent<string>(socket, "disconnect");
      const revoke = await harness.app.inject({
        method: "DELETE",
        url: `/api/v1/api-keys/${created.apiKey.id}`,
        headers: bearer(owner.token),
      });
      expect(revoke.statusCode).toBe(200);
      expect(revoke.json()).toMatchObject({ id: created.apiKey.id, status: "revoked" });
      revokedAt = revoke.json().revokedAt;
      expect(await disconnected).toBe("io server disconnect");
    } finally {
      socket.close();
    }

    const refused = await harness.app.inject({ url: "/api/v1/audit-log", headers: bearer(created.key) });
    expect(refused.statusCode).toBe(401);
    await expect(connectAgent(baseUrl, { token: created.key })).rejects.toMatchObject({ data: { code: "unauthorized" } });

    // Revoking again changes nothing and is not audited twice.
    const again = await harness.app.inject({
      method: "DELETE",
      url: `/api/v1/api-keys/${created.apiKey.id}`,
      headers: bearer(owner.token),
    });
    expect(again.statusCode).toBe(200);
    expect(again.json().revokedAt).toBe(revokedAt);
    const entries = await harness.database.db.select().from(auditLog).where(eq(auditLog.targetId, created.apiKey.id));
    expect(entries.map((entry) => entry.action).sort()).toEqual(["api_key.created", "api_key.revoked"]);
  });

  it("answers 404 for another workspace's key and leaves it working", async () => {
    const alice = await signUp(harness.app);
    const bob = await signUp(harness.app);
    const bobKey = await createKey(bob.token, { name: "bob's", permissions: ["audit.view"] });
    const attempt = await harness.app.inject({
      method: "DELETE",
      url: `/api/v1/api-keys/${bobKey.apiKey.id}`,
      headers: bearer(alice.token),
    });
    expect(attempt.statusCode).toBe(404);
    expect(attempt.json().error.code).toBe("not_found");
    expect(await listKeys(alice.token)).toEqual([]);
    expect((await harness.app.inject({ url: "/api/v1/audit-log", headers: bearer(bobKey.key) })).statusCode).toBe(200);
    // A key authenticates into its own workspace only.
    const current = await harness.app.inject({ url: "/api/v1/workspaces/current", headers: bearer(bobKey.key) });
    expect(current.json().id).toBe(bob.workspace.id);
  });

  it("rejects unknown and tampered keys", async () => {
    const owner = await signUp(harness.app);
    const created = await createKey(owner.token, { name: "real", permissions: ["audit.view"] });
    const tampered = `${created.key.slice(0, -1)}${created.key.endsWith("A") ? "B" : "A"}`;
    for (const key of [tampered, "pk_unknown", created.apiKey.prefix]) {
      const response = await harness.app.inject({ url: "/api/v1/audit-log", headers: bearer(key) });
      expect(response.statusCode, key).toBe(401);
    }
  });

  it("pages through keys newest first", async () => {
    const owner = await signUp(harness.app);
    for (const name of ["one", "two", "three"]) await createKey(owner.token, { name, permissions: ["audit.view"] });
    const first = await harness.app.inject({ url: "/api/v1/api-keys?limit=2", headers: bearer(owner.token) });
    const firstPage = ZApiKeyPage.parse(first.json());
    expect(firstPage.items.map((key) => key.name)).toEqual(["three", "two"]);
    const second = await harness.app.inject({
      url: `/api/v1/api-keys?limit=2&cursor=${firstPage.nextCursor}`,
      headers: bearer(owner.token),
    });
    const secondPage = ZApiKeyPage.parse(second.json());
    expect(secondPage.items.map((key) => key.name)).toEqual(["one"]);
    expect(secondPage.nextCursor).toBeNull();
  });
});
