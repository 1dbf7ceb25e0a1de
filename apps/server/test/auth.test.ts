import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bearer, signUp, startTestApp, type TestApp } from "./helpers.ts";

describe("signup, login, me and logout", () => {
  let harness: TestApp;
  beforeAll(async () => {
    harness = await startTestApp();
  });
  afterAll(async () => {
    await harness.close();
  });

  it("signs a new user up as owner of a new workspace and returns a working session", async () => {
    const response = await harness.app.inject({
      method: "POST",
      url: "/api/v1/auth/signup",
      payload: { name: "Ada Owner", email: "Ada@Example.com", password: "a long enough password", workspaceName: "Ada's Shop" },
    });
    expect(response.statusCode).toBe(201);
    const session = response.json();
    expect(session).toMatchObject({
      role: { key: "owner", name: "Owner" },
      user: { name: "Ada Owner", email: "ada@example.com", emailVerified: false, twoFactorEnabled: false },
      workspace: { name: "Ada's Shop" },
    });
    expect(session.permissions).toEqual(expect.arrayContaining(["members.manage", "billing.manage", "audit.view"]));
    expect(session.token).toMatch(/^pst_/);
    const cookie = response.cookies.find((candidate) => candidate.name === "parley_session");
    expect(cookie).toMatchObject({ value: session.token, httpOnly: true, sameSite: "Lax", path: "/" });

    const me = await harness.app.inject({ method: "GET", url: "/api/v1/me", headers: bearer(session.token) });
    expect(me.statusCode).toBe(200);
    expect(me.json()).toMatchObject({
      user: { email: "ada@example.com" },
      workspace: { id: session.workspace.id },
      role: { key: "owner" },
      restriction: null,
      isPlatformAdmin: false,
      memberships: [{ workspace: { id: session.workspace.id }, role: { key: "owner" } }],
    });
  });

  it("accepts the session cookie instead of a bearer token", async () => {
    const session = await signUp(harness.app);
    const me = await harness.app.inject({ method: "GET", url: "/api/v1/me", cookies: { parley_session: session.token } });
    expect(me.statusCode).toBe(200);
    expect(me.json().user.id).toBe(session.user.id);
  });

  it("refuses a second account for the same email, whatever its case", async () => {
    const first = await signUp(harness.app);
    const response = await harness.app.inject({
      method: "POST",
      url: "/api/v1/auth/signup",
      payload: {
        name: "Copy",
        email: first.user.email.toUpperCase(),
        password: "another long password",
        workspaceName: "Copy Co",
      },
    });
    expect(response.statusCode).toBe(409);
    expect(response.json().error).toMatchObject({ code: "email_taken", details: [{ path: "email" }] });
  });

  it("logs in with the right password and gives one answer for wrong password and unknown email", async () => {
    const user = await signUp(harness.app);
    const login = await harness.app.inject({
      method: "POST",
      url: "/api/v1/auth/login",
      payload: { email: user.user.email, password: user.password },
    });
    expect(login.statusCode).toBe(200);
    expect(login.json()).toMatchObject({
      user: { id: user.user.id },
      workspace: { id: user.workspace.id },
      role: { key: "owner" },
    });

    const wrongPassword = await harness.app.inject({
      method: "POST",
      url: "/api/v1/auth/login",
      payload: { email: user.user.email, password: "not the password" },
    });
    const unknownEmail = await harness.app.inject({
      method: "POST",
      url: "/api/v1/auth/login",
      payload: { email: "nobody-here@example.com", password: "not the password" },
    });
    expect(wrongPassword.statusCode).toBe(401);
    expect(unknownEmail.statusCode).toBe(401);
    expect(wrongPassword.json()).toEqual(unknownEmail.json());
    expect(wrongPassword.json().error.code).toBe("invalid_credentials");
  });

  it("ends the session on logout: the token stops working", async () => {
    const user = await signUp(harness.app);
    const logout = await harness.app.inject({ method: "POST", url: "/api/v1/auth/logout", headers: bearer(user.token) });
    expect(logout.statusCode).toBe(204);
    const me = await harness.app.inject({ method: "GET", url: "/api/v1/me", headers: bearer(user.token) });
    expect(me.statusCode).toBe(401);
    expect(me.json().error.code).toBe("unauthorized");
  });

  it("rejects missing, malformed and forged tokens with 401", async () => {
    for (const headers of [
      {},
      { authorization: "Bearer" },
      { authorization: "Basic abc" },
      bearer("pst_forged"),
      bearer("x".repeat(5000)),
    ]) {
      const response = await harness.app.inject({ method: "GET", url: "/api/v1/me", headers });
      expect(response.statusCode).toBe(401);
      expect(response.json().error.code).toBe("unauthorized");
    }
  });

  it("refuses cookie-authenticated changes from another site's origin", async () => {
    const user = await signUp(harness.app);
    const response = await harness.app.inject({
      method: "POST",
      url: "/api/v1/auth/logout",
      cookies: { parley_session: user.token },
      headers: { origin: "https://evil.example" },
    });
    expect(response.statusCode).toBe(403);
    expect(response.json().error.code).toBe("origin_not_allowed");
    const stillSignedIn = await harness.app.inject({ method: "GET", url: "/api/v1/me", headers: bearer(user.token) });
    expect(stillSignedIn.statusCode).toBe(200);
  });

  it("reports every invalid signup field with its path", async () => {
    const response = await harness.app.inject({
      method: "POST",
      url: "/api/v1/auth/signup",
      payload: { name: "", email: "not-an-email", password: "short", workspaceName: "   " },
    });
    expect(response.statusCode).toBe(400);
    const { error } = response.json();
    expect(error.code).toBe("validation_failed");
    const paths = error.details.map((detail: { path: string }) => detail.path).sort();
    expect(paths).toEqual(["body.email", "body.name", "body.password", "body.workspaceName"]);
  });
});

describe("brute-force protection", () => {
  let harness: TestApp;
  beforeAll(async () => {
    harness = await startTestApp({ authRateLimitPerMinute: 3 });
  });
  afterAll(async () => {
    await harness.close();
  });

  it("answers 429 with a retry hint once an IP exceeds the login limit", async () => {
    const attempt = () =>
      harness.app.inject({
        method: "POST",
        url: "/api/v1/auth/login",
        payload: { email: "x@example.com", password: "guess guess" },
      });
    const statuses = [];
    for (let index = 0; index < 4; index++) statuses.push((await attempt()).statusCode);
    expect(statuses).toEqual([401, 401, 401, 429]);
    const limited = await attempt();
    expect(limited.json().error.code).toBe("rate_limited");
    expect(limited.headers["retry-after"]).toBeDefined();
  });
});
