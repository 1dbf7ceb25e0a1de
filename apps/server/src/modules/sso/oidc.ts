import * as client from "openid-client";
import { z } from "zod";
import { AppError } from "../../platform/errors.ts";
import { SsoError } from "./sso-error.ts";
import type { SsoProfile } from "./sso-users.ts";

/** Discovery documents change rarely; re-reading them on every sign-in would double its latency. */
const DISCOVERY_CACHE_MS = 60 * 60_000;
const PROVIDER_TIMEOUT_SECONDS = 10;
const SCOPE = "openid email profile";

const isLoopbackHost = (hostname: string) => ["localhost", "127.0.0.1", "[::1]"].includes(hostname);

/** Follows the error's causes to a sentence an admin can act on ("connect ECONNREFUSED …"). */
const describeFailure = (error: unknown): string => {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current instanceof Error; depth++) {
    const code = "code" in current && typeof current.code === "string" ? ` (${current.code})` : "";
    parts.push(`${current.message}${code}`);
    current = current.cause;
  }
  // openid-client attaches the provider's HTTP response as the cause of "unexpected status" errors.
  if (current instanceof Response) parts.push(`the provider answered HTTP ${current.status}`);
  return [...new Set(parts)].join(": ") || "unknown error";
};

export type OidcClients = {
  /** Discovery at connect time: a 400 that names the provider's problem when the issuer does not answer. */
  verifyIssuer: (issuer: string, clientId: string, clientSecret: string) => Promise<void>;
  /** The authorization URL to send the browser to. */
  authorizationUrl: (
    connection: OidcConnectionRef,
    input: { redirectUri: string; state: string; nonce: string; codeVerifier: string; isGoogle: boolean },
  ) => Promise<string>;
  /** Exchanges the code and verifies the ID token (issuer, audience, nonce, expiry, signature). */
  completeCallback: (
    connection: OidcConnectionRef,
    input: { callbackUrl: URL; state: string; nonce: string; codeVerifier: string },
  ) => Promise<SsoProfile>;
};

export type OidcConnectionRef = {
  id: string;
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** Part of the cache key, so an edited connection is discovered afresh. */
  updatedAt: Date;
};

const ZClaims = z.looseObject({
  sub: z.string().min(1),
  email: z.string().optional(),
  // Some providers send the flag as a string.
  email_verified: z.union([z.boolean(), z.enum(["true", "false"]).transform((value) => value === "true")]).optional(),
  name: z.string().optional(),
  given_name: z.string().optional(),
  family_name: z.string().optional(),
});

const JWT_VALIDATION_CODES = new Set([
  "OAUTH_JWT_CLAIM_COMPARISON_FAILED",
  "OAUTH_JWT_TIMESTAMP_CHECK_FAILED",
  "OAUTH_INVALID_RESPONSE",
  "OAUTH_KEY_SELECTION_FAILED",
  "OAUTH_JSON_ATTRIBUTE_COMPARISON_FAILED",
]);

/** Turns openid-client's failures into the stable codes the login page shows. */
const toSsoError = (error: unknown): SsoError => {
  if (error instanceof client.AuthorizationResponseError) {
    return new SsoError(error.error === "access_denied" ? "access_denied" : "provider_error", describeFailure(error), {
      cause: error,
    });
  }
  if (error instanceof client.ClientError && error.code !== undefined && JWT_VALIDATION_CODES.has(error.code)) {
    return new SsoError("invalid_token", describeFailure(error), { cause: error });
  }
  return new SsoError("provider_error", describeFailure(error), { cause: error });
};

