import { type TInvitation, type TRole, ZSessionResponse } from "@parley/shared";
import { and, eq, sql } from "drizzle-orm";
import type { InjectOptions } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditLog } from "../src/modules/audit/audit.tables.ts";
import { users } from "../src/modules/auth/auth.tables.ts";
import { invitations } from "../src/modules/members/invitations.tables.ts";
import type { Worker } from "../src/platform/queue/worker.ts";
import { bearer, joinWorkspace, signUp, startTestApp, startTestWorker, type TestApp } from "./helpers.ts";
import { linkIn, type MailCatcher, startMailCatcher } from "./mail-catcher.ts";

const ZERO_ID = "00000000-0000-4000-8000-000000000000";

/** What a person does with an invitation mail: open the accept link and read its token. */
const tokenFromLink = (link: string): string => {
  const url = new URL(link);
  expect(`${url.origin}${url.pathname}`).toBe("http://parley.test/accept-invitation");
  const token = url.searchParams.get("token");
  if (!token) throw new Error(`no token in ${link}`);
  return token;
};

const helpersFor = (harness: () => TestApp) => {
  const call = (token: string | null, method: InjectOptions["method"], url: string, payload?: object) =>
    harness().app.inject({
      method,
      url: `/api/v1${url}`,
      ...(token ? { headers: bearer(token) } : {}),
      ...(payload ? { payload } : {}),
    });
  const roleId = async (token: string, key: string): Promise<string> => {
    const roles: TRole[] = (await call(token, "GET", "/roles")).json().items;
    const role = roles.find((candidate) => candidate.key === key);
    if (!role) throw new Error(`no ${key} role`);
    return role.id;
  };
  const invite = async (token: string, payload: { email: string; roleId: string; teamIds?: string[] }): Promise<TInvitation> => {
    const response = await call(token, "POST", "/invitations", payload);
    expect(response.statusCode, response.body).toBe(201);
    return response.json();
  };
  /** The accept link of the newest invitation mail to `email`, read from the dev mailbox. */
  const latestLink = async (ownerToken: string, email: string): Promise<string> => {
    const mailbox = (await call(ownerToken, "GET", "/dev-mailbox")).json();
    const mail = mailbox.items.find((item: { to: string }) => item.to === email);
    if (!mail) throw new Error(`no mail to ${email}`);
    const link = /https?:\/\/\S+accept-invitation\S+/.exec(mail.text)?.[0];
    if (!link) throw new Error(`no accept link in ${mail.text}`);
    return link;
  };
  const auditEntries = (workspaceId: string, action: string) =>
    harness()
      .database.db.select()
      .from(auditLog)
      .where(and(eq(auditLog.workspaceId, workspaceId), eq(auditLog.action, action)));
  return { call, roleId, invite, latestLink, auditEntries };
};

