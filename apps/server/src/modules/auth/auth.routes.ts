import { createHash } from "node:crypto";
import { ZErrorResponse, ZLoginRequest, ZMeResponse, ZSessionResponse, ZSignupRequest } from "@parley/shared";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { clientOf, requireMember } from "../../platform/access.ts";
import { AppError } from "../../platform/errors.ts";
import { SESSION_COOKIE } from "../../platform/origin.ts";
import type { AuthRouteOptions } from "../../platform/route-options.ts";
import { actorOf, anonymousActor, audit } from "../audit/audit.service.ts";
import { getMe, logIn, signUp } from "./auth.service.ts";
import { endSession } from "./authenticate.ts";
import { setSessionCookie } from "./session-cookie.ts";

/** The dashboard's session cookie; every route that opens a session sets it the same way. */

/** The per-IP limit counts per minute; the per-account limit counts the same number per quarter hour. */
const ACCOUNT_LIMIT_WINDOW_MS = 15 * 60_000;

const ZEmailBody = z.object({ email: z.string() });

const describeWait = (seconds: number) =>
  seconds < 90
    ? `${seconds} seconds`
    : seconds < 5400
      ? `${Math.ceil(seconds / 60)} minutes`
      : `${Math.ceil(seconds / 3600)} hours`;

/**
 * A limit per account, keyed by the email in the (already validated) body, so guesses spread over
 * many addresses still stop. Registered or not, an email gets the same counter and the same answer.
 * Each attempt over the limit doubles the wait (exponential backoff). Shared through Redis when set.
 */
export const accountRateLimit = (app: FastifyInstance, scope: string, max: number) => {
  const options = {
    max,
    timeWindow: ACCOUNT_LIMIT_WINDOW_MS,
    exponentialBackoff: true,
    keyGenerator: (request: FastifyRequest) => {
      const body = ZEmailBody.safeParse(request.body);
      // Hashed so the shared store (Redis) holds no email addresses.
      const email = body.success ? body.data.email.trim().toLowerCase() : "";
      return `account:${scope}:${createHash("sha256").update(email).digest("base64url")}`;
    },
  };
  const limiter = app.createRateLimit(options);
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const result = await limiter(request);
    if (result.isAllowed || !result.isExceeded) return;
    reply.header("retry-after", String(result.ttlInSeconds));
    throw new AppError("rate_limited", `Too many attempts for this account. Try again in ${describeWait(result.ttlInSeconds)}.`);
  };
};

export const authRoutes: FastifyPluginAsyncZod<AuthRouteOptions> = async (app, options) => {
  const services = app.parley;
  const { db, config, realtime } = services;
  const policy = { ttlDays: config.sessionTtlDays };
  const rateLimit = { max: options.authRateLimitPerMinute, timeWindow: "1 minute" };

  app.post("/auth/signup", {
    config: { access: "public", rateLimit },
    schema: {
      tags: ["auth"],
      summary: "Create an account and its workspace; returns a session",
      body: ZSignupRequest,
      response: { 201: ZSessionResponse, 400: ZErrorResponse, 409: ZErrorResponse, 429: ZErrorResponse },
    },
    handler: async (request, reply) => {
      const session = await signUp(
        services,
        request.body,
        clientOf(request),
        policy,
        anonymousActor(request.body.email, request),
      );
      setSessionCookie(reply, config, session);
      return reply.status(201).send(session);
    },
  });

  app.post("/auth/login", {
    config: { access: "public", rateLimit },
    preHandler: accountRateLimit(app, "login", options.authRateLimitPerMinute),
    schema: {
      tags: ["auth"],
      summary: "Sign in with email and password; returns a session, or 401 two_factor_required with a challenge token",
      body: ZLoginRequest,
      response: { 200: ZSessionResponse, 400: ZErrorResponse, 401: ZErrorResponse, 403: ZErrorResponse, 429: ZErrorResponse },
    },
    handler: async (request, reply) => {
      const session = await logIn(
        db,
        realtime,
        request.body,
        clientOf(request),
        policy,
        anonymousActor(request.body.email, request),
      );
      setSessionCookie(reply, config, session);
      return session;
    },
  });

  app.post("/auth/logout", {
    config: { access: "authenticated", allowRestricted: true },
    schema: {
      tags: ["auth"],
      summary: "End the current session on every tab and socket",
      response: { 204: z.null(), 401: ZErrorResponse, 403: ZErrorResponse },
    },
    handler: async (request, reply) => {
      const member = requireMember(request);
      await endSession(db, member.sessionId, "logout");
      realtime.disconnectSession(member.sessionId);
      await audit(db, realtime, {
        workspaceId: member.workspaceId,
        actor: actorOf(member, request),
        action: "auth.signed_out",
        target: { type: "session", id: member.sessionId },
      });
      reply.clearCookie(SESSION_COOKIE, { path: "/" });
      return reply.status(204).send(null);
    },
  });

  app.get("/me", {
    config: { access: "authenticated", allowRestricted: true },
    schema: {
      tags: ["auth"],
      summary: "The signed-in member, the current workspace, role, permissions and any pending restriction",
      response: { 200: ZMeResponse, 401: ZErrorResponse, 403: ZErrorResponse },
    },
    handler: async (request) => getMe(db, requireMember(request)),
  });
};
