import { z } from "zod";
import { ZEmail } from "./auth.schemas.ts";
import { zPlainText } from "./text.schemas.ts";

export const GOOGLE_ISSUER = "https://accounts.google.com";

const DOMAIN_PATTERN = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/** An email domain such as `acme.com`, stored lower-case. */
export const ZSsoDomain = z
  .string()
  .trim()
  .toLowerCase()
  .regex(DOMAIN_PATTERN, { message: "Use a domain name such as acme.com, without @ or https://." });

const ZSsoDomains = z
  .array(ZSsoDomain)
  .min(1, { message: "Add at least one email domain, such as acme.com." })
  .max(50, { message: "Use at most 50 domains per connection." })
  .transform((domains) => [...new Set(domains)]);

const isLoopbackHost = (hostname: string) => ["localhost", "127.0.0.1", "[::1]"].includes(hostname);

/** The OpenID issuer: https, or http on this machine only (a local test provider). */
const ZIssuer = z
  .url({ message: "Use the provider's issuer URL, such as https://login.example.com." })
  .max(500)
  .refine(
    (value) => {
      const url = new URL(value);
      return url.protocol === "https:" || (url.protocol === "http:" && isLoopbackHost(url.hostname));
    },
    { message: "The issuer must use https:// (http:// is accepted for localhost only)." },
  )
  .refine((value) => !new URL(value).search && !new URL(value).hash, {
    message: "The issuer has no query string or fragment.",
  })
  .transform((value) => value.replace(/\/+$/, ""));

const ZClientId = zPlainText({ max: 500, emptyMessage: "Paste the client ID the provider gave you." });
const ZClientSecret = z
  .string()
  .min(1, { message: "Paste the client secret the provider gave you." })
  .max(2000, { message: "Use at most 2000 characters." });