export const createOidcClients = (options: { isProduction: boolean }): OidcClients => {
  const cache = new Map<string, { key: string; config: client.Configuration; expiresAt: number }>();

  const discover = async (issuer: string, clientId: string, clientSecret: string): Promise<client.Configuration> => {
    const url = new URL(issuer);
    // Plain http only reaches a provider on this machine (development and tests), never in production.
    const isInsecureAllowed = url.protocol === "http:" && isLoopbackHost(url.hostname) && !options.isProduction;
    if (url.protocol !== "https:" && !isInsecureAllowed) {
      throw new AppError("validation_failed", "The issuer must use https://.", [
        { path: "body.issuer", message: "use https://" },
      ]);
    }
    const discovered = await client.discovery(url, clientId, clientSecret, undefined, {
      execute: isInsecureAllowed ? [client.allowInsecureRequests] : [],
      timeout: PROVIDER_TIMEOUT_SECONDS,
    });
    const metadata = discovered.serverMetadata();
    // OpenID's default is client_secret_basic; use post only for providers that accept nothing else.
    const methods = metadata.token_endpoint_auth_methods_supported ?? ["client_secret_basic"];
    const isPostOnly = !methods.includes("client_secret_basic") && methods.includes("client_secret_post");
    const config = new client.Configuration(
      metadata,
      clientId,
      clientSecret,
      isPostOnly ? client.ClientSecretPost(clientSecret) : client.ClientSecretBasic(clientSecret),
    );
    if (isInsecureAllowed) client.allowInsecureRequests(config);
    config.timeout = PROVIDER_TIMEOUT_SECONDS;
    return config;
  };

  const configFor = async (connection: OidcConnectionRef): Promise<client.Configuration> => {
    const key = `${connection.issuer}|${connection.clientId}|${connection.updatedAt.getTime()}`;
    const cached = cache.get(connection.id);
    if (cached && cached.key === key && cached.expiresAt > Date.now()) return cached.config;
    try {
      const config = await discover(connection.issuer, connection.clientId, connection.clientSecret);
      cache.set(connection.id, { key, config, expiresAt: Date.now() + DISCOVERY_CACHE_MS });
      return config;
    } catch (error) {
      throw new SsoError("provider_error", `discovery of ${connection.issuer} failed: ${describeFailure(error)}`, {
        cause: error,
      });
    }
  };

  return {
    verifyIssuer: async (issuer, clientId, clientSecret) => {
      let metadata: client.ServerMetadata;
      try {
        metadata = (await discover(issuer, clientId, clientSecret)).serverMetadata();
      } catch (error) {
        if (error instanceof AppError) throw error;
        const problem = describeFailure(error);
        throw new AppError(
          "bad_request",
          `The OpenID provider at ${issuer} did not answer discovery (${issuer}/.well-known/openid-configuration): ${problem}.`,
          [{ path: "body.issuer", message: "discovery failed" }],
          { reason: "oidc_discovery_failed", params: { issuer, problem } },
        );
      }
      if (!metadata.authorization_endpoint || !metadata.token_endpoint) {
        throw new AppError(
          "bad_request",
          `The OpenID provider at ${issuer} publishes no authorization or token endpoint; it cannot sign people in.`,
          [{ path: "body.issuer", message: "incomplete discovery document" }],
          { reason: "oidc_endpoints_missing", params: { issuer } },
        );
      }
    },

    authorizationUrl: async (connection, input) => {
      const config = await configFor(connection);
      const url = client.buildAuthorizationUrl(config, {
        redirect_uri: input.redirectUri,
        scope: SCOPE,
        state: input.state,
        nonce: input.nonce,
        code_challenge: await client.calculatePKCECodeChallenge(input.codeVerifier),
        code_challenge_method: "S256",
        ...(input.isGoogle ? { prompt: "select_account" } : {}),
      });
      return url.href;
    },

    completeCallback: async (connection, input) => {
      const config = await configFor(connection);
      let tokens: Awaited<ReturnType<typeof client.authorizationCodeGrant>>;
      try {
        tokens = await client.authorizationCodeGrant(config, input.callbackUrl, {
          pkceCodeVerifier: input.codeVerifier,
          expectedState: input.state,
          expectedNonce: input.nonce,
          idTokenExpected: true,
        });
      } catch (error) {
        throw toSsoError(error);
      }
      const idToken = ZClaims.safeParse(tokens.claims());
      if (!idToken.success) throw new SsoError("invalid_token", "the ID token has no subject");
      let claims = idToken.data;
      // Providers that follow the spec strictly put email only in the UserInfo response, not the ID token.
      if (claims.email === undefined && config.serverMetadata().userinfo_endpoint) {
        try {
          const userInfo = ZClaims.parse(await client.fetchUserInfo(config, tokens.access_token, claims.sub));
          claims = { ...userInfo, ...claims, email: userInfo.email, email_verified: userInfo.email_verified };
        } catch (error) {
          throw toSsoError(error);
        }
      }
      const name = claims.name ?? ([claims.given_name, claims.family_name].filter(Boolean).join(" ") || null);
      return {
        subject: claims.sub,
        email: claims.email ?? null,
        emailVerified: claims.email_verified ?? null,
        name,
      };
    },
  };
};
