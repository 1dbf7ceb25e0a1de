import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditLog } from "../src/modules/audit/audit.tables.ts";
import { users } from "../src/modules/auth/auth.tables.ts";
import { samlAssertionsSeen, ssoIdentities } from "../src/modules/sso/sso.tables.ts";
import { memberships, roles } from "../src/modules/workspaces/workspaces.tables.ts";
import { type AssertionInput, buildResponse, readAuthnRequest, signAssertion, toBase64 } from "./fixtures/sso/saml-idp.ts";
import { createSigningKey, type SigningKey } from "./fixtures/sso/test-keys.ts";
import { bearer, signUp, startTestApp, type TestApp } from "./helpers.ts";

const PUBLIC_URL = "http://parley.test";
const IDP_ISSUER = "https://idp.acme-saml.test/metadata";
const IDP_SSO_URL = "https://idp.acme-saml.test/sso/saml";

describe("SAML 2.0 single sign-on", () => {
  let harness: TestApp;
  let idpKey: SigningKey;
  let attackerKey: SigningKey;
  let owner: Awaited<ReturnType<typeof signUp>>;
  let agentRoleId: string;
  let connection: { id: string; saml: { spEntityId: string; acsUrl: string; metadataUrl: string } };

  beforeAll(async () => {
    [harness, idpKey, attackerKey] = await Promise.all([
      startTestApp({ env: { PUBLIC_URL } }),
      createSigningKey("acme-idp"),
      createSigningKey("attacker-idp"),
    ]);
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
        protocol: "saml",
        name: "Acme Okta",
        idpEntryPoint: IDP_SSO_URL,
        idpIssuer: IDP_ISSUER,
        idpCertificate: idpKey.certificate,
        domains: ["acme-saml.test"],
        defaultRoleId: agentRoleId,
      },
    });
    expect(created.statusCode, created.body).toBe(201);
    connection = created.json();
  });
  afterAll(async () => {
    await harness?.close();
  });

  /** Starts a sign-in the way a browser does and returns the AuthnRequest id the IdP must answer. */
  const startSignIn = async (redirectTo = "/inbox") => {
    const response = await harness.app.inject({
      method: "GET",
      url: `/api/v1/auth/sso/${connection.id}/start?redirectTo=${encodeURIComponent(redirectTo)}`,
    });
    expect(response.statusCode).toBe(302);
    const location = String(response.headers.location);
    expect(location.startsWith(`${IDP_SSO_URL}?`)).toBe(true);
    return readAuthnRequest(location);
  };

  const assertionFor = (requestId: string, overrides: Partial<AssertionInput> = {}) =>
    buildResponse({
      issuer: IDP_ISSUER,
      audience: connection.saml.spEntityId,
      acsUrl: connection.saml.acsUrl,
      inResponseTo: requestId,
      nameId: "00u-jo-saml",
      attributes: { email: "jo@acme-saml.test", firstName: "Jo", lastName: "Saml" },
      ...overrides,
    });

  const postToAcs = (samlXml: string) =>
    harness.app.inject({
      method: "POST",
      url: `/api/v1/auth/sso/saml/${connection.id}/acs`,
      headers: { "content-type": "application/x-www-form-urlencoded" },
      payload: new URLSearchParams({ SAMLResponse: toBase64(samlXml) }).toString(),
    });

  const refusal = (response: Awaited<ReturnType<typeof postToAcs>>) => {
    expect(response.statusCode).toBe(303);
    expect(response.cookies.find((cookie) => cookie.name === "parley_session")).toBeUndefined();
    const location = new URL(String(response.headers.location));
    expect(location.origin + location.pathname).toBe(`${PUBLIC_URL}/login`);
    return location.searchParams.get("sso_error");
  };

  const sessionOf = (response: Awaited<ReturnType<typeof postToAcs>>) => {
    const cookie = response.cookies.find((candidate) => candidate.name === "parley_session");
    expect(cookie, `no session cookie; redirected to ${response.headers.location}`).toBeDefined();
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: "Lax", path: "/" });
    return cookie?.value ?? "";
  };

  const usersWithEmail = (email: string) => harness.database.db.select().from(users).where(eq(users.email, email));

  it("publishes service provider metadata and sends the browser to the IdP with an AuthnRequest", async () => {
    expect(connection.saml).toMatchObject({
      spEntityId: `${PUBLIC_URL}/api/v1/auth/sso/saml/${connection.id}/metadata`,
      acsUrl: `${PUBLIC_URL}/api/v1/auth/sso/saml/${connection.id}/acs`,
    });
    const metadata = await harness.app.inject({ method: "GET", url: `/api/v1/auth/sso/saml/${connection.id}/metadata` });
    expect(metadata.statusCode).toBe(200);
    expect(metadata.headers["content-type"]).toContain("application/samlmetadata+xml");
    expect(metadata.body).toContain(`entityID="${connection.saml.spEntityId}"`);
    expect(metadata.body).toContain(`Location="${connection.saml.acsUrl}"`);
    const missing = await harness.app.inject({
      method: "GET",
      url: "/api/v1/auth/sso/saml/00000000-0000-4000-8000-000000000000/metadata",
    });
    expect(missing.statusCode).toBe(404);

    const request = await startSignIn();
    expect(request.xml).toContain(`AssertionConsumerServiceURL="${connection.saml.acsUrl}"`);
    expect(request.xml).toContain(connection.saml.spEntityId);
  });

  it("signs a new person in just in time with the default role and a session cookie, then links later sign-ins", async () => {
    const request = await startSignIn("/inbox?tab=mine");
    const response = await postToAcs(signAssertion(assertionFor(request.id).xml, idpKey));
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toBe(`${PUBLIC_URL}/inbox?tab=mine`);
    const token = sessionOf(response);

    const me = await harness.app.inject({ method: "GET", url: "/api/v1/me", cookies: { parley_session: token } });
    expect(me.statusCode).toBe(200);
    expect(me.json()).toMatchObject({
      user: { email: "jo@acme-saml.test", name: "Jo Saml", emailVerified: true },
      workspace: { id: owner.workspace.id },
      role: { id: agentRoleId, key: "agent" },
    });
    const [user] = await usersWithEmail("jo@acme-saml.test");
    expect(user?.passwordHash).toBeNull();
    const actions = await harness.database.db
      .select()
      .from(auditLog)
      .where(eq(auditLog.targetId, user?.id ?? ""));
    expect(actions.map((entry) => entry.action)).toEqual(
      expect.arrayContaining(["member.joined_by_sso", "sso.signed_in", "auth.signed_in"]),
    );

    const again = await startSignIn();
    const second = await postToAcs(signAssertion(assertionFor(again.id).xml, idpKey));
    const secondToken = sessionOf(second);
    const secondMe = await harness.app.inject({ method: "GET", url: "/api/v1/me", cookies: { parley_session: secondToken } });
    expect(secondMe.json().user.id).toBe(user?.id);
    expect(await usersWithEmail("jo@acme-saml.test")).toHaveLength(1);
    const identities = await harness.database.db
      .select()
      .from(ssoIdentities)
      .where(eq(ssoIdentities.userId, user?.id ?? ""));
    expect(identities).toEqual([expect.objectContaining({ connectionId: connection.id, subject: "00u-jo-saml" })]);
    const member = await harness.database.db
      .select()
      .from(memberships)
      .where(and(eq(memberships.userId, user?.id ?? ""), eq(memberships.workspaceId, owner.workspace.id)));
    expect(member).toHaveLength(1);
  });

  it("refuses an assertion tampered with after signing: NameID or attribute changed", async () => {
    const request = await startSignIn();
    const signed = signAssertion(assertionFor(request.id, { nameId: "00u-tampered" }).xml, idpKey);
    const otherNameId = signed.replace(">00u-tampered<", ">00u-the-ceo<");
    expect(otherNameId).not.toBe(signed);
    expect(refusal(await postToAcs(otherNameId))).toBe("invalid_response");

    const second = await startSignIn();
    const signedAgain = signAssertion(assertionFor(second.id, { nameId: "00u-tampered" }).xml, idpKey);
    const otherEmail = signedAgain.replace("jo@acme-saml.test", "ceo@acme-saml.test");
    expect(refusal(await postToAcs(otherEmail))).toBe("invalid_response");
    expect(await usersWithEmail("ceo@acme-saml.test")).toHaveLength(0);
  });

  it("refuses a replayed response, and a replayed assertion wrapped in a fresh response", async () => {
    const request = await startSignIn();
    const { xml, assertionId } = assertionFor(request.id, {
      nameId: "00u-replay",
      attributes: { email: "replay@acme-saml.test" },
    });
    const signed = signAssertion(xml, idpKey);
    sessionOf(await postToAcs(signed));
    expect(refusal(await postToAcs(signed))).toBe("assertion_replayed");

    // The same signed assertion id answering a new request is still the same assertion.
    const fresh = await startSignIn();
    const reused = signAssertion(
      assertionFor(fresh.id, { nameId: "00u-replay", attributes: { email: "replay@acme-saml.test" }, assertionId }).xml,
      idpKey,
    );
    expect(refusal(await postToAcs(reused))).toBe("assertion_replayed");
    const seen = await harness.database.db
      .select()
      .from(samlAssertionsSeen)
      .where(eq(samlAssertionsSeen.assertionId, assertionId));
    expect(seen).toHaveLength(1);
    expect(seen[0]?.expiresAt.getTime()).toBeGreaterThan(Date.now());
  });

  it("refuses a wrong audience, an expired or not-yet-valid assertion, a wrong issuer or recipient", async () => {
    const cases: Array<[string, Partial<AssertionInput>]> = [
      ["audience", { audience: "https://another-sp.example/metadata" }],
      ["expired", { notBefore: new Date(Date.now() - 20 * 60_000), notOnOrAfter: new Date(Date.now() - 10 * 60_000) }],
      ["not yet valid", { notBefore: new Date(Date.now() + 10 * 60_000), notOnOrAfter: new Date(Date.now() + 20 * 60_000) }],
      ["issuer", { issuer: "https://idp.other.test/metadata" }],
      ["recipient", { acsUrl: "https://another-sp.example/acs", destination: connection.saml.acsUrl }],
      ["destination", { destination: "https://another-sp.example/acs" }],
    ];
    const outcomes: Record<string, string | null> = {};
    for (const [label, overrides] of cases) {
      const request = await startSignIn();
      const signed = signAssertion(assertionFor(request.id, { nameId: `00u-${label}`, ...overrides }).xml, idpKey);
      outcomes[label] = refusal(await postToAcs(signed));
    }
    expect(outcomes).toEqual(Object.fromEntries(cases.map(([label]) => [label, "invalid_response"])));
  });

  it("refuses an unsigned assertion, one signed by another key, and an answer to no request of ours", async () => {
    const unsignedRequest = await startSignIn();
    expect(refusal(await postToAcs(assertionFor(unsignedRequest.id).xml))).toBe("invalid_response");

    const forgedRequest = await startSignIn();
    expect(refusal(await postToAcs(signAssertion(assertionFor(forgedRequest.id).xml, attackerKey)))).toBe("invalid_response");

    const unsolicited = signAssertion(assertionFor("_not-a-request-of-ours").xml, idpKey);
    expect(refusal(await postToAcs(unsolicited))).toBe("invalid_response");
  });

  it("refuses emails outside the connection's domains, and answers malformed posts with 400", async () => {
    const request = await startSignIn();
    const outsider = assertionFor(request.id, { nameId: "00u-outsider", attributes: { email: "someone@elsewhere.test" } });
    expect(refusal(await postToAcs(signAssertion(outsider.xml, idpKey)))).toBe("domain_not_allowed");
    expect(await usersWithEmail("someone@elsewhere.test")).toHaveLength(0);

    const empty = await harness.app.inject({
      method: "POST",
      url: `/api/v1/auth/sso/saml/${connection.id}/acs`,
      headers: { "content-type": "application/x-www-form-urlencoded" },
      payload: "RelayState=x",
    });
    expect(empty.statusCode).toBe(400);
    expect(empty.json().error.code).toBe("validation_failed");
  });

  it("sends the browser back to the login page when the connection is disabled", async () => {
    const request = await startSignIn();
    const disabled = await harness.app.inject({
      method: "PATCH",
      url: `/api/v1/sso/connections/${connection.id}`,
      headers: bearer(owner.token),
      payload: { isEnabled: false },
    });
    expect(disabled.statusCode).toBe(200);
    try {
      expect(refusal(await postToAcs(signAssertion(assertionFor(request.id).xml, idpKey)))).toBe("connection_unavailable");
      const start = await harness.app.inject({ method: "GET", url: `/api/v1/auth/sso/${connection.id}/start` });
      expect(start.statusCode).toBe(302);
      expect(start.headers.location).toBe(`${PUBLIC_URL}/login?sso_error=connection_unavailable`);
    } finally {
      await harness.app.inject({
        method: "PATCH",
        url: `/api/v1/sso/connections/${connection.id}`,
        headers: bearer(owner.token),
        payload: { isEnabled: true },
      });
    }
  });
});
