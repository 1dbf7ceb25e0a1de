import { randomBytes } from "node:crypto";
import {
  type CacheProvider,
  generateServiceProviderMetadata,
  type Profile,
  SAML,
  ValidateInResponseTo,
} from "@node-saml/node-saml";
import { z } from "zod";
import type { Database } from "../../platform/db.ts";
import { type SamlSettings, type SsoConnectionRow, samlSettingsOf, ssoUrls } from "./sso-connection.ts";
import { SsoError } from "./sso-error.ts";
import {
  consumeLoginState,
  findPendingLoginState,
  isLoginStateUsed,
  LOGIN_STATE_TTL_MS,
  type LoginStateRow,
  recordAssertionOnce,
  saveLoginState,
} from "./sso-login-states.ts";
import type { SsoProfile } from "./sso-users.ts";

/** Tolerated clock difference between the IdP and us. */
const CLOCK_SKEW_MS = 60_000;

/**
 * SAML request ids travel in the clear through the browser; prefixing their state keys keeps them
 * from ever matching an OIDC state at the OIDC callback.
 */
const stateKey = (requestId: string) => `saml:${requestId}`;

type SamlContext = { connection: SsoConnectionRow; settings: SamlSettings; urls: ReturnType<typeof ssoUrls> };

const contextOf = (connection: SsoConnectionRow, publicUrl: string): SamlContext => ({
  connection,
  settings: samlSettingsOf(connection),
  urls: ssoUrls(publicUrl, connection.id),
});

const createSaml = (context: SamlContext, cacheProvider: CacheProvider, requestId?: string): SAML =>
  new SAML({
    callbackUrl: context.urls.samlAcsUrl,
    entryPoint: context.settings.idpEntryPoint,
    issuer: context.urls.samlEntityId,
    audience: context.urls.samlEntityId,
    idpCert: context.settings.idpCertificate,
    idpIssuer: context.settings.idpIssuer,
    // Either the whole response or the assertion must carry the IdP's signature; IdPs differ in which.
    wantAssertionsSigned: false,
    wantAuthnResponseSigned: false,
    // Only answers to our own requests: IdP-initiated sign-in has no request to bind to.
    validateInResponseTo: ValidateInResponseTo.always,
    requestIdExpirationPeriodMs: LOGIN_STATE_TTL_MS,
    cacheProvider,
    acceptedClockSkewMs: CLOCK_SKEW_MS,
    identifierFormat: null,
    disableRequestedAuthnContext: true,
    ...(requestId ? { generateUniqueId: () => requestId } : {}),
  });

/** The redirect to the IdP with an AuthnRequest whose id the response must answer. */
export const startSamlSignIn = async (
  db: Database,
  publicUrl: string,
  connection: SsoConnectionRow,
  redirectTo: string,
): Promise<string> => {
  const context = contextOf(connection, publicUrl);
  const requestId = `_${randomBytes(20).toString("hex")}`;
  const saml = createSaml(
    context,
    {
      saveAsync: async (key, value) => {
        await saveLoginState(db, { connectionId: connection.id, state: stateKey(key), requestId: key, redirectTo });
        return { value, createdAt: Date.now() };
      },
      getAsync: async () => null,
      removeAsync: async () => null,
    },
    requestId,
  );
  return saml.getAuthorizeUrlAsync("", undefined, {});
};

export const samlMetadataXml = (connection: SsoConnectionRow, publicUrl: string): string => {
  const urls = ssoUrls(publicUrl, connection.id);
  return generateServiceProviderMetadata({
    issuer: urls.samlEntityId,
    callbackUrl: urls.samlAcsUrl,
    identifierFormat: null,
    wantAssertionsSigned: true,
  });
};

const ZAttributes = z.record(z.string(), z.string());
const ZTextNode = z.looseObject({ _: z.string().optional(), $: ZAttributes.optional() });
const ZSignedAssertion = z.object({
  Assertion: z.looseObject({
    $: z.looseObject({ ID: z.string().min(1) }),
    Issuer: z.array(ZTextNode).min(1),
    Subject: z
      .array(
        z.looseObject({
          SubjectConfirmation: z.array(z.looseObject({ SubjectConfirmationData: z.array(ZTextNode).optional() })).optional(),
        }),
      )
      .optional(),
    Conditions: z.array(z.looseObject({ $: ZAttributes.optional() })).optional(),
  }),
});

