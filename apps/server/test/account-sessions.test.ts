import type { TAccountSession } from "@parley/shared";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newApiKey } from "../src/modules/api-keys/api-key-auth.ts";
import { bearer, connectAgent, joinWorkspace, nextEvent, signUp, startTestApp, type TestApp } from "./helpers.ts";

const CHROME_ON_MAC =
  "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36";
const SAFARI_ON_IPHONE =
  "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1";

describe("a member's own sessions", () => {
  let harness: TestApp;
  let baseUrl: string;
  beforeAll(async () => {
    harness = await startTestApp();
    baseUrl = await harness.listen();
  });
  afterAll(async () => {
    await harness.close();
  });

  const logIn = async (email: string, password: string, userAgent: string, ip = "127.0.0.1") => {
    const response = await harness.app.inject({
      method: "POST",
      url: "/api/v1/auth/login",
      headers: { "user-agent": userAgent },
      remoteAddress: ip,
      payload: { email, password },
    });
    expect(response.statusCode).toBe(200);
    return response.json().token as string;
  };
  const list = async (token: string): Promise<TAccountSession[]> => {
    const response = await harness.app.inject({ url: "/api/v1/me/sessions", headers: bearer(token) });
    expect(response.statusCode).toBe(200);
    return response.json().items;
  };
  const sessionIdOf = async (token: string) => {
    const items = await list(token);
    const current = items.find((item) => item.isCurrent);
    if (!current) throw new Error("no current session");
    return current.id;
  };
  const end = (token: string, id: string) =>
    harness.app.inject({ method: "DELETE", url: `/api/v1/me/sessions/${id}`, headers: bearer(token) });
  const status = async (token: string) => (await harness.app.inject({ url: "/api/v1/me", headers: bearer(token) })).statusCode;

  it("lists active sessions with device, browser, OS, IP and which one is current", async () => {
    const owner = await signUp(harness.app);
    const laptop = await logIn(owner.user.email, owner.password, CHROME_ON_MAC, "203.0.113.7");
    await logIn(owner.user.email, owner.password, SAFARI_ON_IPHONE, "2001:db8::1");

    const items = await list(laptop);
    expect(items).toHaveLength(3);
    expect(items.filter((item) => item.isCurrent)).toEqual([
      expect.objectContaining({ browser: "Chrome 120", os: "macOS Catalina", deviceType: "desktop", ip: "203.0.113.7" }),
    ]);
    expect(items).toContainEqual(
      expect.objectContaining({
        browser: "Safari 17",
        os: "iOS 17.1",
        device: "Apple iPhone",
        deviceType: "mobile",
        ip: "2001:db8::1",
        method: "password",
        workspaceId: owner.workspace.id,
        isCurrent: false,
      }),
    );
    for (const item of items) {
      expect(Date.parse(item.createdAt)).not.toBeNaN();
      expect(Date.parse(item.lastSeenAt)).not.toBeNaN();
    }
  });

  it("leaves out ended, expired and idle-timed-out sessions", async () => {
    const owner = await signUp(harness.app);
    const expiring = await logIn(owner.user.email, owner.password, CHROME_ON_MAC);
    const idle = await logIn(owner.user.email, owner.password, SAFARI_ON_IPHONE);
    const loggedOut = await logIn(owner.user.email, owner.password, "curl/8.0");
    const [expiringId, idleId] = [await sessionIdOf(expiring), await sessionIdOf(idle)];
    await harness.app.inject({ method: "POST", url: "/api/v1/auth/logout", headers: bearer(loggedOut) });
    await harness.database.pool.query("update sessions set expires_at = now() - interval '1 minute' where id = $1", [expiringId]);
    await harness.database.pool.query("update workspaces set session_idle_minutes = 30 where id = $1", [owner.workspace.id]);
    await harness.database.pool.query("update sessions set last_seen_at = now() - interval '2 hours' where id = $1", [idleId]);

    expect((await list(owner.token)).map((item) => item.isCurrent)).toEqual([true]);
  });

  it("ends one of your sessions and closes its sockets; another person's session id is not found", async () => {
    const owner = await signUp(harness.app);
    const stranger = await signUp(harness.app);
    const phone = await logIn(owner.user.email, owner.password, SAFARI_ON_IPHONE);
    const phoneId = await sessionIdOf(phone);
    const strangerId = await sessionIdOf(stranger.token);

    const crossUser = await end(owner.token, strangerId);
    expect(crossUser.statusCode).toBe(404);
    expect(crossUser.json().error.code).toBe("not_found");
    expect(await status(stranger.token)).toBe(200);
    expect((await end(stranger.token, phoneId)).statusCode).toBe(404);

    const socket = await connectAgent(baseUrl, { token: phone });
    const disconnected = nextEvent<string>(socket, "disconnect");
    try {
      expect((await end(owner.token, phoneId)).statusCode).toBe(204);
      expect(await disconnected).toBe("io server disconnect");
    } finally {
      socket.close();
    }
    expect(await status(phone)).toBe(401);
    expect(await status(owner.token)).toBe(200);
    expect((await end(owner.token, phoneId)).statusCode).toBe(404);
    expect((await end(owner.token, "not-a-uuid")).statusCode).toBe(400);

    const audited = await harness.database.pool.query(
      "select workspace_id, actor_id from audit_log where action = 'auth.session_ended' and target_id = $1",
      [phoneId],
    );
    expect(audited.rows).toEqual([{ workspace_id: owner.workspace.id, actor_id: owner.user.id }]);
  });

  it("logs out everywhere else, in every workspace, and keeps the current session", async () => {
    const owner = await signUp(harness.app);
    const other = await signUp(harness.app);
    const inOtherWorkspace = await joinWorkspace(harness, {
      userId: owner.user.id,
      workspaceId: other.workspace.id,
      roleKey: "agent",
    });
    const laptop = await logIn(owner.user.email, owner.password, CHROME_ON_MAC);
    const socket = await connectAgent(baseUrl, { token: inOtherWorkspace });
    const disconnected = nextEvent<string>(socket, "disconnect");
    try {
      const response = await harness.app.inject({
        method: "POST",
        url: "/api/v1/me/sessions/end-others",
        headers: bearer(laptop),
      });
      expect(response.statusCode).toBe(200);
      expect(response.json()).toEqual({ ended: 2 });
      expect(await disconnected).toBe("io server disconnect");
    } finally {
      socket.close();
    }
    expect(await status(laptop)).toBe(200);
    expect(await status(owner.token)).toBe(401);
    expect(await status(inOtherWorkspace)).toBe(401);
    expect(await status(other.token)).toBe(200);
    expect((await list(laptop)).length).toBe(1);

    const audited = await harness.database.pool.query(
      "select workspace_id from audit_log where action = 'auth.session_ended' and actor_id = $1 order by workspace_id",
      [owner.user.id],
    );
    expect(audited.rows.map((row) => row.workspace_id).sort()).toEqual([owner.workspace.id, other.workspace.id].sort());
  });

  it("is for people: an agent lists only their own sessions, an API key is refused", async () => {
    const owner = await signUp(harness.app);
    const agent = await signUp(harness.app);
    const agentToken = await joinWorkspace(harness, { userId: agent.user.id, workspaceId: owner.workspace.id, roleKey: "agent" });
    const items = await list(agentToken);
    expect(items.length).toBe(2);
    const ownerSessionId = await sessionIdOf(owner.token);
    expect(items.map((item) => item.id)).not.toContain(ownerSessionId);

    const key = newApiKey();
    await harness.database.pool.query(
      "insert into api_keys (id, workspace_id, name, prefix, key_hash, permissions) values (gen_random_uuid(), $1, 'ci', $2, $3, '{}')",
      [owner.workspace.id, key.prefix, key.keyHash],
    );
    for (const request of [
      { method: "GET" as const, url: "/api/v1/me/sessions" },
      { method: "POST" as const, url: "/api/v1/me/sessions/end-others" },
      { method: "DELETE" as const, url: `/api/v1/me/sessions/${ownerSessionId}` },
    ]) {
      const response = await harness.app.inject({ ...request, headers: bearer(key.key) });
      expect(response.statusCode, request.url).toBe(403);
      expect(response.json().error.code).toBe("forbidden");
    }
    expect(await status(owner.token)).toBe(200);
  });
});
