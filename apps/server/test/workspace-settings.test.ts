import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newApiKey } from "../src/modules/api-keys/api-key-auth.ts";
import { apiKeys } from "../src/modules/api-keys/api-keys.tables.ts";
import { auditLog } from "../src/modules/audit/audit.tables.ts";
import { bearer, connectAgent, joinWorkspace, nextEvent, signUp, startTestApp, type TestApp } from "./helpers.ts";

describe("workspace general settings", () => {
  let harness: TestApp;
  let baseUrl: string;
  beforeAll(async () => {
    harness = await startTestApp();
    baseUrl = await harness.listen();
  });
  afterAll(async () => {
    await harness.close();
  });

  const getSettings = (token: string) =>
    harness.app.inject({ url: "/api/v1/workspaces/current/settings", headers: bearer(token) });
  const patchSettings = (token: string, payload: Record<string, unknown>) =>
    harness.app.inject({ method: "PATCH", url: "/api/v1/workspaces/current/settings", headers: bearer(token), payload });

  const auditEntries = (workspaceId: string, action: string) =>
    harness.database.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.workspaceId, workspaceId), eq(auditLog.action, action)));

  it("starts with sensible defaults", async () => {
    const owner = await signUp(harness.app, { workspaceName: "Default Co" });
    const response = await getSettings(owner.token);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({
      id: owner.workspace.id,
      name: "Default Co",
      slug: owner.workspace.slug,
      logoUrl: null,
      timezone: "UTC",
      defaultLanguage: "en",
      dateFormat: "YYYY-MM-DD",
      timeFormat: "24h",
      weekStart: 1,
      updatedAt: expect.any(String),
    });
  });

  it("changes only the fields sent and audits a minimal before/after", async () => {
    const owner = await signUp(harness.app, { workspaceName: "Audit Co" });
    const response = await patchSettings(owner.token, {
      timezone: "Europe/Paris",
      defaultLanguage: "pt-BR",
      dateFormat: "DD/MM/YYYY",
      timeFormat: "12h",
      weekStart: 0,
      logoUrl: "https://cdn.example.com/logo.png",
    });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({
      name: "Audit Co",
      timezone: "Europe/Paris",
      defaultLanguage: "pt-BR",
      dateFormat: "DD/MM/YYYY",
      timeFormat: "12h",
      weekStart: 0,
      logoUrl: "https://cdn.example.com/logo.png",
    });
    expect((await getSettings(owner.token)).json()).toMatchObject({ timezone: "Europe/Paris", weekStart: 0 });

    // Sending a value equal to the current one is no change; null removes the logo.
    const second = await patchSettings(owner.token, { timezone: "Europe/Paris", logoUrl: null });
    expect(second.json()).toMatchObject({ timezone: "Europe/Paris", logoUrl: null });
    const unchanged = await patchSettings(owner.token, { weekStart: 0 });
    expect(unchanged.statusCode).toBe(200);

    const entries = await auditEntries(owner.workspace.id, "workspace.updated");
    expect(entries.map((entry) => ({ before: entry.before, after: entry.after, actor: entry.actorLabel }))).toEqual([
      {
        before: {
          logoUrl: null,
          timezone: "UTC",
          defaultLanguage: "en",
          dateFormat: "YYYY-MM-DD",
          timeFormat: "24h",
          weekStart: 1,
        },
        after: {
          logoUrl: "https://cdn.example.com/logo.png",
          timezone: "Europe/Paris",
          defaultLanguage: "pt-BR",
          dateFormat: "DD/MM/YYYY",
          timeFormat: "12h",
          weekStart: 0,
        },
        actor: owner.user.email,
      },
      { before: { logoUrl: "https://cdn.example.com/logo.png" }, after: { logoUrl: null }, actor: owner.user.email },
    ]);
  });

  it("accepts IANA zone aliases and UTC, and refuses offsets and made-up zones", async () => {
    const owner = await signUp(harness.app);
    for (const timezone of ["UTC", "Asia/Kolkata", "America/Argentina/Buenos_Aires", "Etc/GMT+5"]) {
      const response = await patchSettings(owner.token, { timezone });
      expect(response.statusCode, timezone).toBe(200);
      expect(response.json().timezone).toBe(timezone);
    }
    for (const timezone of ["Mars/Olympus_Mons", "+05:00", "GMT+5", "", "Europe/"]) {
      const response = await patchSettings(owner.token, { timezone });
      expect(response.statusCode, timezone).toBe(400);
      expect(response.json().error.details[0].path).toBe("body.timezone");
    }
  });

  it("renames the workspace and tells open dashboards, like PATCH /workspaces/current", async () => {
    const owner = await signUp(harness.app, { workspaceName: "Before Rename" });
    const socket = await connectAgent(baseUrl, { token: owner.token });
    try {
      const received = nextEvent<{ workspace: { id: string; name: string } }>(socket, "workspace.updated");
      const response = await patchSettings(owner.token, { name: "  After Rename  " });
      expect(response.statusCode).toBe(200);
      expect(response.json().name).toBe("After Rename");
      expect((await received).workspace).toMatchObject({ id: owner.workspace.id, name: "After Rename" });
      const current = await harness.app.inject({ url: "/api/v1/workspaces/current", headers: bearer(owner.token) });
      expect(current.json().name).toBe("After Rename");
    } finally {
      socket.close();
    }
  });

  it("does not announce a rename when the name did not change", async () => {
    const owner = await signUp(harness.app, { workspaceName: "Quiet Co" });
    const socket = await connectAgent(baseUrl, { token: owner.token });
    const events: unknown[] = [];
    socket.on("workspace.updated", (payload) => events.push(payload));
    try {
      await nextEvent(socket, "session.ready");
      expect((await patchSettings(owner.token, { name: "Quiet Co", weekStart: 3 })).statusCode).toBe(200);
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(events).toEqual([]);
    } finally {
      socket.close();
    }
  });

  it("rejects invalid values with the field's path and changes nothing", async () => {
    const owner = await signUp(harness.app, { workspaceName: "Strict Co" });
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ logoUrl: "http://cdn.example.com/logo.png" }, "body.logoUrl"],
      [{ logoUrl: "javascript:alert(1)" }, "body.logoUrl"],
      [{ logoUrl: `https://cdn.example.com/${"a".repeat(2048)}` }, "body.logoUrl"],
      [{ defaultLanguage: "english" }, "body.defaultLanguage"],
      [{ defaultLanguage: "pt-br" }, "body.defaultLanguage"],
      [{ dateFormat: "YYYY/MM/DD" }, "body.dateFormat"],
      [{ timeFormat: "military" }, "body.timeFormat"],
      [{ weekStart: 7 }, "body.weekStart"],
      [{ weekStart: 1.5 }, "body.weekStart"],
      [{ name: "   " }, "body.name"],
      [{ name: "x".repeat(121) }, "body.name"],
    ];
    for (const [payload, path] of cases) {
      const response = await patchSettings(owner.token, payload);
      expect(response.statusCode, JSON.stringify(payload)).toBe(400);
      expect(response.json().error.code).toBe("validation_failed");
      expect(response.json().error.details[0].path).toBe(path);
    }
    const unknown = await patchSettings(owner.token, { slug: "hijack" });
    expect(unknown.statusCode).toBe(400);
    const after = (await getSettings(owner.token)).json();
    expect(after).toMatchObject({
      name: "Strict Co",
      logoUrl: null,
      defaultLanguage: "en",
      weekStart: 1,
      slug: owner.workspace.slug,
    });
    expect(await auditEntries(owner.workspace.id, "workspace.updated")).toEqual([]);
  });

  it("lets every member read the settings but only settings.manage change them", async () => {
    const owner = await signUp(harness.app, { workspaceName: "Roles Co" });
    const agent = await signUp(harness.app);
    const agentToken = await joinWorkspace(harness, { userId: agent.user.id, workspaceId: owner.workspace.id, roleKey: "agent" });
    const read = await getSettings(agentToken);
    expect(read.statusCode).toBe(200);
    expect(read.json().id).toBe(owner.workspace.id);
    const write = await patchSettings(agentToken, { timezone: "Asia/Tokyo" });
    expect(write.statusCode).toBe(403);
    expect(write.json().error).toMatchObject({ code: "forbidden", details: { permission: "settings.manage" } });
    expect((await getSettings(owner.token)).json().timezone).toBe("UTC");

    const adminUser = await signUp(harness.app);
    const adminToken = await joinWorkspace(harness, {
      userId: adminUser.user.id,
      workspaceId: owner.workspace.id,
      roleKey: "admin",
    });
    expect((await patchSettings(adminToken, { timezone: "Asia/Tokyo" })).statusCode).toBe(200);
    const anonymous = await harness.app.inject({ url: "/api/v1/workspaces/current/settings" });
    expect(anonymous.statusCode).toBe(401);
  });

  it("lets a scoped API key change settings, audited as the key", async () => {
    const owner = await signUp(harness.app);
    const scoped = newApiKey();
    const unscoped = newApiKey();
    await harness.database.db.insert(apiKeys).values([
      {
        workspaceId: owner.workspace.id,
        name: "deploy bot",
        prefix: scoped.prefix,
        keyHash: scoped.keyHash,
        permissions: ["settings.manage"],
      },
      {
        workspaceId: owner.workspace.id,
        name: "reader",
        prefix: unscoped.prefix,
        keyHash: unscoped.keyHash,
        permissions: ["contacts.view"],
      },
    ]);
    expect((await patchSettings(unscoped.key, { weekStart: 6 })).statusCode).toBe(403);
    const response = await patchSettings(scoped.key, { weekStart: 6 });
    expect(response.statusCode).toBe(200);
    const [entry] = await auditEntries(owner.workspace.id, "workspace.updated");
    expect(entry).toMatchObject({ actorType: "api_key", actorLabel: 'API key "deploy bot"', after: { weekStart: 6 } });
  });

  it("keeps each workspace's settings to itself", async () => {
    const alice = await signUp(harness.app, { workspaceName: "Alice Co" });
    const bob = await signUp(harness.app, { workspaceName: "Bob Co" });
    await patchSettings(bob.token, { timezone: "America/New_York", name: "Bob Renamed" });
    const asAlice = (await getSettings(alice.token)).json();
    expect(asAlice).toMatchObject({ id: alice.workspace.id, name: "Alice Co", timezone: "UTC" });
    expect(await auditEntries(alice.workspace.id, "workspace.updated")).toEqual([]);
  });
});

