import type { TSessionResponse } from "@parley/shared";
import { randomNonce, randomPKCECodeVerifier, randomState } from "openid-client";
import type { SecretBox } from "../../platform/crypto.ts";
import type { Database } from "../../platform/db.ts";
import type { ClientContext } from "../../platform/identity.ts";
import type { RealtimePublisher } from "../../platform/realtime.ts";
import type { AuditActor } from "../audit/audit.service.ts";
import type { SessionPolicy } from "../auth/sign-in.ts";
import type { OidcClients, OidcConnectionRef } from "./oidc.ts";
import { consumeSamlResponse, startSamlSignIn } from "./saml.ts";
import { oidcSettingsOf, type SsoConnectionRow, ssoUrls } from "./sso-connection.ts";
import { findConnectionById } from "./sso-connections.service.ts";
import { SsoError } from "./sso-error.ts";
import { consumeLoginState, saveLoginState } from "./sso-login-states.ts";
import { signInWithSso } from "./sso-users.ts";

export type SignInDeps = {
  db: Database;
  realtime: RealtimePublisher;
  secrets: SecretBox;
  oidc: OidcClients;
  publicUrl: string;
  policy: SessionPolicy;
};

/** Who signs in and from where; the audit label (their email) is only known once the IdP answered. */
export type SignInRequest = { client: ClientContext; actorFor: (label: string) => AuditActor };

export type CompletedSignIn = { session: TSessionResponse; redirectTo: string };

const enabledConnection = async (db: Database, id: string): Promise<SsoConnectionRow> => {
  const connection = await findConnectionById(db, id);
  if (!connection?.isEnabled) throw new SsoError("connection_unavailable", `connection ${id} is missing or disabled`);
  return connection;
};

const oidcRefOf = (secrets: SecretBox, connection: SsoConnectionRow): OidcConnectionRef => {
  if (connection.secret === null) throw new SsoError("connection_unavailable", "the connection has no client secret");
  return {
    id: connection.id,
    ...oidcSettingsOf(connection),
    clientSecret: secrets.decrypt(connection.secret),
    updatedAt: connection.updatedAt,
  };
};

/**
 * Where to send the browser to sign in. For OIDC, `browserState` must be stored in the browser
 * (a cookie) and presented again at the callback.
 */
export const startSsoSignIn = async (
  deps: SignInDeps,
  input: { connectionId: string; redirectTo: string },
): Promise<{ redirectUrl: string; browserState: string | null }> => {
  const connection = await enabledConnection(deps.db, input.connectionId);
  if (connection.protocol === "saml") {
    return { redirectUrl: await startSamlSignIn(deps.db, deps.publicUrl, connection, input.redirectTo), browserState: null };
  }
  const state = randomState();
  const nonce = randomNonce();
  const codeVerifier = randomPKCECodeVerifier();
  const redirectUrl = await deps.oidc.authorizationUrl(oidcRefOf(deps.secrets, connection), {
    redirectUri: ssoUrls(deps.publicUrl, connection.id).oidcRedirectUri,
    state,
    nonce,
    codeVerifier,
    isGoogle: connection.provider === "google",
  });
  await saveLoginState(deps.db, { connectionId: connection.id, state, nonce, codeVerifier, redirectTo: input.redirectTo });
  return { redirectUrl, browserState: state };
};

export const completeOidcSignIn = async (
  deps: SignInDeps,
  input: SignInRequest & { state: string | undefined; browserState: string | undefined; query: string },
): Promise<CompletedSignIn> => {
  const { state } = input;
  // Login CSRF: a callback only completes in the browser that started the sign-in.
  if (!state || state !== input.browserState) {
    throw new SsoError("invalid_state", "the state is missing or was not issued to this browser");
  }
  const pending = await consumeLoginState(deps.db, state);
  if (!pending?.nonce || !pending.codeVerifier) throw new SsoError("invalid_state", "unknown, used or expired state");
  const connection = await enabledConnection(deps.db, pending.connectionId);
  if (connection.protocol !== "oidc") throw new SsoError("invalid_state", "the state belongs to a SAML connection");
  // The provider answered the URL registered from PUBLIC_URL, whatever host this request came through.
  const callbackUrl = new URL(ssoUrls(deps.publicUrl, connection.id).oidcRedirectUri);
  callbackUrl.search = input.query;
  const profile = await deps.oidc.completeCallback(oidcRefOf(deps.secrets, connection), {
    callbackUrl,
    state,
    nonce: pending.nonce,
    codeVerifier: pending.codeVerifier,
  });
  const session = await signInWithSso(deps, {
    connection,
    profile,
    client: input.client,
    actor: input.actorFor(profile.email ?? profile.subject),
  });
  return { session, redirectTo: pending.redirectTo ?? "/" };
};

export const completeSamlSignIn = async (
  deps: SignInDeps,
  input: SignInRequest & { connectionId: string; samlResponse: string },
): Promise<CompletedSignIn> => {
  const connection = await enabledConnection(deps.db, input.connectionId);
  if (connection.protocol !== "saml") throw new SsoError("connection_unavailable", "not a SAML connection");
  const { profile, redirectTo } = await consumeSamlResponse(deps.db, deps.publicUrl, connection, input.samlResponse);
  const session = await signInWithSso(deps, {
    connection,
    profile,
    client: input.client,
    actor: input.actorFor(profile.email ?? profile.subject),
  });
  return { session, redirectTo };
};