/** Destination of the Response element: outside the assertion's signature, checked as a second line. */
const responseDestination = (responseXml: string): string | null => {
  const root = /^\s*(?:<\?xml[^>]*\?>\s*)?(?:<!--[\s\S]*?-->\s*)*<(?:[\w.-]+:)?Response\b([^>]*)>/.exec(responseXml);
  const destination = root?.[1] ? /\sDestination\s*=\s*(["'])(.*?)\1/.exec(root[1]) : null;
  return destination?.[2]?.replace(/&amp;/g, "&") ?? null;
};

const firstString = (value: unknown): string | null => {
  if (typeof value === "string") return value.trim() || null;
  if (Array.isArray(value)) return firstString(value[0]);
  return null;
};

const EMAIL_ATTRIBUTES = [
  "email",
  "Email",
  "mail",
  "emailAddress",
  "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress",
  "urn:oid:0.9.2342.19200300.100.1.3",
];
const NAME_ATTRIBUTES = [
  "displayName",
  "name",
  "urn:oid:2.16.840.1.113730.3.1.241",
  "http://schemas.microsoft.com/identity/claims/displayname",
];
const GIVEN_NAME_ATTRIBUTES = [
  "givenName",
  "firstName",
  "urn:oid:2.5.4.42",
  "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname",
];
const SURNAME_ATTRIBUTES = [
  "sn",
  "surname",
  "lastName",
  "urn:oid:2.5.4.4",
  "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/surname",
];

const pick = (profile: Profile, names: readonly string[]): string | null => {
  for (const name of names) {
    const value = firstString(profile[name]);
    if (value) return value;
  }
  return null;
};

const profileOf = (profile: Profile): SsoProfile => {
  const nameId = profile.nameID?.trim();
  if (!nameId) throw new SsoError("invalid_response", "the assertion has no NameID");
  const email = pick(profile, EMAIL_ATTRIBUTES) ?? (/^[^@\s]+@[^@\s]+$/.test(nameId) ? nameId : null);
  const fullName = [pick(profile, GIVEN_NAME_ATTRIBUTES), pick(profile, SURNAME_ATTRIBUTES)].filter(Boolean).join(" ");
  return { subject: nameId, email, emailVerified: null, name: pick(profile, NAME_ATTRIBUTES) ?? (fullName || null) };
};

/** The checks node-saml leaves to its caller: who issued the assertion, for whom, until when. */
const checkSignedAssertion = (context: SamlContext, profile: Profile) => {
  const parsed = ZSignedAssertion.safeParse(profile.getAssertion?.());
  if (!parsed.success) throw new SsoError("invalid_response", "the signed assertion lacks an ID or an Issuer");
  const assertion = parsed.data.Assertion;
  const issuer = assertion.Issuer[0]?._?.trim();
  if (issuer !== context.settings.idpIssuer) {
    throw new SsoError(
      "invalid_response",
      `the assertion was issued by ${issuer ?? "nobody"}, not ${context.settings.idpIssuer}`,
    );
  }
  const confirmations = (assertion.Subject?.[0]?.SubjectConfirmation ?? []).flatMap(
    (confirmation) => confirmation.SubjectConfirmationData ?? [],
  );
  if (!confirmations.some((data) => data.$?.Recipient === context.urls.samlAcsUrl)) {
    throw new SsoError("invalid_response", "the assertion is not addressed to this connection's ACS URL");
  }
  const destination = responseDestination(profile.getSamlResponseXml?.() ?? "");
  if (destination !== null && destination !== context.urls.samlAcsUrl) {
    throw new SsoError("invalid_response", `the response is addressed to ${destination}`);
  }
  const expiries = [assertion.Conditions?.[0]?.$?.NotOnOrAfter, ...confirmations.map((data) => data.$?.NotOnOrAfter)]
    .map((value) => (value ? Date.parse(value) : Number.NaN))
    .filter((value) => Number.isFinite(value));
  // Without an expiry an assertion would stay usable, and its id would have to be remembered, forever.
  if (expiries.length === 0) throw new SsoError("invalid_response", "the assertion has no NotOnOrAfter");
  return { assertionId: assertion.$.ID, expiresAt: new Date(Math.max(...expiries) + CLOCK_SKEW_MS) };
};

/**
 * Verifies a posted SAMLResponse: the IdP's signature, audience, time conditions, the answer to
 * one of our pending requests, and that the assertion was never accepted before.
 */
export const consumeSamlResponse = async (
  db: Database,
  publicUrl: string,
  connection: SsoConnectionRow,
  samlResponse: string,
): Promise<{ profile: SsoProfile; redirectTo: string }> => {
  const context = contextOf(connection, publicUrl);
  const request: { pending: LoginStateRow | null; isAnsweredBefore: boolean } = { pending: null, isAnsweredBefore: false };
  const saml = createSaml(context, {
    saveAsync: async () => null,
    getAsync: async (requestId) => {
      const row = await findPendingLoginState(db, stateKey(requestId), connection.id);
      if (row) request.pending = row;
      else request.isAnsweredBefore = await isLoginStateUsed(db, stateKey(requestId), connection.id);
      return row ? row.createdAt.toISOString() : null;
    },
    // node-saml drops the request id once answered, rightly or wrongly: each request gets one response.
    removeAsync: async (requestId) => {
      if (requestId) await consumeLoginState(db, stateKey(requestId), connection.id);
      return requestId;
    },
  });

  let profile: Profile | null;
  try {
    ({ profile } = await saml.validatePostResponseAsync({ SAMLResponse: samlResponse }));
  } catch (error) {
    const reason = error instanceof Error ? error.message : "unreadable SAML response";
    if (request.isAnsweredBefore)
      throw new SsoError("assertion_replayed", `a response to this request was already used: ${reason}`);
    throw new SsoError("invalid_response", reason, { cause: error });
  }
  const answered = request.pending;
  if (!profile) throw new SsoError("invalid_response", "the response carries no assertion");
  if (!answered) throw new SsoError("invalid_state", "the response answers no pending request");
  await consumeLoginState(db, stateKey(answered.requestId ?? ""), connection.id);

  const { assertionId, expiresAt } = checkSignedAssertion(context, profile);
  const isFirstUse = await recordAssertionOnce(db, { connectionId: connection.id, assertionId, expiresAt });
  if (!isFirstUse) throw new SsoError("assertion_replayed", `assertion ${assertionId} was already used`);
  return { profile: profileOf(profile), redirectTo: answered.redirectTo ?? "/" };
};
