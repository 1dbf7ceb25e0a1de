import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditLog } from "../src/modules/audit/audit.tables.ts";
import { ssoConnections } from "../src/modules/sso/sso.tables.ts";
import { roles } from "../src/modules/workspaces/workspaces.tables.ts";
import { startDiscoveryStub } from "./fixtures/sso/discovery-stub.ts";
import { createSigningKey, type SigningKey } from "./fixtures/sso/test-keys.ts";
import { findFreePort } from "./free-port.ts";
import { bearer, joinWorkspace, signUp, startTestApp, type TestApp } from "./helpers.ts";

const PUBLIC_URL = "http://parley.test";
const GOOGLE_SECRET = "GOCSPX-google-client-secret-value";
const OIDC_SECRET = "generic-oidc-client-secret-value";

describe("single sign-on connections, discovery and enforcement", () => {
  let harness: TestApp;
  let discovery: Awaited<ReturnType<typeof startDiscoveryStub>>;
  let idpKey: SigningKey;
  let owner: Awaited<ReturnType<typeof signUp>>;
  let otherOwner: Awaited<ReturnType<typeof signUp>>;
  let agentToken: string;
  let roleIds: { agent: string; owner: string; otherAgent: string };

  const roleId = async (workspaceId: string, key: string) => {
    const [role] = await harness.database.db
      .select()
      .from(roles)
      .where(and(eq(roles.workspaceId, workspaceId), eq(roles.key, key)));
    if (!role) throw new Error(`no ${key} role`);
    return role.id;
  };

  beforeAll(async () => {
    [harness, discovery, idpKey] = await Promise.all([
      startTestApp({ env: { PUBLIC_URL } }),
      startDiscoveryStub(),
      createSigningKey("connections-idp"),
    ]);
    owner = await signUp(harness.app);
    otherOwner = await signUp(harness.app);
    const agent = await signUp(harness.app);
    agentToken = await joinWorkspace(harness, { userId: agent.user.id, workspaceId: owner.workspace.id, roleKey: "agent" });
    roleIds = {
      agent: await roleId(owner.workspace.id, "agent"),
      owner: await roleId(owner.workspace.id, "owner"),
      otherAgent: await roleId(otherOwner.workspace.id, "agent"),
    };
  });
  afterAll(async () => {
    await harness?.close();
    await discovery?.close();
  });

  const create = (token: string, payload: Record<string, unknown>) =>
    harness.app.inject({ method: "POST", url: "/api/v1/sso/connections", headers: bearer(token), payload });

  const google = (domains: string[], extra: Record<string, unknown> = {}) => ({
    protocol: "oidc",
    provider: "google",
    clientId: "1234-abc.apps.googleusercontent.com",
    clientSecret: GOOGLE_SECRET,
    domains,
    defaultRoleId: roleIds.agent,
    ...extra,
  });

  const saml = (domains: string[], extra: Record<string, unknown> = {}) => ({
    protocol: "saml",
    name: "Acme Okta",
    idpEntryPoint: "https://acme.okta.test/app/sso/saml",
    idpIssuer: "http://www.okta.com/exk1",
    idpCertificate: idpKey.certificate,
    domains,
    defaultRoleId: roleIds.agent,
    ...extra,
  });

  it("connects Google, an OpenID provider checked by discovery, and a SAML IdP, never showing the secret", async () => {
    const googleResponse = await create(owner.token, google(["Acme-Google.test", "acme-google.test"]));
    expect(googleResponse.statusCode, googleResponse.body).toBe(201);
    const googleConnection = googleResponse.json();
    expect(googleConnection).toMatchObject({
      protocol: "oidc",
      provider: "google",
      name: "Google",
      domains: ["acme-google.test"],
      defaultRoleId: roleIds.agent,
      isEnabled: true,
      isPasswordLoginForbidden: false,
      startUrl: `${PUBLIC_URL}/api/v1/auth/sso/${googleConnection.id}/start`,
      oidc: {
        issuer: "https://accounts.google.com",
        hasClientSecret: true,
        redirectUri: `${PUBLIC_URL}/api/v1/auth/sso/oidc/callback`,
      },
      saml: null,
    });

    const oidcResponse = await create(owner.token, {
      protocol: "oidc",
      provider: "generic",
      name: "Acme ID",
      issuer: `${discovery.baseUrl}/good/`,
      clientId: "parley",
      clientSecret: OIDC_SECRET,
      domains: ["acme-oidc.test"],
      defaultRoleId: roleIds.agent,
      isPasswordLoginForbidden: true,
    });
    expect(oidcResponse.statusCode, oidcResponse.body).toBe(201);
    expect(oidcResponse.json().oidc.issuer).toBe(`${discovery.baseUrl}/good`);

    const samlResponse = await create(owner.token, saml(["acme-saml.test"]));
    expect(samlResponse.statusCode, samlResponse.body).toBe(201);
    const samlConnection = samlResponse.json();
    expect(samlConnection.saml).toMatchObject({
      idpEntryPoint: "https://acme.okta.test/app/sso/saml",
      idpIssuer: "http://www.okta.com/exk1",
      spEntityId: `${PUBLIC_URL}/api/v1/auth/sso/saml/${samlConnection.id}/metadata`,
      acsUrl: `${PUBLIC_URL}/api/v1/auth/sso/saml/${samlConnection.id}/acs`,
    });
    expect(samlConnection.saml.idpCertificate).toContain("-----BEGIN CERTIFICATE-----");
    expect(Date.parse(samlConnection.saml.idpCertificateExpiresAt)).toBeGreaterThan(Date.now());

    const list = await harness.app.inject({ method: "GET", url: "/api/v1/sso/connections", headers: bearer(owner.token) });
    expect(list.statusCode).toBe(200);
    expect(list.json().items.map((item: { id: string }) => item.id)).toEqual(
      expect.arrayContaining([googleConnection.id, oidcResponse.json().id, samlConnection.id]),
    );
    const one = await harness.app.inject({
      method: "GET",
      url: `/api/v1/sso/connections/${googleConnection.id}`,
      headers: bearer(owner.token),
    });
    expect(one.json()).toEqual(googleConnection);

    for (const body of [googleResponse.body, oidcResponse.body, list.body, one.body]) {
      expect(body).not.toContain(GOOGLE_SECRET);
      expect(body).not.toContain(OIDC_SECRET);
    }
    // Encrypted at rest.
    const [stored] = await harness.database.db.select().from(ssoConnections).where(eq(ssoConnections.id, googleConnection.id));
    expect(stored?.secret).toMatch(/^v1\./);
    expect(stored?.secret).not.toContain(GOOGLE_SECRET);
  });

  it("reports a provider that fails discovery clearly, and refuses invalid settings", async () => {
    const closedPort = await findFreePort();
    const cases: Array<[string, Record<string, unknown>, number, string, string]> = [
      ["unreachable issuer", { issuer: `http://127.0.0.1:${closedPort}` }, 400, "bad_request", "ECONNREFUSED"],
      ["server error", { issuer: `${discovery.baseUrl}/broken` }, 400, "bad_request", "HTTP 500"],
      ["issuer mismatch", { issuer: `${discovery.baseUrl}/mismatch` }, 400, "bad_request", "issuer does not match"],
      ["plain http elsewhere", { issuer: "http://login.acme.test" }, 400, "validation_failed", "https://"],
    ];
    for (const [label, override, status, code, reason] of cases) {
      const response = await create(owner.token, {
        protocol: "oidc",
        provider: "generic",
        name: "Broken",
        issuer: `${discovery.baseUrl}/good`,
        clientId: "parley",
        clientSecret: OIDC_SECRET,
        domains: [`${label.replace(/\s+/g, "-")}.test`],
        defaultRoleId: roleIds.agent,
        ...override,
      });
      expect(response.statusCode, `${label}: ${response.body}`).toBe(status);
      expect(response.json().error.code, label).toBe(code);
      if (code === "bad_request") expect(response.json().error.message, label).toContain("did not answer discovery");
      expect(response.json().error.message, label).toContain(reason);
      expect(response.body).not.toContain(OIDC_SECRET);
    }

    const invalid: Array<[string, Record<string, unknown>]> = [
      ["certificate", saml(["bad-cert.test"], { idpCertificate: "not a certificate" })],
      ["domain with scheme", google(["https://acme.test"])],
      ["domain without dot", google(["acme"])],
      ["email instead of domain", google(["jo@acme.test"])],
      ["no domains", google([])],
      ["role of another workspace", google(["other-role.test"], { defaultRoleId: roleIds.otherAgent })],
      ["owner as default role", google(["owner-role.test"], { defaultRoleId: roleIds.owner })],
      ["unknown protocol", { ...google(["proto.test"]), protocol: "ldap" }],
      ["unknown field", google(["extra.test"], { isAdmin: true })],
      ["issuer on google", google(["google-issuer.test"], { issuer: "https://evil.example" })],
    ];
    for (const [label, payload] of invalid) {
      const response = await create(owner.token, payload);
      expect(response.statusCode, `${label}: ${response.body}`).toBe(400);
      expect(response.json().error.code, label).toBe("validation_failed");
    }

    // The form parser belongs to the SAML endpoint only.
    const form = await harness.app.inject({
      method: "POST",
      url: "/api/v1/sso/connections",
      headers: { ...bearer(owner.token), "content-type": "application/x-www-form-urlencoded" },
      payload: "protocol=saml",
    });
    expect(form.statusCode).toBe(415);
  });

  it("keeps each email domain to one connection across all workspaces", async () => {
    const first = await create(owner.token, google(["shared-domain.test"]));
    expect(first.statusCode).toBe(201);
    const taken = await create(otherOwner.token, {
      ...google(["fresh-domain.test", "SHARED-domain.test"]),
      defaultRoleId: roleIds.otherAgent,
    });
    expect(taken.statusCode).toBe(409);
    expect(taken.json().error).toMatchObject({ code: "conflict", details: { domain: "shared-domain.test" } });
    expect(taken.json().error.message).toContain("shared-domain.test");

    const second = await create(owner.token, saml(["second-domain.test"]));
    const grab = await harness.app.inject({
      method: "PATCH",
      url: `/api/v1/sso/connections/${second.json().id}`,
      headers: bearer(owner.token),
      payload: { domains: ["second-domain.test", "shared-domain.test"] },
    });
    expect(grab.statusCode).toBe(409);
    expect(grab.json().error.details).toEqual({ domain: "shared-domain.test" });

    // Two workspaces claiming one domain at the same instant: exactly one wins.
    const race = await Promise.all([
      create(owner.token, google(["raced-domain.test"])),
      create(otherOwner.token, { ...google(["raced-domain.test"]), defaultRoleId: roleIds.otherAgent }),
    ]);
    expect(race.map((response) => response.statusCode).sort()).toEqual([201, 409]);
    expect(race.find((response) => response.statusCode === 409)?.json().error.details).toEqual({ domain: "raced-domain.test" });

    // Deleting a connection frees its domains.
    const removed = await harness.app.inject({
      method: "DELETE",
      url: `/api/v1/sso/connections/${first.json().id}`,
      headers: bearer(owner.token),
    });
    expect(removed.statusCode).toBe(204);
    const claimed = await create(otherOwner.token, { ...google(["shared-domain.test"]), defaultRoleId: roleIds.otherAgent });
    expect(claimed.statusCode).toBe(201);
  });

  it("updates settings, rotates the secret without logging it, and audits every change", async () => {
    const created = (await create(owner.token, google(["update-me.test"]))).json();
    const patch = (payload: Record<string, unknown>) =>
      harness.app.inject({
        method: "PATCH",
        url: `/api/v1/sso/connections/${created.id}`,
        headers: bearer(owner.token),
        payload,
      });

    const renamed = await patch({
      name: "Google Workspace",
      domains: ["update-me.test", "update-me-too.test"],
      isPasswordLoginForbidden: true,
      clientSecret: "rotated-google-secret",
    });
    expect(renamed.statusCode, renamed.body).toBe(200);
    expect(renamed.json()).toMatchObject({
      name: "Google Workspace",
      domains: ["update-me-too.test", "update-me.test"],
      isPasswordLoginForbidden: true,
      oidc: { issuer: "https://accounts.google.com", hasClientSecret: true },
    });
    expect(renamed.body).not.toContain("rotated-google-secret");

    for (const [label, payload] of [
      ["SAML field on OIDC", { idpCertificate: idpKey.certificate }],
      ["issuer on Google", { issuer: "https://evil.example" }],
      ["nothing", {}],
      ["role of another workspace", { defaultRoleId: roleIds.otherAgent }],
    ] as const) {
      const response = await patch(payload);
      expect(response.statusCode, label).toBe(400);
      expect(response.json().error.code, label).toBe("validation_failed");
    }

    // A SAML IdP rolls its signing certificate: the log shows which certificate, by fingerprint.
    const samlConnection = (await create(owner.token, saml(["rotate-cert.test"]))).json();
    const nextKey = await createSigningKey("rotated-idp");
    const rotated = await harness.app.inject({
      method: "PATCH",
      url: `/api/v1/sso/connections/${samlConnection.id}`,
      headers: bearer(owner.token),
      payload: { idpCertificate: nextKey.certificate.replace(/-----(BEGIN|END) CERTIFICATE-----|\s/g, "") },
    });
    expect(rotated.statusCode, rotated.body).toBe(200);
    expect(rotated.json().saml.idpCertificate).toBe(nextKey.certificate);
    const [rotation] = await harness.database.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.targetId, samlConnection.id), eq(auditLog.action, "sso.connection_updated")));
    expect(Object.keys(rotation?.after ?? {})).toEqual(["idpCertificateSha256"]);
    expect(rotation?.before).toEqual({ idpCertificateSha256: expect.any(String) });
    expect(rotation?.after).toEqual({ idpCertificateSha256: expect.any(String) });
    expect(rotation?.before).not.toEqual(rotation?.after);

    const deleted = await harness.app.inject({
      method: "DELETE",
      url: `/api/v1/sso/connections/${created.id}`,
      headers: bearer(owner.token),
    });
    expect(deleted.statusCode).toBe(204);
    const gone = await harness.app.inject({
      method: "GET",
      url: `/api/v1/sso/connections/${created.id}`,
      headers: bearer(owner.token),
    });
    expect(gone.statusCode).toBe(404);

    const entries = await harness.database.db.select().from(auditLog).where(eq(auditLog.targetId, created.id));
    expect(entries.map((entry) => entry.action)).toEqual([
      "sso.connection_created",
      "sso.connection_updated",
      "sso.connection_deleted",
    ]);
    const updated = entries[1];
    expect(updated?.before).toMatchObject({ name: "Google", isPasswordLoginForbidden: false, clientSecret: "(hidden)" });
    expect(updated?.after).toMatchObject({
      name: "Google Workspace",
      domains: ["update-me-too.test", "update-me.test"],
      clientSecret: "(replaced)",
    });
    expect(updated?.actorId).toBe(owner.user.id);
    const everything = JSON.stringify(await harness.database.db.select().from(auditLog));
    expect(everything).not.toContain("rotated-google-secret");
    expect(everything).not.toContain(GOOGLE_SECRET);
  });

  it("answers 'continue with SSO' by the email's domain, for enabled connections only", async () => {
    const created = (await create(owner.token, saml(["discover-me.test"], { name: "Discover Okta" }))).json();
    const discover = (email: unknown) =>
      harness.app.inject({ method: "POST", url: "/api/v1/auth/sso/discover", payload: { email } });

    const found = await discover("Someone@DISCOVER-me.test");
    expect(found.statusCode).toBe(200);
    expect(found.json()).toEqual({
      connectionId: created.id,
      name: "Discover Okta",
      startUrl: `${PUBLIC_URL}/api/v1/auth/sso/${created.id}/start`,
    });

    const unknown = await discover("someone@nobody-has-sso.test");
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().error).toMatchObject({ code: "not_found", message: "No single sign-on for this domain." });
    expect((await discover("not-an-email")).statusCode).toBe(400);

    await harness.app.inject({
      method: "PATCH",
      url: `/api/v1/sso/connections/${created.id}`,
      headers: bearer(owner.token),
      payload: { isEnabled: false },
    });
    expect((await discover("someone@discover-me.test")).statusCode).toBe(404);
  });

  it("refuses password login for a domain whose connection forbids it, and only then", async () => {
    const pat = await signUp(harness.app, { email: "pat@enforced.test" });
    const created = (await create(owner.token, saml(["enforced.test"], { isPasswordLoginForbidden: true }))).json();
    const logIn = () =>
      harness.app.inject({
        method: "POST",
        url: "/api/v1/auth/login",
        payload: { email: "PAT@enforced.test", password: pat.password },
      });
    const setConnection = (payload: Record<string, unknown>) =>
      harness.app.inject({
        method: "PATCH",
        url: `/api/v1/sso/connections/${created.id}`,
        headers: bearer(owner.token),
        payload,
      });

    const refused = await logIn();
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error).toMatchObject({ code: "sso_required", details: { connectionId: created.id } });
    expect(refused.cookies.find((cookie) => cookie.name === "parley_session")).toBeUndefined();

    expect((await setConnection({ isEnabled: false })).statusCode).toBe(200);
    expect((await logIn()).statusCode).toBe(200);
    expect((await setConnection({ isEnabled: true, isPasswordLoginForbidden: false })).statusCode).toBe(200);
    expect((await logIn()).statusCode).toBe(200);
    expect((await setConnection({ isPasswordLoginForbidden: true })).statusCode).toBe(200);
    expect((await logIn()).statusCode).toBe(403);
  });

  it("is for security managers only: agents get 403, strangers 401", async () => {
    const created = (await create(owner.token, saml(["agents-cannot.test"]))).json();
    const requests = [
      { method: "GET" as const, url: "/api/v1/sso/connections" },
      { method: "POST" as const, url: "/api/v1/sso/connections", payload: saml(["agent-made.test"]) },
      { method: "GET" as const, url: `/api/v1/sso/connections/${created.id}` },
      { method: "PATCH" as const, url: `/api/v1/sso/connections/${created.id}`, payload: { name: "Hijacked" } },
      { method: "DELETE" as const, url: `/api/v1/sso/connections/${created.id}` },
    ];
    for (const request of requests) {
      const asAgent = await harness.app.inject({ ...request, headers: bearer(agentToken) });
      expect(asAgent.statusCode, `${request.method} ${request.url}`).toBe(403);
      expect(asAgent.json().error).toMatchObject({ code: "forbidden", details: { permission: "security.manage" } });
      const anonymous = await harness.app.inject(request);
      expect(anonymous.statusCode).toBe(401);
    }
    const still = await harness.app.inject({
      method: "GET",
      url: `/api/v1/sso/connections/${created.id}`,
      headers: bearer(owner.token),
    });
    expect(still.json().name).toBe("Acme Okta");
  });

  it("answers another workspace's connection ids with 404 and leaves them untouched", async () => {
    const created = (await create(owner.token, saml(["cross-tenant.test"]))).json();
    const url = `/api/v1/sso/connections/${created.id}`;
    for (const request of [
      { method: "GET" as const, url },
      { method: "PATCH" as const, url, payload: { name: "Taken over", domains: ["cross-tenant.test"] } },
      { method: "DELETE" as const, url },
    ]) {
      const response = await harness.app.inject({ ...request, headers: bearer(otherOwner.token) });
      expect(response.statusCode, request.method).toBe(404);
      expect(response.json().error.code).toBe("not_found");
      expect(response.body).not.toContain("cross-tenant.test");
    }
    const list = await harness.app.inject({ method: "GET", url: "/api/v1/sso/connections", headers: bearer(otherOwner.token) });
    expect(list.json().items.map((item: { id: string }) => item.id)).not.toContain(created.id);
    const mine = await harness.app.inject({ method: "GET", url, headers: bearer(owner.token) });
    expect(mine.json()).toMatchObject({ name: "Acme Okta", domains: ["cross-tenant.test"] });
  });
});
