import { eq } from "drizzle-orm";
import { generate } from "otplib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newApiKey } from "../src/modules/api-keys/api-key-auth.ts";
import { apiKeys } from "../src/modules/api-keys/api-keys.tables.ts";
import { sessions, users } from "../src/modules/auth/auth.tables.ts";
import { hashToken } from "../src/modules/auth/session-token.ts";
import { workspaces } from "../src/modules/workspaces/workspaces.tables.ts";
import { bearer, connectAgent, joinWorkspace, signUp, startTestApp, type TestApp } from "./helpers.ts";

const minutesAgo = (minutes: number) => new Date(Date.now() - minutes * 60_000);

/** The current code of an authenticator app, away from the end of a 30-second step. */
const currentCode = async (secret: string): Promise<string> => {
  if ((Date.now() / 1000) % 30 > 28.5) await new Promise((resolve) => setTimeout(resolve, 1_600));
  return generate({ secret });
};

describe("workspace session and network policies", () => {
  let harness: TestApp;
  let baseUrl: string;
  beforeAll(async () => {
    harness = await startTestApp();
    baseUrl = await harness.listen();
  });
  afterAll(async () => {
    await harness.close();
  });

  const request = (token: string, url: string, remoteAddress?: string) =>
    harness.app.inject({ url: `/api/v1${url}`, headers: bearer(token), ...(remoteAddress ? { remoteAddress } : {}) });
  const patchSecurity = (token: string, payload: Record<string, unknown>, remoteAddress?: string) =>
    harness.app.inject({
      method: "PATCH",
      url: "/api/v1/workspaces/current/security",
      headers: bearer(token),
      payload,
      ...(remoteAddress ? { remoteAddress } : {}),
    });
  const post = (token: string, url: string, payload?: Record<string, unknown>) =>
    harness.app.inject({ method: "POST", url: `/api/v1${url}`, headers: bearer(token), ...(payload ? { payload } : {}) });

  /** A password sign-in, as opposed to the signup session: password expiry applies to these. */
  const logIn = async (account: { user: { email: string }; password: string }): Promise<string> => {
    const response = await harness.app.inject({
      method: "POST",
      url: "/api/v1/auth/login",
      payload: { email: account.user.email, password: account.password },
    });
    expect(response.statusCode).toBe(200);
    return response.json().token;
  };

  const sessionRow = async (token: string) => {
    const [row] = await harness.database.db
      .select()
      .from(sessions)
      .where(eq(sessions.tokenHash, hashToken(token)));
    if (!row) throw new Error("no session row");
    return row;
  };

  const setSession = (token: string, values: Partial<typeof sessions.$inferInsert>) =>
    harness.database.db
      .update(sessions)
      .set(values)
      .where(eq(sessions.tokenHash, hashToken(token)));

  it("ends a session left idle longer than the workspace allows", async () => {
    const owner = await signUp(harness.app);
    expect((await patchSecurity(owner.token, { sessionIdleMinutes: 30 })).statusCode).toBe(200);
    const idle = await logIn(owner);
    const active = await logIn(owner);
    await setSession(idle, { lastSeenAt: minutesAgo(31) });
    await setSession(active, { lastSeenAt: minutesAgo(29) });

    const refused = await request(idle, "/me");
    expect(refused.statusCode).toBe(401);
    expect(refused.json().error.code).toBe("unauthorized");
    expect(await sessionRow(idle)).toMatchObject({ revokedReason: "idle_timeout", revokedAt: expect.any(Date) });
    // Ended for good: a later request is refused even though the session is no longer "idle".
    await setSession(idle, { lastSeenAt: new Date() });
    expect((await request(idle, "/me")).statusCode).toBe(401);

    expect((await request(active, "/me")).statusCode).toBe(200);
    expect((await sessionRow(active)).lastSeenAt.getTime()).toBeGreaterThan(minutesAgo(1).getTime());
  });

  it("ends a session older than the absolute limit, however active", async () => {
    const owner = await signUp(harness.app);
    expect((await patchSecurity(owner.token, { sessionAbsoluteHours: 1 })).statusCode).toBe(200);
    const old = await logIn(owner);
    const young = await logIn(owner);
    await setSession(old, { createdAt: minutesAgo(61), lastSeenAt: new Date() });
    await setSession(young, { createdAt: minutesAgo(59) });

    expect((await request(old, "/me")).statusCode).toBe(401);
    expect((await sessionRow(old)).revokedReason).toBe("absolute_timeout");
    expect((await request(young, "/me")).statusCode).toBe(200);
  });

  it("admits only allowlisted IPv4 addresses, including IPv4-mapped IPv6 forms, and guards against self-lockout", async () => {
    const owner = await signUp(harness.app);
    const lockout = await patchSecurity(owner.token, { ipAllowlist: ["10.0.0.0/8"] });
    expect(lockout.statusCode).toBe(409);
    expect(lockout.json().error).toMatchObject({ code: "lockout_risk", details: { ip: "127.0.0.1" } });
    expect(lockout.json().error.message).toContain("127.0.0.1");
    expect((await request(owner.token, "/me")).statusCode).toBe(200);

    const saved = await patchSecurity(owner.token, { ipAllowlist: ["10.0.0.0/8"] }, "10.1.2.3");
    expect(saved.statusCode).toBe(200);

    const outside = await request(owner.token, "/me");
    expect(outside.statusCode).toBe(403);
    expect(outside.json().error.code).toBe("ip_not_allowed");
    expect((await request(owner.token, "/me", "10.200.0.1")).statusCode).toBe(200);
    expect((await request(owner.token, "/me", "::ffff:10.1.2.3")).statusCode).toBe(200);
    expect((await request(owner.token, "/me", "::ffff:192.168.1.1")).statusCode).toBe(403);
    expect((await request(owner.token, "/me", "2001:db8::1")).statusCode).toBe(403);
    // The refusal does not end the session: back inside the range, it works.
    expect((await sessionRow(owner.token)).revokedAt).toBeNull();

    // Emptying the list from an allowed address lets everyone in again.
    expect((await patchSecurity(owner.token, { ipAllowlist: [] }, "10.1.2.3")).statusCode).toBe(200);
    expect((await request(owner.token, "/me")).statusCode).toBe(200);
  });

  it("matches IPv6 ranges and single addresses", async () => {
    const owner = await signUp(harness.app);
    const lockout = await patchSecurity(owner.token, { ipAllowlist: ["2001:db8::/32"] }, "2001:db9::1");
    expect(lockout.json().error.code).toBe("lockout_risk");
    const saved = await patchSecurity(owner.token, { ipAllowlist: ["2001:db8::/32", "192.0.2.10"] }, "2001:db8::1");
    expect(saved.statusCode).toBe(200);
    expect((await request(owner.token, "/me", "2001:db8:abcd::5")).statusCode).toBe(200);
    expect((await request(owner.token, "/me", "192.0.2.10")).statusCode).toBe(200);
    expect((await request(owner.token, "/me", "::ffff:192.0.2.10")).statusCode).toBe(200);
    for (const address of ["2001:db9::1", "192.0.2.11", "127.0.0.1"]) {
      const response = await request(owner.token, "/me", address);
      expect(response.statusCode, address).toBe(403);
      expect(response.json().error.code).toBe("ip_not_allowed");
    }
  });

  it("applies the allowlist to API keys, including the lockout guard", async () => {
    const owner = await signUp(harness.app);
    const key = newApiKey();
    await harness.database.db.insert(apiKeys).values({
      workspaceId: owner.workspace.id,
      name: "ops",
      prefix: key.prefix,
      keyHash: key.keyHash,
      permissions: ["settings.manage", "security.manage"],
    });
    expect((await patchSecurity(key.key, { ipAllowlist: ["203.0.113.0/24"] }, "198.51.100.1")).json().error.code).toBe(
      "lockout_risk",
    );
    expect((await patchSecurity(key.key, { ipAllowlist: ["203.0.113.0/24"] }, "203.0.113.9")).statusCode).toBe(200);

    const outside = await request(key.key, "/workspaces/current/settings", "198.51.100.1");
    expect(outside.statusCode).toBe(403);
    expect(outside.json().error.code).toBe("ip_not_allowed");
    expect((await request(key.key, "/workspaces/current/settings", "203.0.113.200")).statusCode).toBe(200);
    // The key's last-used address records only admitted requests.
    const [stored] = await harness.database.db.select().from(apiKeys).where(eq(apiKeys.keyHash, key.keyHash));
    expect(stored?.lastUsedIp).toBe("203.0.113.200");
  });

  it("refuses a socket handshake from an address outside the allowlist", async () => {
    const owner = await signUp(harness.app);
    const allowed = await connectAgent(baseUrl, { token: owner.token });
    allowed.close();
    await harness.database.db
      .update(workspaces)
      .set({ ipAllowlist: ["10.0.0.0/8"] })
      .where(eq(workspaces.id, owner.workspace.id));
    await expect(connectAgent(baseUrl, { token: owner.token })).rejects.toMatchObject({ data: { code: "ip_not_allowed" } });
  });

  it("sends a member whose password expired to change it, while /me still answers", async () => {
    const owner = await signUp(harness.app);
    expect((await patchSecurity(owner.token, { passwordExpiryDays: 30 })).statusCode).toBe(200);
    const token = await logIn(owner);
    expect((await request(token, "/workspaces/current")).statusCode).toBe(200);

    await harness.database.db
      .update(users)
      .set({ passwordChangedAt: new Date(Date.now() - 31 * 86_400_000) })
      .where(eq(users.id, owner.user.id));
    const refused = await request(token, "/workspaces/current");
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error.code).toBe("password_change_required");
    const me = await request(token, "/me");
    expect(me.statusCode).toBe(200);
    expect(me.json().restriction).toBe("password_change_required");

    // Lifting the policy frees the session.
    expect((await patchSecurity(owner.token, { passwordExpiryDays: null })).statusCode).toBe(200);
    expect((await request(token, "/workspaces/current")).statusCode).toBe(200);
  });

  it("requires 2FA: members without it must enrol, then the same session works; disabling restricts it again", async () => {
    const owner = await signUp(harness.app);
    const refused = await patchSecurity(owner.token, { requireTwoFactor: true });
    expect(refused.statusCode).toBe(409);
    expect(refused.json().error).toMatchObject({ code: "lockout_risk", message: expect.stringMatching(/two-factor/i) });
    expect((await request(owner.token, "/workspaces/current/security")).json().requireTwoFactor).toBe(false);

    const ownerSecret = (await post(owner.token, "/me/two-factor/enrol")).json().secret;
    expect((await post(owner.token, "/me/two-factor/confirm", { code: await currentCode(ownerSecret) })).statusCode).toBe(200);
    expect((await patchSecurity(owner.token, { requireTwoFactor: true })).statusCode).toBe(200);
    expect((await request(owner.token, "/workspaces/current")).statusCode).toBe(200);

    const agent = await signUp(harness.app);
    const agentToken = await joinWorkspace(harness, { userId: agent.user.id, workspaceId: owner.workspace.id, roleKey: "agent" });
    for (const url of ["/workspaces/current", "/workspaces/current/settings"]) {
      const response = await request(agentToken, url);
      expect(response.statusCode, url).toBe(403);
      expect(response.json().error.code).toBe("two_factor_enrolment_required");
    }
    const me = await request(agentToken, "/me");
    expect(me.statusCode).toBe(200);
    expect(me.json().restriction).toBe("two_factor_enrolment_required");
    expect((await request(agentToken, "/me/two-factor")).json()).toEqual({ enabled: false, backupCodesRemaining: 0 });
    // The agent's own workspace does not require 2FA: the restriction is per workspace.
    expect((await request(agent.token, "/workspaces/current")).statusCode).toBe(200);

    const enrolment = await post(agentToken, "/me/two-factor/enrol");
    expect(enrolment.statusCode).toBe(200);
    const confirmed = await post(agentToken, "/me/two-factor/confirm", { code: await currentCode(enrolment.json().secret) });
    expect(confirmed.statusCode).toBe(200);
    expect((await request(agentToken, "/workspaces/current")).statusCode).toBe(200);
    expect((await request(agentToken, "/me")).json().restriction).toBeNull();

    const disabled = await post(agentToken, "/me/two-factor/disable", { password: agent.password });
    expect(disabled.statusCode).toBe(200);
    const again = await request(agentToken, "/workspaces/current");
    expect(again.statusCode).toBe(403);
    expect(again.json().error.code).toBe("two_factor_enrolment_required");

    // Turning the requirement off releases the restricted session.
    expect((await patchSecurity(owner.token, { requireTwoFactor: false })).statusCode).toBe(200);
    expect((await request(agentToken, "/workspaces/current")).statusCode).toBe(200);
  });

  it("lets an API key require 2FA: a key has no second factor to lose", async () => {
    const owner = await signUp(harness.app);
    const key = newApiKey();
    await harness.database.db.insert(apiKeys).values({
      workspaceId: owner.workspace.id,
      name: "policy bot",
      prefix: key.prefix,
      keyHash: key.keyHash,
      permissions: ["security.manage"],
    });
    expect((await patchSecurity(key.key, { requireTwoFactor: true })).statusCode).toBe(200);
    expect((await request(key.key, "/workspaces/current/security")).statusCode).toBe(200);
    expect((await request(owner.token, "/workspaces/current")).json().error.code).toBe("two_factor_enrolment_required");
  });
});