describe("workspace security settings", () => {
  let harness: TestApp;
  beforeAll(async () => {
    harness = await startTestApp();
  });
  afterAll(async () => {
    await harness.close();
  });

  const getSecurity = (token: string) =>
    harness.app.inject({ url: "/api/v1/workspaces/current/security", headers: bearer(token) });
  const patchSecurity = (token: string, payload: Record<string, unknown>, remoteAddress?: string) =>
    harness.app.inject({
      method: "PATCH",
      url: "/api/v1/workspaces/current/security",
      headers: bearer(token),
      payload,
      ...(remoteAddress ? { remoteAddress } : {}),
    });

  it("reads the defaults and changes the policy, audited with a minimal before/after", async () => {
    const owner = await signUp(harness.app);
    expect((await getSecurity(owner.token)).json()).toEqual({
      requireTwoFactor: false,
      sessionIdleMinutes: null,
      sessionAbsoluteHours: null,
      ipAllowlist: [],
      passwordMinLength: 10,
      passwordExpiryDays: null,
      passwordHistoryCount: 0,
      anonymousVisitorRetentionDays: 270,
    });
    const response = await patchSecurity(owner.token, {
      sessionIdleMinutes: 30,
      sessionAbsoluteHours: 12,
      passwordMinLength: 14,
      passwordExpiryDays: 90,
      passwordHistoryCount: 5,
      ipAllowlist: ["127.0.0.1", "10.0.0.0/8", "2001:db8::/32", "10.0.0.0/8"],
      anonymousVisitorRetentionDays: 30,
    });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({
      requireTwoFactor: false,
      sessionIdleMinutes: 30,
      sessionAbsoluteHours: 12,
      ipAllowlist: ["127.0.0.1", "10.0.0.0/8", "2001:db8::/32"],
      passwordMinLength: 14,
      passwordExpiryDays: 90,
      passwordHistoryCount: 5,
      anonymousVisitorRetentionDays: 30,
    });
    const cleared = await patchSecurity(owner.token, {
      sessionIdleMinutes: null,
      ipAllowlist: [],
      anonymousVisitorRetentionDays: null,
    });
    expect(cleared.json()).toMatchObject({
      sessionIdleMinutes: null,
      ipAllowlist: [],
      sessionAbsoluteHours: 12,
      anonymousVisitorRetentionDays: null,
    });

    const entries = await harness.database.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.workspaceId, owner.workspace.id), eq(auditLog.action, "workspace.security_updated")));
    expect(entries.map((entry) => [entry.before, entry.after])).toEqual([
      [
        {
          sessionIdleMinutes: null,
          sessionAbsoluteHours: null,
          ipAllowlist: [],
          passwordMinLength: 10,
          passwordExpiryDays: null,
          passwordHistoryCount: 0,
          anonymousVisitorRetentionDays: 270,
        },
        {
          sessionIdleMinutes: 30,
          sessionAbsoluteHours: 12,
          ipAllowlist: ["127.0.0.1", "10.0.0.0/8", "2001:db8::/32"],
          passwordMinLength: 14,
          passwordExpiryDays: 90,
          passwordHistoryCount: 5,
          anonymousVisitorRetentionDays: 30,
        },
      ],
      [
        {
          sessionIdleMinutes: 30,
          ipAllowlist: ["127.0.0.1", "10.0.0.0/8", "2001:db8::/32"],
          anonymousVisitorRetentionDays: 30,
        },
        { sessionIdleMinutes: null, ipAllowlist: [], anonymousVisitorRetentionDays: null },
      ],
    ]);
  });

  it("rejects out-of-range values and malformed allowlist entries with their paths", async () => {
    const owner = await signUp(harness.app);
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ sessionIdleMinutes: 4 }, "body.sessionIdleMinutes"],
      [{ sessionIdleMinutes: 43_201 }, "body.sessionIdleMinutes"],
      [{ sessionAbsoluteHours: 0 }, "body.sessionAbsoluteHours"],
      [{ sessionAbsoluteHours: 8_761 }, "body.sessionAbsoluteHours"],
      [{ passwordMinLength: 7 }, "body.passwordMinLength"],
      [{ passwordMinLength: 129 }, "body.passwordMinLength"],
      [{ passwordExpiryDays: 0 }, "body.passwordExpiryDays"],
      [{ passwordExpiryDays: 3_651 }, "body.passwordExpiryDays"],
      [{ passwordHistoryCount: 25 }, "body.passwordHistoryCount"],
      [{ passwordHistoryCount: -1 }, "body.passwordHistoryCount"],
      [{ requireTwoFactor: "yes" }, "body.requireTwoFactor"],
      [{ anonymousVisitorRetentionDays: 0 }, "body.anonymousVisitorRetentionDays"],
      [{ anonymousVisitorRetentionDays: 3_651 }, "body.anonymousVisitorRetentionDays"],
      [{ anonymousVisitorRetentionDays: 2.5 }, "body.anonymousVisitorRetentionDays"],
      [{ anonymousVisitorRetentionDays: "90" }, "body.anonymousVisitorRetentionDays"],
      [{ ipAllowlist: ["127.0.0.1", "10.0.0.0/33"] }, "body.ipAllowlist.1"],
      [{ ipAllowlist: ["127.0.0.1", "not-an-ip"] }, "body.ipAllowlist.1"],
      [{ ipAllowlist: ["999.1.1.1"] }, "body.ipAllowlist.0"],
      [{ ipAllowlist: ["127.0.0.1", "  "] }, "body.ipAllowlist.1"],
      [
        { ipAllowlist: Array.from({ length: 101 }, (_, index) => `10.0.${Math.floor(index / 250)}.${index % 250}`) },
        "body.ipAllowlist",
      ],
    ];
    for (const [payload, path] of cases) {
      const response = await patchSecurity(owner.token, payload);
      expect(response.statusCode, JSON.stringify(payload).slice(0, 80)).toBe(400);
      expect(response.json().error.code).toBe("validation_failed");
      expect(response.json().error.details[0].path).toBe(path);
    }
    expect((await patchSecurity(owner.token, { unknownPolicy: true })).statusCode).toBe(400);
    const hundred = Array.from({ length: 100 }, (_, index) => `10.0.0.${index}`);
    expect((await patchSecurity(owner.token, { ipAllowlist: ["127.0.0.1", ...hundred.slice(1)] })).statusCode).toBe(200);
  });

  it("needs security.manage, not settings.manage, to read or change it", async () => {
    const owner = await signUp(harness.app);
    const agent = await signUp(harness.app);
    const agentToken = await joinWorkspace(harness, { userId: agent.user.id, workspaceId: owner.workspace.id, roleKey: "agent" });
    const supervisor = await signUp(harness.app);
    const supervisorToken = await joinWorkspace(harness, {
      userId: supervisor.user.id,
      workspaceId: owner.workspace.id,
      roleKey: "supervisor",
    });
    for (const token of [agentToken, supervisorToken]) {
      expect((await getSecurity(token)).statusCode).toBe(403);
      const write = await patchSecurity(token, { sessionIdleMinutes: 5 });
      expect(write.statusCode).toBe(403);
      expect(write.json().error.details).toEqual({ permission: "security.manage" });
    }
    const settingsOnly = newApiKey();
    await harness.database.db.insert(apiKeys).values({
      workspaceId: owner.workspace.id,
      name: "settings only",
      prefix: settingsOnly.prefix,
      keyHash: settingsOnly.keyHash,
      permissions: ["settings.manage"],
    });
    expect((await patchSecurity(settingsOnly.key, { sessionIdleMinutes: 5 })).statusCode).toBe(403);
    expect((await getSecurity(owner.token)).json().sessionIdleMinutes).toBeNull();
  });

  it("keeps one workspace's policy from touching another's", async () => {
    const alice = await signUp(harness.app);
    const bob = await signUp(harness.app);
    await patchSecurity(bob.token, { sessionIdleMinutes: 5, ipAllowlist: ["127.0.0.1"] });
    expect((await getSecurity(alice.token)).json()).toMatchObject({ sessionIdleMinutes: null, ipAllowlist: [] });
    expect(
      (await harness.app.inject({ url: "/api/v1/me", headers: bearer(alice.token), remoteAddress: "10.9.9.9" })).statusCode,
    ).toBe(200);
  });
});
