import { type TPlatformWorkspace, type TSessionResponse, ZPlatformUserPage, ZPlatformWorkspacePage } from "@parley/shared";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditLog } from "../src/modules/audit/audit.tables.ts";
import { sessions, users } from "../src/modules/auth/auth.tables.ts";
import {
  bearer,
  connectAgent,
  createApiKey,
  joinWorkspace,
  nextEvent,
  signUp,
  startTestApp,
  TEST_ENCRYPTION_KEY,
  type TestApp,
} from "./helpers.ts";
import { spawnParley } from "./process.ts";

/** Runs `parley <args>` as a real process against the test database, as an operator would from a shell. */
const runCli = async (databaseUrl: string, args: string[]) => {
  const cli = spawnParley({ DATABASE_URL: databaseUrl, ENCRYPTION_KEY: TEST_ENCRYPTION_KEY }, args);
  const { code } = await cli.exited;
  return { code, output: cli.output() };
};

describe("Parley operators", () => {
  let harness: TestApp;
  let baseUrl: string;
  let operator: TSessionResponse;
  beforeAll(async () => {
    harness = await startTestApp();
    baseUrl = await harness.listen();
    operator = await signUp(harness.app, { name: "Olga Operator", workspaceName: "Operations" });
    const granted = await runCli(harness.databaseUrl, ["admin:grant", operator.user.email.toUpperCase()]);
    expect(granted.code, granted.output).toBe(0);
    expect(granted.output).toContain(`${operator.user.email} (Olga Operator) is now a Parley operator`);
  }, 60_000);
  afterAll(async () => {
    await harness.close();
  });

  const asOperator = (request: { method?: "GET" | "POST"; url: string; payload?: Record<string, unknown> }) =>
    harness.app.inject({
      method: request.method ?? "GET",
      url: `/api/v1${request.url}`,
      headers: bearer(operator.token),
      ...(request.payload ? { payload: request.payload } : {}),
    });

  const createKey = (token: string) => createApiKey(harness.app, token, ["audit.view"]);

  it("grants and revokes the flag from the command line, and says so", async () => {
    const someone = await signUp(harness.app);
    const [before] = await harness.database.db.select().from(users).where(eq(users.id, someone.user.id));
    expect(before?.isPlatformAdmin).toBe(false);

    const grant = await runCli(harness.databaseUrl, ["admin:grant", someone.user.email]);
    expect(grant.code, grant.output).toBe(0);
    const again = await runCli(harness.databaseUrl, ["admin:grant", someone.user.email]);
    expect(again.code).toBe(0);
    expect(again.output).toContain("was already a Parley operator; nothing changed");
    const me = await harness.app.inject({ url: "/api/v1/me", headers: bearer(someone.token) });
    expect(me.json().isPlatformAdmin).toBe(true);
    expect((await harness.app.inject({ url: "/api/v1/platform/users", headers: bearer(someone.token) })).statusCode).toBe(200);

    const revoke = await runCli(harness.databaseUrl, ["admin:revoke", someone.user.email]);
    expect(revoke.code, revoke.output).toBe(0);
    expect(revoke.output).toContain(`${someone.user.email} (${someone.user.name}) is no longer a Parley operator`);
    // The flag is read on every request: the same session loses access at once.
    const refused = await harness.app.inject({ url: "/api/v1/platform/users", headers: bearer(someone.token) });
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error.code).toBe("forbidden");

    const changes = await harness.database.db.select().from(auditLog).where(eq(auditLog.targetId, someone.user.id));
    expect(changes.map((entry) => [entry.action, entry.actorLabel, entry.workspaceId])).toEqual([
      ["user.platform_admin_granted", "parley command line", null],
      ["user.platform_admin_revoked", "parley command line", null],
    ]);
  }, 60_000);

  it("exits with status 1 and a message for an unknown email or a missing argument", async () => {
    const unknown = await runCli(harness.databaseUrl, ["admin:grant", "nobody-here@example.com"]);
    expect(unknown.code).toBe(1);
    expect(unknown.output).toContain("No Parley user has the email nobody-here@example.com");
    const missing = await runCli(harness.databaseUrl, ["admin:revoke"]);
    expect(missing.code).toBe(1);
    expect(missing.output).toContain("Usage: parley admin:revoke <email>");
    const notAnEmail = await runCli(harness.databaseUrl, ["admin:grant", "olga"]);
    expect(notAnEmail.code).toBe(1);
    expect(notAnEmail.output).toContain('"olga" is not an email address');
  }, 60_000);

  it("keeps platform routes from members, workspace owners and API keys", async () => {
    const owner = await signUp(harness.app);
    const key = await createKey(owner.token);
    const routes = [
      { method: "GET" as const, url: "/api/v1/platform/workspaces" },
      { method: "GET" as const, url: "/api/v1/platform/users" },
      { method: "POST" as const, url: `/api/v1/platform/workspaces/${operator.workspace.id}/suspend`, payload: { reason: "x" } },
      { method: "POST" as const, url: `/api/v1/platform/workspaces/${owner.workspace.id}/reactivate` },
    ];
    for (const route of routes) {
      for (const token of [owner.token, key]) {
        const response = await harness.app.inject({ ...route, headers: bearer(token) });
        expect(response.statusCode, route.url).toBe(403);
        expect(response.json().error.message).toBe("Only Parley operators can do this.");
      }
      expect((await harness.app.inject(route)).statusCode).toBe(401);
    }
  });

  it("lists workspaces and users with search, counts and pages", async () => {
    const owner = await signUp(harness.app, { name: "Wanda Listed", workspaceName: "Listed 100% Corp" });
    const colleague = await signUp(harness.app);
    await joinWorkspace(harness, { userId: colleague.user.id, workspaceId: owner.workspace.id, roleKey: "agent" });
    await signUp(harness.app, { workspaceName: "Listed 100x Corp" });

    const found = await asOperator({ url: `/platform/workspaces?search=${encodeURIComponent("100%")}` });
    expect(found.statusCode).toBe(200);
    expect(ZPlatformWorkspacePage.parse(found.json()).items).toEqual([
      {
        id: owner.workspace.id,
        name: "Listed 100% Corp",
        slug: owner.workspace.slug,
        createdAt: owner.workspace.createdAt,
        memberCount: 2,
        isSuspended: false,
        suspendedAt: null,
        suspendedReason: null,
      },
    ]);
    const bySlug = ZPlatformWorkspacePage.parse(
      (await asOperator({ url: `/platform/workspaces?search=${owner.workspace.slug}` })).json(),
    );
    expect(bySlug.items.map((workspace) => workspace.id)).toEqual([owner.workspace.id]);

    const firstPage = ZPlatformWorkspacePage.parse(
      (await asOperator({ url: "/platform/workspaces?search=listed&limit=1" })).json(),
    );
    expect(firstPage.items.map((workspace) => workspace.name)).toEqual(["Listed 100x Corp"]);
    const secondPage = ZPlatformWorkspacePage.parse(
      (await asOperator({ url: `/platform/workspaces?search=listed&limit=1&cursor=${firstPage.nextCursor}` })).json(),
    );
    expect(secondPage.items.map((workspace) => workspace.name)).toEqual(["Listed 100% Corp"]);
    expect(secondPage.nextCursor).toBeNull();

    const people = ZPlatformUserPage.parse((await asOperator({ url: "/platform/users?search=wanda%20LISTED" })).json());
    expect(people.items).toEqual([
      expect.objectContaining({
        id: owner.user.id,
        email: owner.user.email,
        name: "Wanda Listed",
        isPlatformAdmin: false,
        workspaceCount: 1,
        emailVerified: false,
        twoFactorEnabled: false,
      }),
    ]);
    const colleagueRow = ZPlatformUserPage.parse(
      (await asOperator({ url: `/platform/users?search=${colleague.user.email}` })).json(),
    );
    expect(colleagueRow.items[0]?.workspaceCount).toBe(2);
    const operatorRow = ZPlatformUserPage.parse(
      (await asOperator({ url: `/platform/users?search=${operator.user.email}` })).json(),
    );
    expect(operatorRow.items[0]?.isPlatformAdmin).toBe(true);

    expect((await asOperator({ url: "/platform/users?cursor=nope" })).statusCode).toBe(400);
    expect((await asOperator({ url: "/platform/workspaces?limit=0" })).statusCode).toBe(400);
  });

  it("suspends a workspace: sessions end, sockets close, keys and new sessions are refused until reactivated", async () => {
    const owner = await signUp(harness.app, { workspaceName: "Suspended Co" });
    const agent = await signUp(harness.app);
    const agentToken = await joinWorkspace(harness, { userId: agent.user.id, workspaceId: owner.workspace.id, roleKey: "agent" });
    const key = await createKey(owner.token);
    const bystander = await signUp(harness.app);

    const ownerSocket = await connectAgent(baseUrl, { token: owner.token });
    const keySocket = await connectAgent(baseUrl, { token: key });
    const bystanderSocket = await connectAgent(baseUrl, { token: bystander.token });
    let suspended: TPlatformWorkspace;
    try {
      const ownerGone = nextEvent<string>(ownerSocket, "disconnect");
      const keyGone = nextEvent<string>(keySocket, "disconnect");
      const response = await asOperator({
        method: "POST",
        url: `/platform/workspaces/${owner.workspace.id}/suspend`,
        payload: { reason: "Unpaid invoices" },
      });
      expect(response.statusCode, response.body).toBe(200);
      suspended = response.json();
      expect(suspended).toMatchObject({
        id: owner.workspace.id,
        isSuspended: true,
        suspendedReason: "Unpaid invoices",
        memberCount: 2,
      });
      expect(await ownerGone).toBe("io server disconnect");
      expect(await keyGone).toBe("io server disconnect");
      expect(bystanderSocket.connected).toBe(true);
    } finally {
      for (const socket of [ownerSocket, keySocket, bystanderSocket]) socket.close();
    }

    const ended = await harness.database.db.select().from(sessions).where(eq(sessions.workspaceId, owner.workspace.id));
    expect(ended.every((session) => session.revokedReason === "workspace_suspended")).toBe(true);
    for (const token of [owner.token, agentToken]) {
      expect((await harness.app.inject({ url: "/api/v1/workspaces/current", headers: bearer(token) })).statusCode).toBe(401);
    }

    const keyRefused = await harness.app.inject({ url: "/api/v1/audit-log", headers: bearer(key) });
    expect(keyRefused.statusCode).toBe(403);
    expect(keyRefused.json().error.code).toBe("workspace_suspended");
    await expect(connectAgent(baseUrl, { token: key })).rejects.toMatchObject({ data: { code: "workspace_suspended" } });

    // A session opened after the suspension (here straight in the database) is refused as well.
    const lateSession = await joinWorkspace(harness, {
      userId: bystander.user.id,
      workspaceId: owner.workspace.id,
      roleKey: "agent",
    });
    const lateRefused = await harness.app.inject({ url: "/api/v1/workspaces/current", headers: bearer(lateSession) });
    expect(lateRefused.statusCode).toBe(403);
    expect(lateRefused.json().error.code).toBe("workspace_suspended");
    // Signing in again leads nowhere either: refused at sign-in, or the new session is refused on use.
    const login = await harness.app.inject({
      method: "POST",
      url: "/api/v1/auth/login",
      payload: { email: owner.user.email, password: owner.password },
    });
    if (login.statusCode === 200) {
      const loginUse = await harness.app.inject({ url: "/api/v1/me", headers: bearer(login.json().token) });
      expect(loginUse.statusCode).toBe(403);
      expect(loginUse.json().error.code).toBe("workspace_suspended");
    } else {
      expect(login.json().error.code).toBe("workspace_suspended");
    }
    // The bystander's own workspace is untouched.
    expect((await harness.app.inject({ url: "/api/v1/workspaces/current", headers: bearer(bystander.token) })).statusCode).toBe(
      200,
    );

    const listed = ZPlatformWorkspacePage.parse(
      (await asOperator({ url: `/platform/workspaces?search=${owner.workspace.slug}` })).json(),
    );
    expect(listed.items[0]).toMatchObject({ isSuspended: true, suspendedReason: "Unpaid invoices" });

    const twice = await asOperator({
      method: "POST",
      url: `/platform/workspaces/${owner.workspace.id}/suspend`,
      payload: { reason: "again" },
    });
    expect(twice.statusCode).toBe(409);
    expect(twice.json().error.code).toBe("conflict");

    const reactivated = await asOperator({ method: "POST", url: `/platform/workspaces/${owner.workspace.id}/reactivate` });
    expect(reactivated.statusCode).toBe(200);
    expect(reactivated.json()).toMatchObject({ isSuspended: false, suspendedAt: null, suspendedReason: null });
    expect((await harness.app.inject({ url: "/api/v1/audit-log", headers: bearer(key) })).statusCode).toBe(200);
    expect((await harness.app.inject({ url: "/api/v1/workspaces/current", headers: bearer(lateSession) })).statusCode).toBe(200);
    // Ended sessions stay ended: members sign in again.
    expect((await harness.app.inject({ url: "/api/v1/workspaces/current", headers: bearer(owner.token) })).statusCode).toBe(401);
    const relogin = await harness.app.inject({
      method: "POST",
      url: "/api/v1/auth/login",
      payload: { email: owner.user.email, password: owner.password },
    });
    expect(relogin.statusCode).toBe(200);

    const again = await asOperator({ method: "POST", url: `/platform/workspaces/${owner.workspace.id}/reactivate` });
    expect(again.statusCode).toBe(409);

    // Both changes are in the suspended workspace's own audit log, by the operator.
    const log = await harness.app.inject({
      url: `/api/v1/audit-log?targetType=workspace&targetId=${owner.workspace.id}&action=workspace.*`,
      headers: bearer(key),
    });
    const actions = log
      .json()
      .items.map((entry: { action: string; actor: { label: string } }) => [entry.action, entry.actor.label]);
    expect(actions.slice(0, 2)).toEqual([
      ["workspace.reactivated", operator.user.email],
      ["workspace.suspended", operator.user.email],
    ]);
    const [suspendEntry] = await harness.database.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.workspaceId, owner.workspace.id), eq(auditLog.action, "workspace.suspended")));
    expect(suspendEntry?.after).toMatchObject({ reason: "Unpaid invoices", sessionsEnded: 2 });
  });

  it("answers unknown workspaces, bad input and the operator's own workspace clearly", async () => {
    const missing = await asOperator({
      method: "POST",
      url: "/platform/workspaces/0190a000-0000-7000-8000-000000000000/suspend",
      payload: { reason: "x" },
    });
    expect(missing.statusCode).toBe(404);
    expect(
      (await asOperator({ method: "POST", url: "/platform/workspaces/0190a000-0000-7000-8000-000000000000/reactivate" }))
        .statusCode,
    ).toBe(404);
    expect(
      (await asOperator({ method: "POST", url: "/platform/workspaces/not-an-id/suspend", payload: { reason: "x" } })).statusCode,
    ).toBe(400);

    const target = await signUp(harness.app);
    for (const payload of [{}, { reason: "  " }, { reason: "x".repeat(501) }, { reason: "ok", extra: true }]) {
      const response = await asOperator({ method: "POST", url: `/platform/workspaces/${target.workspace.id}/suspend`, payload });
      expect(response.statusCode, JSON.stringify(payload)).toBe(400);
    }

    const own = await asOperator({
      method: "POST",
      url: `/platform/workspaces/${operator.workspace.id}/suspend`,
      payload: { reason: "oops" },
    });
    expect(own.statusCode).toBe(409);
    expect(own.json().error.code).toBe("lockout_risk");
    expect((await asOperator({ url: "/platform/users" })).statusCode).toBe(200);
  });
});