describe("invitations delivered over SMTP", () => {
  let harness: TestApp;
  let catcher: MailCatcher;
  let worker: Worker;
  const { call, roleId, invite, auditEntries } = helpersFor(() => harness);
  beforeAll(async () => {
    catcher = await startMailCatcher();
    harness = await startTestApp({ env: { SMTP_URL: catcher.url } });
    worker = await startTestWorker(harness);
  });
  afterAll(async () => {
    await worker.stop();
    await harness.close();
    await catcher.close();
  });

  it("mails an accept link that a new person follows to create an account in the workspace, with role and teams", async () => {
    const owner = await signUp(harness.app, { name: "Olga Owner", workspaceName: "Acme Support" });
    const team = (await call(owner.token, "POST", "/teams", { name: "Billing" })).json();
    const email = `new-${Date.now()}@example.com`;
    const invitation = await invite(owner.token, {
      email: email.toUpperCase(),
      roleId: await roleId(owner.token, "supervisor"),
      teamIds: [team.id],
    });
    expect(invitation).toMatchObject({
      email,
      role: { key: "supervisor" },
      teams: [{ id: team.id, name: "Billing" }],
      status: "pending",
      invitedBy: { id: owner.user.id, name: "Olga Owner" },
      sendCount: 1,
      acceptedAt: null,
    });
    expect(Date.parse(invitation.expiresAt) - Date.now()).toBeGreaterThan(6.9 * 86_400_000);

    const mail = await catcher.waitFor((candidate) => candidate.to.includes(email));
    expect(mail.subject).toBe("Olga Owner invited you to Acme Support on Parley");
    expect(mail.text).toContain("as Supervisor");
    const token = tokenFromLink(linkIn(mail, "/accept-invitation"));

    // Only a hash of the token is stored.
    const [stored] = await harness.database.db.select().from(invitations).where(eq(invitations.id, invitation.id));
    expect(stored?.tokenHash).not.toContain(token);
    expect(JSON.stringify(stored)).not.toContain(token);

    const lookup = await call(null, "GET", `/invitations/lookup?token=${encodeURIComponent(token)}`);
    expect(lookup.statusCode).toBe(200);
    expect(lookup.json()).toEqual({
      workspaceName: "Acme Support",
      email,
      roleName: "Supervisor",
      isExistingUser: false,
      expiresAt: invitation.expiresAt,
    });

    const accepted = await call(null, "POST", "/invitations/accept", { token, name: "Nadia New", password: "a long passphrase" });
    expect(accepted.statusCode, accepted.body).toBe(200);
    const session = ZSessionResponse.parse(accepted.json());
    expect(session).toMatchObject({
      user: { name: "Nadia New", email, emailVerified: true },
      workspace: { id: owner.workspace.id },
      role: { key: "supervisor" },
    });
    expect(accepted.cookies.find((cookie) => cookie.name === "parley_session")).toMatchObject({
      value: session.token,
      httpOnly: true,
      sameSite: "Lax",
    });
    const me = (await call(session.token, "GET", "/me")).json();
    expect(me.workspace.id).toBe(owner.workspace.id);
    const detail = (await call(owner.token, "GET", `/teams/${team.id}`)).json();
    expect(detail.members.map((member: { email: string }) => member.email)).toEqual([email]);

    // She signs in later with the password she chose.
    const login = await call(null, "POST", "/auth/login", { email, password: "a long passphrase" });
    expect(login.statusCode).toBe(200);

    const list = (await call(owner.token, "GET", "/invitations")).json().items;
    expect(list[0]).toMatchObject({ id: invitation.id, status: "accepted", acceptedAt: expect.any(String) });
    expect(await auditEntries(owner.workspace.id, "invitation.created")).toHaveLength(1);
    expect((await auditEntries(owner.workspace.id, "invitation.accepted"))[0]).toMatchObject({
      actorId: session.user.id,
      targetId: invitation.id,
      after: { isNewAccount: true, role: "Supervisor", teams: ["Billing"] },
    });

    // The link works once.
    const replay = await call(null, "POST", "/invitations/accept", { token, name: "Mallory", password: "another long one" });
    expect(replay.statusCode).toBe(400);
    expect(replay.json().error.code).toBe("invalid_token");
    expect((await call(null, "GET", `/invitations/lookup?token=${encodeURIComponent(token)}`)).json().error.code).toBe(
      "invalid_token",
    );
  });

  it("resending mails a new link and kills the old one", async () => {
    const owner = await signUp(harness.app);
    const email = `resend-${Date.now()}@example.com`;
    const invitation = await invite(owner.token, { email, roleId: await roleId(owner.token, "agent") });
    const first = tokenFromLink(linkIn(await catcher.waitFor((mail) => mail.to.includes(email)), "/accept-invitation"));

    const tooSoon = await call(owner.token, "POST", `/invitations/${invitation.id}/resend`);
    expect(tooSoon.statusCode).toBe(429);
    expect(tooSoon.json().error.code).toBe("rate_limited");

    await harness.database.db
      .update(invitations)
      .set({ lastSentAt: sql`now() - interval '2 minutes'` })
      .where(eq(invitations.id, invitation.id));
    const resent = await call(owner.token, "POST", `/invitations/${invitation.id}/resend`);
    expect(resent.statusCode).toBe(200);
    expect(resent.json()).toMatchObject({ status: "pending", sendCount: 2 });

    const second = await catcher.waitFor((mail) => mail.to.includes(email) && !mail.text.includes(first));
    const secondToken = tokenFromLink(linkIn(second, "/accept-invitation"));
    expect(secondToken).not.toBe(first);
    expect((await call(null, "GET", `/invitations/lookup?token=${encodeURIComponent(first)}`)).json().error.code).toBe(
      "invalid_token",
    );
    const accepted = await call(null, "POST", "/invitations/accept", {
      token: secondToken,
      name: "Second Try",
      password: "a long passphrase",
    });
    expect(accepted.statusCode).toBe(200);
    expect(await auditEntries(owner.workspace.id, "invitation.resent")).toHaveLength(1);
  });
});

