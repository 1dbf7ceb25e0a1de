import { ZMeResponse } from "@parley/shared";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditLog } from "../src/modules/audit/audit.tables.ts";
import { sessions as authSessions, users } from "../src/modules/auth/auth.tables.ts";
import { ssoIdentities } from "../src/modules/sso/sso.tables.ts";
import { memberships, roles } from "../src/modules/workspaces/workspaces.tables.ts";
import { createBrowser, type TestBrowser } from "./fixtures/sso/browser.ts";
import { startOidcProvider, type TestOidcProvider } from "./fixtures/sso/oidc-idp.ts";
import { findFreePort } from "./free-port.ts";
import { bearer, joinWorkspace, signUp, startTestApp, type TestApp } from "./helpers.ts";

describe("OpenID Connect single sign-on against a real local provider", () => {
  let harness: TestApp;
  let idp: TestOidcProvider;
  let appBase: string;
  let owner: Awaited<ReturnType<typeof signUp>>;
  let agentRoleId: string;
  let connectionId: string;

  beforeAll(async () => {
    // The provider redirects the browser to PUBLIC_URL, so the app listens where PUBLIC_URL says.
    // The port is chosen before listening; if another process takes it meanwhile, try another.
    for (let attempt = 1; ; attempt++) {
      const appPort = await findFreePort();
      appBase = `http://127.0.0.1:${appPort}`;
      idp = await startOidcProvider({ redirectUri: `${appBase}/api/v1/auth/sso/oidc/callback` });
      harness = await startTestApp({ env: { PUBLIC_URL: appBase } });
      try {
        await harness.app.listen({ port: appPort, host: "127.0.0.1" });
        break;
      } catch (error) {
        await harness.close();
        await idp.close();
        const isTaken = error instanceof Error && "code" in error && error.code === "EADDRINUSE";
        if (!isTaken || attempt >= 5) throw error;
      }
    }

    owner = await signUp(harness.app);
    const [agentRole] = await harness.database.db
      .select()
      .from(roles)
      .where(and(eq(roles.workspaceId, owner.workspace.id), eq(roles.key, "agent")));
    if (!agentRole) throw new Error("no agent role");
    agentRoleId = agentRole.id;
    const created = await harness.app.inject({
      method: "POST",
      url: "/api/v1/sso/connections",
      headers: bearer(owner.token),
      payload: {
        protocol: "oidc",
        provider: "generic",
        name: "Acme ID",
        issuer: idp.issuer,
        clientId: idp.clientId,
        clientSecret: idp.clientSecret,
        domains: ["acme-oidc.test"],
        defaultRoleId: agentRoleId,
      },
    });
    expect(created.statusCode, created.body).toBe(201);
    const connection = created.json();
    expect(connection.oidc).toEqual({
      issuer: idp.issuer,
      clientId: idp.clientId,
      hasClientSecret: true,
      redirectUri: `${appBase}/api/v1/auth/sso/oidc/callback`,
    });
    expect(created.body).not.toContain(idp.clientSecret);
    connectionId = connection.id;
  });
  afterAll(async () => {
    await harness?.close();
    await idp?.close();
  });

  const isAppPage = (url: URL) => url.origin === appBase && !url.pathname.startsWith("/api/");
  const isCallback = (url: URL) => url.origin === appBase && url.pathname === "/api/v1/auth/sso/oidc/callback";
  const startUrl = (redirectTo = "/inbox") =>
    `${appBase}/api/v1/auth/sso/${connectionId}/start?redirectTo=${encodeURIComponent(redirectTo)}`;

  const signIn = async (browser: TestBrowser, subject: string, redirectTo = "/inbox") => {
    idp.signInAs(subject);
    const { url } = await browser.navigate(startUrl(redirectTo), isAppPage);
    return url;
  };

  const ssoErrorOf = (url: URL) => {
    expect(url.origin + url.pathname).toBe(`${appBase}/login`);
    return url.searchParams.get("sso_error");
  };

  const me = async (browser: TestBrowser) => {
    const token = browser.cookie(appBase, "parley_session");
    expect(token, "the sign-in set no session cookie").toBeDefined();
    const response = await fetch(`${appBase}/api/v1/me`, { headers: { cookie: `parley_session=${token}` } });
    expect(response.status).toBe(200);
    return ZMeResponse.parse(await response.json());
  };

  const usersWithEmail = (email: string) => harness.database.db.select().from(users).where(eq(users.email, email));

  it("creates a new person just in time with the default role, and a second sign-in finds the same user", async () => {
    idp.accounts.set("oidc-jo", { email: "jo@acme-oidc.test", email_verified: true, name: "Jo Oidc" });
    const browser = createBrowser();
    const landed = await signIn(browser, "oidc-jo", "/inbox?view=mine");
    expect(landed.href).toBe(`${appBase}/inbox?view=mine`);
    expect(browser.cookie(appBase, "parley_sso_state")).toBeUndefined();
    const first = await me(browser);
    expect(first).toMatchObject({
      user: { email: "jo@acme-oidc.test", name: "Jo Oidc", emailVerified: true, twoFactorEnabled: false },
      workspace: { id: owner.workspace.id },
      role: { id: agentRoleId, key: "agent" },
    });
    const [created] = await usersWithEmail("jo@acme-oidc.test");
    expect(created?.passwordHash).toBeNull();

    const later = createBrowser();
    expect((await signIn(later, "oidc-jo")).href).toBe(`${appBase}/inbox`);
    expect((await me(later)).user.id).toBe(first.user.id);
    expect(await usersWithEmail("jo@acme-oidc.test")).toHaveLength(1);
    const identities = await harness.database.db.select().from(ssoIdentities).where(eq(ssoIdentities.userId, first.user.id));
    expect(identities).toEqual([expect.objectContaining({ connectionId, subject: "oidc-jo" })]);
    const memberRows = await harness.database.db.select().from(memberships).where(eq(memberships.userId, first.user.id));
    expect(memberRows).toHaveLength(1);

    const audit = await harness.database.db.select().from(auditLog).where(eq(auditLog.targetId, first.user.id));
    const actions = audit.map((entry) => entry.action);
    expect(actions.filter((action) => action === "member.joined_by_sso")).toHaveLength(1);
    expect(actions.filter((action) => action === "sso.signed_in")).toHaveLength(2);
    const sessions = await harness.database.db.select().from(authSessions).where(eq(authSessions.userId, first.user.id));
    expect(sessions.map((session) => session.method)).toEqual(["sso", "sso"]);
  });

  it("links an existing member of the workspace by email and keeps their role", async () => {
    const sam = await signUp(harness.app, { email: "sam@acme-oidc.test" });
    await joinWorkspace(harness, { userId: sam.user.id, workspaceId: owner.workspace.id, roleKey: "supervisor" });
    idp.accounts.set("oidc-sam", { email: "sam@acme-oidc.test", email_verified: true, name: "Sam" });
    const browser = createBrowser();
    expect((await signIn(browser, "oidc-sam")).href).toBe(`${appBase}/inbox`);
    expect(await me(browser)).toMatchObject({
      user: { id: sam.user.id },
      workspace: { id: owner.workspace.id },
      role: { key: "supervisor" },
    });
    const identities = await harness.database.db.select().from(ssoIdentities).where(eq(ssoIdentities.userId, sam.user.id));
    expect(identities).toHaveLength(1);
  });

  it("never hands the provider an account that exists only outside the workspace", async () => {
    const lee = await signUp(harness.app, { email: "lee@acme-oidc.test" });
    idp.accounts.set("oidc-lee", { email: "lee@acme-oidc.test", email_verified: true, name: "Lee" });
    const browser = createBrowser();
    expect(ssoErrorOf(await signIn(browser, "oidc-lee"))).toBe("account_not_linkable");
    expect(browser.cookie(appBase, "parley_session")).toBeUndefined();
    expect(await harness.database.db.select().from(ssoIdentities).where(eq(ssoIdentities.userId, lee.user.id))).toHaveLength(0);
  });

  it("refuses a tampered state, a callback carried to another browser, and a callback used twice", async () => {
    idp.accounts.set("oidc-kim", { email: "kim@acme-oidc.test", email_verified: true, name: "Kim" });
    const browser = createBrowser();
    idp.signInAs("oidc-kim");
    const { url: callback } = await browser.navigate(startUrl(), isCallback);
    expect(callback.searchParams.get("code")).toBeTruthy();

    // Login CSRF: the callback only completes in the browser that started the sign-in.
    const otherBrowser = createBrowser();
    expect(ssoErrorOf((await otherBrowser.navigate(callback.href, isAppPage)).url)).toBe("invalid_state");
    expect(otherBrowser.cookie(appBase, "parley_session")).toBeUndefined();

    const tampered = new URL(callback);
    tampered.searchParams.set("state", `${callback.searchParams.get("state")}x`);
    expect(ssoErrorOf((await browser.navigate(tampered.href, isAppPage)).url)).toBe("invalid_state");
    expect(browser.cookie(appBase, "parley_session")).toBeUndefined();
    expect(await usersWithEmail("kim@acme-oidc.test")).toHaveLength(0);

    const honest = createBrowser();
    idp.signInAs("oidc-kim");
    const { url: honestCallback } = await honest.navigate(startUrl(), isCallback);
    const stateCookie = honest.cookie(appBase, "parley_sso_state");
    expect((await honest.navigate(honestCallback.href, isAppPage)).url.href).toBe(`${appBase}/inbox`);
    // Replaying the same callback, even with the state cookie put back, finds the state used.
    const replay = await fetch(honestCallback, {
      redirect: "manual",
      headers: { cookie: `parley_sso_state=${stateCookie}` },
    });
    expect(replay.status).toBe(302);
    expect(ssoErrorOf(new URL(String(replay.headers.get("location"))))).toBe("invalid_state");
  });

  it("refuses an ID token issued for another audience", async () => {
    idp.accounts.set("oidc-eve", { email: "eve@acme-oidc.test", email_verified: true, name: "Eve" });
    idp.setIdTokenAudience("another-app");
    try {
      const browser = createBrowser();
      expect(ssoErrorOf(await signIn(browser, "oidc-eve"))).toBe("invalid_token");
      expect(browser.cookie(appBase, "parley_session")).toBeUndefined();
    } finally {
      idp.setIdTokenAudience(null);
    }
    expect(await usersWithEmail("eve@acme-oidc.test")).toHaveLength(0);
    // Re-signed the same way but for this client, the token is accepted: the audience was the only fault.
    idp.setIdTokenAudience(idp.clientId);
    try {
      expect((await signIn(createBrowser(), "oidc-eve")).href).toBe(`${appBase}/inbox`);
    } finally {
      idp.setIdTokenAudience(null);
    }
  });

  it("refuses unverified emails and emails outside the connection's domains", async () => {
    idp.accounts.set("oidc-unverified", { email: "new@acme-oidc.test", email_verified: false, name: "New" });
    expect(ssoErrorOf(await signIn(createBrowser(), "oidc-unverified"))).toBe("email_not_verified");
    idp.accounts.set("oidc-outsider", { email: "someone@elsewhere.test", email_verified: true, name: "Out" });
    expect(ssoErrorOf(await signIn(createBrowser(), "oidc-outsider"))).toBe("domain_not_allowed");
    expect(await usersWithEmail("new@acme-oidc.test")).toHaveLength(0);
    expect(await usersWithEmail("someone@elsewhere.test")).toHaveLength(0);
  });

  it("only redirects to paths on this site after signing in", async () => {
    for (const redirectTo of ["//evil.example/inbox", "https://evil.example", "/\\evil.example", "inbox"]) {
      const response = await harness.app.inject({
        method: "GET",
        url: `/api/v1/auth/sso/${connectionId}/start?redirectTo=${encodeURIComponent(redirectTo)}`,
      });
      expect(response.statusCode, redirectTo).toBe(400);
      expect(response.json().error.code).toBe("validation_failed");
    }
    const start = await harness.app.inject({ method: "GET", url: `/api/v1/auth/sso/${connectionId}/start` });
    expect(start.statusCode).toBe(302);
    const authorize = new URL(String(start.headers.location));
    expect(authorize.origin).toBe(idp.issuer);
    expect(Object.fromEntries(authorize.searchParams)).toMatchObject({
      client_id: idp.clientId,
      response_type: "code",
      redirect_uri: `${appBase}/api/v1/auth/sso/oidc/callback`,
      code_challenge_method: "S256",
      scope: "openid email profile",
    });
    expect(authorize.searchParams.get("state")).toBeTruthy();
    expect(authorize.searchParams.get("nonce")).toBeTruthy();
    expect(authorize.searchParams.get("code_challenge")).toBeTruthy();
  });
});
