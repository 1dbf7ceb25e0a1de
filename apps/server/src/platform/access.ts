import { isPermission, type Permission } from "@parley/shared";
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { Config } from "./config.ts";
import { AppError } from "./errors.ts";
import { type ClientContext, hasPermission, type RequestIdentity } from "./identity.ts";
import { isTrustedOrigin, SESSION_COOKIE } from "./origin.ts";

/**
 * Who may call a route. Every route under /api declares one; the app refuses to start otherwise.
 * - `public`: anyone;
 * - `authenticated`: any member's session or API key of the workspace (for "my own" things);
 * - a permission name: callers whose role (or API key scope) grants it;
 * - `platform_admin`: Parley operators.
 */
export type RouteAccess = "public" | "authenticated" | "platform_admin" | Permission;

declare module "fastify" {
  interface FastifyContextConfig {
    access?: RouteAccess;
    /** Reachable while the session is restricted (2FA enrolment or password change pending). */
    allowRestricted?: boolean;
  }
  interface FastifyRequest {
    identity: RequestIdentity | null;
  }
}

export type TokenAuthenticator = (token: string, client: ClientContext) => Promise<RequestIdentity | null>;

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

export const isRouteAccess = (value: unknown): value is RouteAccess =>
  value === "public" || value === "authenticated" || value === "platform_admin" || isPermission(value);

const bearerToken = (request: FastifyRequest): string | undefined => {
  const header = request.headers.authorization;
  if (!header) return undefined;
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  return match?.[1];
};

export const clientOf = (request: FastifyRequest): ClientContext => ({
  ip: request.ip,
  userAgent: request.headers["user-agent"],
});

/** The identity of a route that declared anything but `public`. */
export const requireIdentity = (request: FastifyRequest): RequestIdentity => {
  if (!request.identity) throw new AppError("unauthorized", "Sign in to continue.");
  return request.identity;
};

/** For routes about the signed-in person (profile, sessions, 2FA): API keys have no person. */
export const requireMember = (request: FastifyRequest): RequestIdentity & { userId: string; sessionId: string } => {
  const identity = requireIdentity(request);
  if (identity.userId === null || identity.sessionId === null) {
    throw new AppError("forbidden", "This needs a member's signed-in session; API keys cannot use it.");
  }
  return { ...identity, userId: identity.userId, sessionId: identity.sessionId };
};

export const registerAccessControl = (
  app: FastifyInstance,
  options: { authenticate: TokenAuthenticator; config: Pick<Config, "publicUrl" | "corsOrigins"> },
): void => {
  app.decorateRequest("identity", null);

  app.addHook("onRoute", (route) => {
    if (route.url.startsWith("/api/v1") && !isRouteAccess(route.config?.access)) {
      throw new Error(`Route ${route.method} ${route.url} declares no valid access rule (config.access).`);
    }
  });

  app.addHook("onRequest", async (request) => {
    const { access, allowRestricted } = request.routeOptions.config;
    if (access === undefined || access === "public") return;

    const headerToken = bearerToken(request);
    const cookieToken = request.cookies[SESSION_COOKIE];
    if (headerToken === undefined && cookieToken !== undefined && !SAFE_METHODS.has(request.method)) {
      if (!isTrustedOrigin(request.headers.origin, request.headers.host, options.config)) {
        throw new AppError("origin_not_allowed", "This page's origin may not use your Parley session.");
      }
    }
    const token = headerToken ?? cookieToken;
    if (!token) throw new AppError("unauthorized", "Sign in to continue: send your session token or API key as a Bearer token.");
    const identity = await options.authenticate(token, clientOf(request));
    if (!identity) throw new AppError("unauthorized", "Your session has ended or the token is not valid; sign in again.");
    request.identity = identity;

    if (identity.restriction !== null && !allowRestricted) {
      throw new AppError(
        identity.restriction,
        identity.restriction === "two_factor_enrolment_required"
          ? "This workspace requires two-factor authentication: set it up to continue."
          : "Your password has expired under this workspace's policy: choose a new one to continue.",
      );
    }
    if (access === "platform_admin") {
      if (!identity.isPlatformAdmin) throw new AppError("forbidden", "Only Parley operators can do this.");
      return;
    }
    if (access !== "authenticated" && !hasPermission(identity, access)) {
      throw new AppError(
        "forbidden",
        `You need the "${access}" permission to do this.`,
        { permission: access },
        { reason: "permission_required", params: { permission: access } },
      );
    }
  });
};