describe("invitations", () => {
  let harness: TestApp;
  const { call, roleId, invite, latestLink, auditEntries } = helpersFor(() => harness);
  beforeAll(async () => {
    harness = await startTestApp();
  });
  afterAll(async () => {
    await harness.close();
  });

  it("lets an existing account accept while signed in, and asks a signed-out one to sign in first", async () => {
    const owner = await signUp(harness.app, { workspaceName: "Host Co" });
    const existing = await signUp(harness.app, { name: "Erin Existing" });
    const stranger = await signUp(harness.app);
    await invite(owner.token, { email: existing.user.email, roleId: await roleId(owner.token, "admin") });
    const token = tokenFromLink(await latestLink(owner.token, existing.user.email));

    expect((await call(null, "GET", `/invitations/lookup?token=${encodeURIComponent(token)}`)).json()).toMatchObject({
      isExistingUser: true,
      roleName: "Admin",
      workspaceName: "Host Co",
    });

    const signedOut = await call(null, "POST", "/invitations/accept", { token });
    expect(signedOut.statusCode).toBe(401);
    expect(signedOut.json().error).toMatchObject({ code: "unauthorized", message: expect.stringContaining("sign in") });
    // Knowing the password is not enough: sign-in (with its second factor) must happen first.
    const withPassword = await call(null, "POST", "/invitations/accept", { token, name: "X", password: existing.password });
    expect(withPassword.statusCode).toBe(401);

    const wrongAccount = await call(stranger.token, "POST", "/invitations/accept", { token });
    expect(wrongAccount.statusCode).toBe(403);
    expect(wrongAccount.json().error.message).toContain(existing.user.email);

    const accepted = await call(existing.token, "POST", "/invitations/accept", { token });
    expect(accepted.statusCode, accepted.body).toBe(200);
    const session = ZSessionResponse.parse(accepted.json());
    expect(session).toMatchObject({
      user: { id: existing.user.id },
      workspace: { id: owner.workspace.id },
      role: { key: "admin" },
    });
    expect(session.token).not.toBe(existing.token);
    // Both workspaces are now theirs; the original session is untouched.
    const me = (await call(session.token, "GET", "/me")).json();
    expect(me.memberships.map((membership: { workspace: { id: string } }) => membership.workspace.id).sort()).toEqual(
      [existing.workspace.id, owner.workspace.id].sort(),
    );
    expect((await call(existing.token, "GET", "/me")).json().workspace.id).toBe(existing.workspace.id);
    expect((await auditEntries(owner.workspace.id, "invitation.accepted"))[0]?.after).toMatchObject({ isNewAccount: false });
  });

  it("accepts with the session cookie too, but not from another site", async () => {
    const owner = await signUp(harness.app);
    const existing = await signUp(harness.app);
    await invite(owner.token, { email: existing.user.email, roleId: await roleId(owner.token, "agent") });
    const token = tokenFromLink(await latestLink(owner.token, existing.user.email));
    const viaCookie = (origin: string) =>
      harness.app.inject({
        method: "POST",
        url: "/api/v1/invitations/accept",
        headers: { origin },
        cookies: { parley_session: existing.token },
        payload: { token },
      });
    const forged = await viaCookie("https://evil.example");
    expect(forged.statusCode).toBe(403);
    expect(forged.json().error.code).toBe("origin_not_allowed");
    const genuine = await viaCookie("http://parley.test");
    expect(genuine.statusCode).toBe(200);
    expect(genuine.json().workspace.id).toBe(owner.workspace.id);
  });

  it("refuses to invite existing members and replaces a pending invitation to the same address", async () => {
    const owner = await signUp(harness.app);
    const agentRole = await roleId(owner.token, "agent");
    const member = await signUp(harness.app);
    await joinWorkspace(harness, { userId: member.user.id, workspaceId: owner.workspace.id, roleKey: "agent" });
    const taken = await call(owner.token, "POST", "/invitations", { email: member.user.email.toUpperCase(), roleId: agentRole });
    expect(taken.statusCode).toBe(409);
    expect(taken.json().error.code).toBe("conflict");
    await call(owner.token, "POST", `/members/${member.user.id}/deactivate`);
    const deactivated = await call(owner.token, "POST", "/invitations", { email: member.user.email, roleId: agentRole });
    expect(deactivated.statusCode).toBe(409);
    expect(deactivated.json().error.message).toMatch(/reactivate/);

    const email = "twice@example.com";
    const first = await invite(owner.token, { email, roleId: agentRole });
    const firstToken = tokenFromLink(await latestLink(owner.token, email));
    const second = await invite(owner.token, { email, roleId: await roleId(owner.token, "supervisor") });
    const secondToken = tokenFromLink(await latestLink(owner.token, email));
    expect(secondToken).not.toBe(firstToken);
    expect((await call(null, "GET", `/invitations/lookup?token=${encodeURIComponent(firstToken)}`)).statusCode).toBe(400);
    expect((await call(null, "GET", `/invitations/lookup?token=${encodeURIComponent(secondToken)}`)).json().roleName).toBe(
      "Supervisor",
    );
    const list: TInvitation[] = (await call(owner.token, "GET", "/invitations")).json().items;
    expect(list.map((item) => [item.id, item.status])).toEqual([
      [second.id, "pending"],
      [first.id, "revoked"],
    ]);
    expect((await auditEntries(owner.workspace.id, "invitation.created"))[1]?.after).toMatchObject({
      replacedInvitationIds: [first.id],
    });
  });

  it("lets an invitation expire after its time, then revives it by resending", async () => {
    const owner = await signUp(harness.app);
    const email = "late@example.com";
    const invitation = await invite(owner.token, { email, roleId: await roleId(owner.token, "agent") });
    const token = tokenFromLink(await latestLink(owner.token, email));
    await harness.database.db
      .update(invitations)
      .set({ expiresAt: sql`now() - interval '1 minute'`, lastSentAt: sql`now() - interval '7 days'` })
      .where(eq(invitations.id, invitation.id));

    const lookup = await call(null, "GET", `/invitations/lookup?token=${encodeURIComponent(token)}`);
    expect(lookup.statusCode).toBe(400);
    expect(lookup.json().error.code).toBe("invalid_token");
    const accept = await call(null, "POST", "/invitations/accept", { token, name: "Late", password: "a long passphrase" });
    expect(accept.json().error.code).toBe("invalid_token");
    expect((await harness.database.db.select().from(users).where(eq(users.email, email))).length).toBe(0);
    expect(
      (await call(owner.token, "GET", "/invitations?status=expired")).json().items.map((item: TInvitation) => item.id),
    ).toEqual([invitation.id]);
    expect((await call(owner.token, "GET", "/invitations?status=pending")).json().items).toEqual([]);

    const resent = await call(owner.token, "POST", `/invitations/${invitation.id}/resend`);
    expect(resent.json()).toMatchObject({ status: "pending", sendCount: 2 });
    const fresh = tokenFromLink(await latestLink(owner.token, email));
    expect((await call(null, "GET", `/invitations/lookup?token=${encodeURIComponent(token)}`)).statusCode).toBe(400);
    expect((await call(null, "GET", `/invitations/lookup?token=${encodeURIComponent(fresh)}`)).statusCode).toBe(200);
  });

  it("revokes an invitation so its link stops working", async () => {
    const owner = await signUp(harness.app);
    const email = "revoked@example.com";
    const invitation = await invite(owner.token, { email, roleId: await roleId(owner.token, "agent") });
    const token = tokenFromLink(await latestLink(owner.token, email));
    expect((await call(owner.token, "DELETE", `/invitations/${invitation.id}`)).statusCode).toBe(204);
    const accept = await call(null, "POST", "/invitations/accept", { token, name: "Too Late", password: "a long passphrase" });
    expect(accept.statusCode).toBe(400);
    expect(accept.json().error.code).toBe("invalid_token");
    expect((await call(owner.token, "GET", "/invitations")).json().items[0]).toMatchObject({
      status: "revoked",
      revokedAt: expect.any(String),
    });
    expect((await call(owner.token, "POST", `/invitations/${invitation.id}/resend`)).statusCode).toBe(409);
    expect((await call(owner.token, "DELETE", `/invitations/${invitation.id}`)).statusCode).toBe(204);
    expect(await auditEntries(owner.workspace.id, "invitation.revoked")).toHaveLength(1);

    // An accepted invitation cannot be revoked: the member is removed instead.
    const other = await invite(owner.token, { email: "kept@example.com", roleId: await roleId(owner.token, "agent") });
    const keptToken = tokenFromLink(await latestLink(owner.token, "kept@example.com"));
    await call(null, "POST", "/invitations/accept", { token: keptToken, name: "Kept", password: "a long passphrase" });
    expect((await call(owner.token, "DELETE", `/invitations/${other.id}`)).statusCode).toBe(409);
  });

  it("validates what a new account needs and the workspace's password length", async () => {
    const owner = await signUp(harness.app);
    await harness.database.db.execute(sql`update workspaces set password_min_length = 14 where id = ${owner.workspace.id}`);
    const email = "fields@example.com";
    await invite(owner.token, { email, roleId: await roleId(owner.token, "agent") });
    const token = tokenFromLink(await latestLink(owner.token, email));

    const missing = await call(null, "POST", "/invitations/accept", { token });
    expect(missing.statusCode).toBe(400);
    expect(missing.json().error.details.map((detail: { path: string }) => detail.path)).toEqual(["body.name", "body.password"]);
    const short = await call(null, "POST", "/invitations/accept", { token, name: "Sam", password: "only12chars!" });
    expect(short.json().error).toMatchObject({ code: "validation_failed", details: [{ path: "body.password" }] });
    const common = await call(null, "POST", "/invitations/accept", { token, name: "Sam", password: "chickenwing101" });
    expect(common.json().error).toMatchObject({ code: "validation_failed", message: expect.stringContaining("common") });
    const tooShortForAnyone = await call(null, "POST", "/invitations/accept", { token, name: "Sam", password: "short" });
    expect(tooShortForAnyone.statusCode).toBe(400);
    const extra = await call(null, "POST", "/invitations/accept", {
      token,
      name: "Sam",
      password: "long enough pass",
      roleId: ZERO_ID,
    });
    expect(extra.statusCode).toBe(400);
    for (const bad of ["", "x".repeat(201)]) {
      expect((await call(null, "GET", `/invitations/lookup?token=${bad}`)).statusCode).toBe(400);
    }
    expect((await call(null, "GET", "/invitations/lookup?token=inv_forged")).json().error.code).toBe("invalid_token");
    // The invitation survived the failed attempts.
    expect(
      (await call(null, "POST", "/invitations/accept", { token, name: "Sam", password: "long enough pass" })).statusCode,
    ).toBe(200);
  });

  it("checks roles, teams and permissions when inviting", async () => {
    const owner = await signUp(harness.app);
    const other = await signUp(harness.app);
    const otherTeam = (await call(other.token, "POST", "/teams", { name: "Theirs" })).json();
    const agentRole = await roleId(owner.token, "agent");

    const foreignRole = await call(owner.token, "POST", "/invitations", {
      email: "a@example.com",
      roleId: await roleId(other.token, "agent"),
    });
    expect(foreignRole.statusCode).toBe(400);
    expect(foreignRole.json().error.details[0].path).toBe("body.roleId");
    const foreignTeam = await call(owner.token, "POST", "/invitations", {
      email: "a@example.com",
      roleId: agentRole,
      teamIds: [otherTeam.id],
    });
    expect(foreignTeam.statusCode).toBe(400);
    expect(foreignTeam.json().error.details).toEqual([
      { path: "body.teamIds", message: expect.any(String), value: otherTeam.id },
    ]);
    for (const payload of [
      { email: "not-an-email", roleId: agentRole },
      { email: "a@example.com" },
      { email: "a@example.com", roleId: agentRole, role: "x" },
    ]) {
      expect((await call(owner.token, "POST", "/invitations", payload)).statusCode).toBe(400);
    }

    const agent = await signUp(harness.app);
    const agentToken = await joinWorkspace(harness, { userId: agent.user.id, workspaceId: owner.workspace.id, roleKey: "agent" });
    const byAgent = await call(agentToken, "POST", "/invitations", { email: "b@example.com", roleId: agentRole });
    expect(byAgent.statusCode).toBe(403);
    expect((await call(agentToken, "GET", "/invitations")).statusCode).toBe(403);

    const admin = await signUp(harness.app);
    const adminToken = await joinWorkspace(harness, { userId: admin.user.id, workspaceId: owner.workspace.id, roleKey: "admin" });
    const asOwner = await call(adminToken, "POST", "/invitations", {
      email: "c@example.com",
      roleId: await roleId(owner.token, "owner"),
    });
    expect(asOwner.statusCode).toBe(403);
    expect((await call(adminToken, "POST", "/invitations", { email: "c@example.com", roleId: agentRole })).statusCode).toBe(201);
    expect((await call(owner.token, "GET", "/invitations")).json().items.map((item: TInvitation) => item.email)).toEqual([
      "c@example.com",
    ]);
  });

  it("answers 404 for another workspace's invitation and lists only its own", async () => {
    const alice = await signUp(harness.app);
    const bob = await signUp(harness.app);
    const bobs = await invite(bob.token, { email: "bobs-guest@example.com", roleId: await roleId(bob.token, "agent") });
    await harness.database.db
      .update(invitations)
      .set({ lastSentAt: sql`now() - interval '1 hour'` })
      .where(eq(invitations.id, bobs.id));
    for (const [method, url] of [
      ["POST", `/invitations/${bobs.id}/resend`],
      ["DELETE", `/invitations/${bobs.id}`],
      ["DELETE", `/invitations/${ZERO_ID}`],
    ] as const) {
      const response = await call(alice.token, method, url);
      expect(response.statusCode, `${method} ${url}`).toBe(404);
    }
    expect((await call(alice.token, "GET", "/invitations")).json().items).toEqual([]);
    expect((await call(bob.token, "GET", "/invitations")).json().items[0]).toMatchObject({
      id: bobs.id,
      status: "pending",
      sendCount: 1,
    });
  });
});

describe("invitation acceptance under brute force", () => {
  let harness: TestApp;
  beforeAll(async () => {
    harness = await startTestApp({ authRateLimitPerMinute: 3 });
  });
  afterAll(async () => {
    await harness.close();
  });

  it("rate-limits guessing tokens", async () => {
    const statuses: number[] = [];
    for (let attempt = 0; attempt < 5; attempt++) {
      const response = await harness.app.inject({
        method: "POST",
        url: "/api/v1/invitations/accept",
        remoteAddress: "203.0.113.9",
        payload: { token: `inv_guess${attempt}`, name: "Guess", password: "a long passphrase" },
      });
      statuses.push(response.statusCode);
    }
    expect(statuses).toEqual([400, 400, 400, 429, 429]);
    const lookups = [];
    for (let attempt = 0; attempt < 4; attempt++) {
      lookups.push(
        (await harness.app.inject({ url: `/api/v1/invitations/lookup?token=inv_guess${attempt}`, remoteAddress: "203.0.113.10" }))
          .statusCode,
      );
    }
    expect(lookups).toEqual([400, 400, 400, 429]);
  });
});
