import { isAdminRole } from "@parley/shared";
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { Config } from "./config.ts";
import { AppError } from "./errors.ts";
import { isTrustedOrigin, SESSION_COOKIE } from "./origin.ts";
import type { AgentIdentity } from "./realtime.ts";

/**
 * Who may call a route. Every route under /api declares one; the app refuses to start otherwise.
 * `member`: any signed-in member of the workspace; `admin`: its owners and admins.
 */
export type RouteAccess = "public" | "member" | "admin";

declare module "fastify" {
  interface FastifyContextConfig {
    access?: RouteAccess;
  }
  interface FastifyRequest {
    identity: AgentIdentity | null;
  }
}

export type TokenAuthenticator = (token: string) => Promise<AgentIdentity | null>;

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

const bearerToken = (request: FastifyRequest): string | undefined => {
  const header = request.headers.authorization;
  if (!header) return undefined;
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  return match?.[1];
};

/** The signed-in identity of a route that declared `member` or `admin` access. */
export const requireIdentity = (request: FastifyRequest): AgentIdentity => {
  if (!request.identity) throw new AppError("unauthorized", "Sign in to continue.");
  return request.identity;
};

export const registerAccessControl = (
  app: FastifyInstance,
  options: { authenticate: TokenAuthenticator; config: Pick<Config, "publicUrl" | "corsOrigins"> },
): void => {
  app.decorateRequest("identity", null);

  app.addHook("onRoute", (route) => {
    if (route.url.startsWith("/api/v1") && route.config?.access === undefined) {
      throw new Error(`Route ${route.method} ${route.url} declares no access rule (config.access).`);
    }
  });

  app.addHook("onRequest", async (request) => {
    const access = request.routeOptions.config.access;
    if (access === undefined || access === "public") return;

    const headerToken = bearerToken(request);
    const cookieToken = request.cookies[SESSION_COOKIE];
    if (headerToken === undefined && cookieToken !== undefined && !SAFE_METHODS.has(request.method)) {
      if (!isTrustedOrigin(request.headers.origin, request.headers.host, options.config)) {
        throw new AppError("origin_not_allowed", "This page's origin may not use your Parley session.");
      }
    }
    const token = headerToken ?? cookieToken;
    if (!token) throw new AppError("unauthorized", "Sign in to continue: send your session token as a Bearer token.");
    const identity = await options.authenticate(token);
    if (!identity) throw new AppError("unauthorized", "Your session has ended or the token is not valid; sign in again.");
    if (access === "admin" && !isAdminRole(identity.role)) {
      throw new AppError("forbidden", "Only workspace owners and admins can do this.");
    }
    request.identity = identity;
  });
};