const ZEntryPoint = z
  .url({ message: "Use the identity provider's single sign-on URL (HTTP-Redirect binding)." })
  .max(2000)
  .refine((value) => /^https?:\/\//.test(value), { message: "The sign-on URL must start with https:// or http://." });

const ZIdpIssuer = zPlainText({ max: 1000, emptyMessage: "Paste the identity provider's entity ID (issuer)." });

/** The IdP's signing certificate, PEM or its bare base64 body; the server checks that it parses. */
const ZIdpCertificate = z
  .string()
  .trim()
  .min(1, { message: "Paste the identity provider's signing certificate." })
  .max(20_000, { message: "This certificate is too long; paste only the signing certificate." });

const ZConnectionName = zPlainText({ max: 100, emptyMessage: "Name the connection, e.g. Acme Okta." });

const connectionCommon = {
  domains: ZSsoDomains,
  defaultRoleId: z.uuid({ message: "Choose the role new members get." }),
  isPasswordLoginForbidden: z.boolean().default(false),
  isEnabled: z.boolean().default(true),
};

export const ZCreateGenericOidcConnection = z.strictObject({
  protocol: z.literal("oidc"),
  provider: z.literal("generic"),
  name: ZConnectionName,
  issuer: ZIssuer,
  clientId: ZClientId,
  clientSecret: ZClientSecret,
  ...connectionCommon,
});

export const ZCreateGoogleConnection = z.strictObject({
  protocol: z.literal("oidc"),
  provider: z.literal("google"),
  name: ZConnectionName.default("Google"),
  clientId: ZClientId,
  clientSecret: ZClientSecret,
  ...connectionCommon,
});

export const ZCreateSamlConnection = z.strictObject({
  protocol: z.literal("saml"),
  name: ZConnectionName,
  idpEntryPoint: ZEntryPoint,
  idpIssuer: ZIdpIssuer,
  idpCertificate: ZIdpCertificate,
  ...connectionCommon,
});

export const ZCreateSsoConnectionRequest = z.discriminatedUnion("protocol", [
  z.discriminatedUnion("provider", [ZCreateGenericOidcConnection, ZCreateGoogleConnection]),
  ZCreateSamlConnection,
]);
export type TCreateSsoConnectionRequest = z.infer<typeof ZCreateSsoConnectionRequest>;

/** Any subset; protocol-specific fields must match the connection's protocol. */
export const ZUpdateSsoConnectionRequest = z
  .strictObject({
    name: ZConnectionName,
    domains: ZSsoDomains,
    defaultRoleId: z.uuid({ message: "Choose the role new members get." }),
    isPasswordLoginForbidden: z.boolean(),
    isEnabled: z.boolean(),
    issuer: ZIssuer,
    clientId: ZClientId,
    clientSecret: ZClientSecret,
    idpEntryPoint: ZEntryPoint,
    idpIssuer: ZIdpIssuer,
    idpCertificate: ZIdpCertificate,
  })
  .partial()
  .refine((changes) => Object.keys(changes).length > 0, { message: "Send at least one field to change." });
export type TUpdateSsoConnectionRequest = z.infer<typeof ZUpdateSsoConnectionRequest>;

export const ZSsoProtocol = z.enum(["oidc", "saml"]);
export const ZSsoProvider = z.enum(["google", "generic"]);

/** A connection as admins see it: never the client secret; the values to paste into the identity provider. */
export const ZSsoConnection = z.object({
  id: z.uuid(),
  protocol: ZSsoProtocol,
  provider: ZSsoProvider,
  name: z.string(),
  domains: z.array(z.string()),
  defaultRoleId: z.uuid(),
  isEnabled: z.boolean(),
  isPasswordLoginForbidden: z.boolean(),
  /** Where "continue with SSO" sends a browser. */
  startUrl: z.string(),
  oidc: z
    .object({
      issuer: z.string(),
      clientId: z.string(),
      hasClientSecret: z.boolean(),
      redirectUri: z.string().describe("Register this redirect URI at the provider."),
    })
    .nullable(),
  saml: z
    .object({
      idpEntryPoint: z.string(),
      idpIssuer: z.string(),
      idpCertificate: z.string(),
      idpCertificateExpiresAt: z.iso.datetime().nullable(),
      spEntityId: z.string().describe("The service provider entity ID (audience) to register at the IdP."),
      acsUrl: z.string().describe("The assertion consumer service URL (HTTP-POST binding)."),
      metadataUrl: z.string(),
    })
    .nullable(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});
export type TSsoConnection = z.infer<typeof ZSsoConnection>;

export const ZSsoConnectionList = z.object({ items: z.array(ZSsoConnection) });
export type TSsoConnectionList = z.infer<typeof ZSsoConnectionList>;

export const ZSsoConnectionParams = z.strictObject({ id: z.uuid({ message: "must be a connection id" }) });

export const ZSsoDiscoverRequest = z.strictObject({ email: ZEmail });
export type TSsoDiscoverRequest = z.infer<typeof ZSsoDiscoverRequest>;

export const ZSsoDiscoverResponse = z.object({
  connectionId: z.uuid(),
  name: z.string(),
  startUrl: z.string(),
});
export type TSsoDiscoverResponse = z.infer<typeof ZSsoDiscoverResponse>;

/** Backslashes (browsers read `/\\evil` as `//evil`) and control characters. */
const hasUnsafePathCharacter = (value: string): boolean =>
  [...value].some((character) => {
    const code = character.charCodeAt(0);
    return character === "\\" || code < 0x20 || code === 0x7f;
  });

/** Only a path on this site: `/inbox`, never `//evil.example` or `https://…`. */
export const ZSafeRedirectPath = z
  .string()
  .max(2000)
  .refine((value) => value.startsWith("/") && !value.startsWith("//") && !hasUnsafePathCharacter(value), {
    message: "Use a path on this site, starting with a single /.",
  });

export const ZSsoStartParams = z.strictObject({ connectionId: z.uuid({ message: "must be a connection id" }) });
export const ZSsoStartQuery = z.object({ redirectTo: ZSafeRedirectPath.optional() });

/**
 * Why a single sign-on did not complete; the browser lands on `/login?sso_error=<code>`.
 */
export const SSO_ERROR_CODES = [
  "invalid_state",
  "connection_unavailable",
  "access_denied",
  "provider_error",
  "invalid_token",
  "invalid_response",
  "assertion_replayed",
  "email_missing",
  "email_not_verified",
  "domain_not_allowed",
  "account_not_linkable",
  "membership_deactivated",
  "workspace_unavailable",
  "server_error",
] as const;
export type TSsoErrorCode = (typeof SSO_ERROR_CODES)[number];
