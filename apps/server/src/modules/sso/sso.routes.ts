import {
  ZCreateSsoConnectionRequest,
  ZErrorResponse,
  ZSsoConnection,
  ZSsoConnectionList,
  ZSsoConnectionParams,
  ZSsoDiscoverRequest,
  ZSsoDiscoverResponse,
  ZSsoStartParams,
  ZSsoStartQuery,
  ZUpdateSsoConnectionRequest,
} from "@parley/shared";
import type { FastifyReply, FastifyRequest } from "fastify";
import type { FastifyPluginAsyncZod, ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { clientOf, requireIdentity } from "../../platform/access.ts";
import { AppError } from "../../platform/errors.ts";
import type { AuthRouteOptions } from "../../platform/route-options.ts";
import { actorOf, anonymousActor } from "../audit/audit.service.ts";
import { setSessionCookie } from "../auth/session-cookie.ts";
import { createOidcClients } from "./oidc.ts";
import { samlMetadataXml } from "./saml.ts";
import {
  type ConnectionDeps,
  createConnection,
  deleteConnection,
  discoverConnection,
  findConnectionById,
  getConnection,
  listConnections,
  updateConnection,
} from "./sso-connections.service.ts";
import { isSsoError, SsoError } from "./sso-error.ts";
import { LOGIN_STATE_TTL_MS } from "./sso-login-states.ts";
import {
  type CompletedSignIn,
  completeOidcSignIn,
  completeSamlSignIn,
  type SignInDeps,
  type SignInRequest,
  startSsoSignIn,
} from "./sso-sign-in.service.ts";

/** Binds an OIDC sign-in to the browser that started it, so a stolen callback URL cannot sign someone else in. */
const STATE_COOKIE = "parley_sso_state";
const STATE_COOKIE_PATH = "/api/v1/auth/sso";

const ZRedirect = z.null().describe("Redirects the browser: to the identity provider, the app, or /login?sso_error=<code>.");

const ZOidcCallbackQuery = z.looseObject({
  state: z.string().max(2000).optional(),
  code: z.string().max(4000).optional(),
  error: z.string().max(500).optional(),
  error_description: z.string().max(2000).optional(),
});

const ZSamlAcsBody = z.looseObject({
  SAMLResponse: z.string().min(1, { message: "Post the SAMLResponse from the identity provider." }).max(500_000),
  RelayState: z.string().max(2000).optional(),
});

export const ssoRoutes: FastifyPluginAsyncZod<AuthRouteOptions> = async (app, options) => {
  const { db, config, realtime, secrets } = app.parley;
  const { publicUrl } = config;
  const policy = { ttlDays: config.sessionTtlDays };
  const rateLimit = { max: options.authRateLimitPerMinute, timeWindow: "1 minute" };
  const oidc = createOidcClients({ isProduction: config.env === "production" });
  const connectionDeps: ConnectionDeps = { db, realtime, secrets, publicUrl, verifyOidcIssuer: oidc.verifyIssuer };

  const signInDeps: SignInDeps = { db, realtime, secrets, oidc, publicUrl, policy };

  const signInRequest = (request: FastifyRequest): SignInRequest => ({
    client: clientOf(request),
    actorFor: (label) => anonymousActor(label, request),
  });

  /** Failures land on the login page with a stable code, never on a JSON page. */
  const redirectToLogin = (request: FastifyRequest, reply: FastifyReply, error: unknown, status: 302 | 303 = 302) => {
    const sso = isSsoError(error) ? error : new SsoError("server_error", "unexpected failure", { cause: error });
    if (sso.code === "server_error") request.log.error({ err: error }, "single sign-on failed");
    else request.log.info({ code: sso.code, reason: sso.message }, "single sign-on refused");
    return reply.redirect(`${publicUrl}/login?sso_error=${sso.code}`, status);
  };

  const redirectSignedIn = (reply: FastifyReply, completed: CompletedSignIn, status: 302 | 303) => {
    setSessionCookie(reply, config, completed.session);
    return reply.redirect(`${publicUrl}${completed.redirectTo}`, status);
  };

  // --- Administration -------------------------------------------------------------------------

  app.get("/sso/connections", {
    config: { access: "security.manage" },
    schema: {
      tags: ["sso"],
      summary: "The workspace's single sign-on connections, with the values to configure at the identity provider",
      response: { 200: ZSsoConnectionList, 401: ZErrorResponse, 403: ZErrorResponse },
    },
    handler: async (request) => ({ items: await listConnections(db, publicUrl, requireIdentity(request).workspaceId) }),
  });

  app.post("/sso/connections", {
    config: { access: "security.manage" },
    schema: {
      tags: ["sso"],
      summary: "Connect Google, an OpenID Connect provider (checked by discovery) or a SAML 2.0 identity provider",
      body: ZCreateSsoConnectionRequest,
      response: { 201: ZSsoConnection, 400: ZErrorResponse, 401: ZErrorResponse, 403: ZErrorResponse, 409: ZErrorResponse },
    },
    handler: async (request, reply) => {
      const identity = requireIdentity(request);
      const connection = await createConnection(connectionDeps, identity.workspaceId, request.body, actorOf(identity, request));
      return reply.status(201).send(connection);
    },
  });

  app.get("/sso/connections/:id", {
    config: { access: "security.manage" },
    schema: {
      tags: ["sso"],
      summary: "One single sign-on connection",
      params: ZSsoConnectionParams,
      response: { 200: ZSsoConnection, 400: ZErrorResponse, 401: ZErrorResponse, 403: ZErrorResponse, 404: ZErrorResponse },
    },
    handler: async (request) => getConnection(db, publicUrl, requireIdentity(request).workspaceId, request.params.id),
  });

  app.patch("/sso/connections/:id", {
    config: { access: "security.manage" },
    schema: {
      tags: ["sso"],
      summary: "Change a connection: name, domains, default role, enforcement, provider settings or secret",
      params: ZSsoConnectionParams,
      body: ZUpdateSsoConnectionRequest,
      response: {
        200: ZSsoConnection,
        400: ZErrorResponse,
        401: ZErrorResponse,
        403: ZErrorResponse,
        404: ZErrorResponse,
        409: ZErrorResponse,
      },
    },
    handler: async (request) => {
      const identity = requireIdentity(request);
      return updateConnection(connectionDeps, identity.workspaceId, request.params.id, request.body, actorOf(identity, request));
    },
  });

  app.delete("/sso/connections/:id", {
    config: { access: "security.manage" },
    schema: {
      tags: ["sso"],
      summary: "Remove a connection; its members keep their accounts and sign in another way",
      params: ZSsoConnectionParams,
      response: { 204: z.null(), 400: ZErrorResponse, 401: ZErrorResponse, 403: ZErrorResponse, 404: ZErrorResponse },
    },
    handler: async (request, reply) => {
      const identity = requireIdentity(request);
      await deleteConnection(connectionDeps, identity.workspaceId, request.params.id, actorOf(identity, request));
      return reply.status(204).send(null);
    },
  });

  // --- Signing in -----------------------------------------------------------------------------

  app.post("/auth/sso/discover", {
    config: { access: "public", rateLimit },
    schema: {
      tags: ["sso"],
      summary: "Continue with SSO: the connection for an email's domain, and where to start",
      body: ZSsoDiscoverRequest,
      response: { 200: ZSsoDiscoverResponse, 400: ZErrorResponse, 404: ZErrorResponse, 429: ZErrorResponse },
    },
    handler: async (request) => discoverConnection(db, publicUrl, request.body.email),
  });

  app.get("/auth/sso/:connectionId/start", {
    config: { access: "public", rateLimit },
    schema: {
      tags: ["sso"],
      summary: "Send the browser to the identity provider (OIDC with state, nonce and PKCE; or a SAML AuthnRequest)",
      params: ZSsoStartParams,
      querystring: ZSsoStartQuery,
      response: { 302: ZRedirect, 400: ZErrorResponse, 429: ZErrorResponse },
    },
    handler: async (request, reply) => {
      try {
        const { redirectUrl, browserState } = await startSsoSignIn(signInDeps, {
          connectionId: request.params.connectionId,
          redirectTo: request.query.redirectTo ?? "/",
        });
        if (browserState !== null) {
          reply.setCookie(STATE_COOKIE, browserState, {
            path: STATE_COOKIE_PATH,
            httpOnly: true,
            sameSite: "lax",
            secure: publicUrl.startsWith("https://"),
            maxAge: LOGIN_STATE_TTL_MS / 1000,
          });
        }
        return reply.redirect(redirectUrl);
      } catch (error) {
        return redirectToLogin(request, reply, error);
      }
    },
  });

  app.get("/auth/sso/oidc/callback", {
    config: { access: "public", rateLimit },
    schema: {
      tags: ["sso"],
      summary: "Where the OpenID provider returns the browser: verifies the ID token, signs in and redirects",
      querystring: ZOidcCallbackQuery,
      response: { 302: ZRedirect, 400: ZErrorResponse, 429: ZErrorResponse },
    },
    handler: async (request, reply) => {
      const browserState = request.cookies[STATE_COOKIE];
      reply.clearCookie(STATE_COOKIE, { path: STATE_COOKIE_PATH });
      const queryStart = request.url.indexOf("?");
      try {
        const completed = await completeOidcSignIn(signInDeps, {
          ...signInRequest(request),
          state: request.query.state,
          browserState,
          query: queryStart === -1 ? "" : request.url.slice(queryStart),
        });
        return redirectSignedIn(reply, completed, 302);
      } catch (error) {
        return redirectToLogin(request, reply, error);
      }
    },
  });

  app.get("/auth/sso/saml/:connectionId/metadata", {
    config: { access: "public" },
    schema: {
      tags: ["sso"],
      summary: "SAML service provider metadata (XML) to import into the identity provider",
      params: ZSsoStartParams,
      response: { 200: z.string().describe("EntityDescriptor XML"), 400: ZErrorResponse, 404: ZErrorResponse },
    },
    handler: async (request, reply) => {
      const connection = await findConnectionById(db, request.params.connectionId);
      if (connection?.protocol !== "saml") throw new AppError("not_found", "There is no SAML connection with this id.");
      // XML, not JSON: the text is sent as it is.
      return reply.serializer(String).type("application/samlmetadata+xml").send(samlMetadataXml(connection, publicUrl));
    },
  });

  // Identity providers post form-encoded responses; the parser is registered for this route alone.
  await app.register(async (plugin) => {
    const acs = plugin.withTypeProvider<ZodTypeProvider>();
    acs.addContentTypeParser("application/x-www-form-urlencoded", { parseAs: "string" }, (_request, body, done) => {
      done(null, Object.fromEntries(new URLSearchParams(typeof body === "string" ? body : body.toString("utf8"))));
    });

    acs.post("/auth/sso/saml/:connectionId/acs", {
      config: { access: "public", rateLimit },
      schema: {
        tags: ["sso"],
        summary: "SAML assertion consumer service (HTTP-POST binding): verifies the response, signs in and redirects",
        params: ZSsoStartParams,
        body: ZSamlAcsBody,
        response: { 303: ZRedirect, 400: ZErrorResponse, 415: ZErrorResponse, 429: ZErrorResponse },
      },
      handler: async (request, reply) => {
        try {
          const completed = await completeSamlSignIn(signInDeps, {
            ...signInRequest(request),
            connectionId: request.params.connectionId,
            samlResponse: request.body.SAMLResponse,
          });
          return redirectSignedIn(reply, completed, 303);
        } catch (error) {
          return redirectToLogin(request, reply, error, 303);
        }
      },
    });
  });
};
