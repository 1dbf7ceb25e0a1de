import { ZErrorResponse, ZLoginRequest, ZMeResponse, ZSessionResponse, ZSignupRequest } from "@parley/shared";
import type { FastifyReply } from "fastify";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { clientOf, requireMember } from "../../platform/access.ts";
import { SESSION_COOKIE } from "../../platform/origin.ts";
import type { AuthRouteOptions } from "../../platform/route-options.ts";
import { actorOf, anonymousActor, audit } from "../audit/audit.service.ts";
import { getMe, logIn, signUp } from "./auth.service.ts";
import { endSession } from "./authenticate.ts";

export const authRoutes: FastifyPluginAsyncZod<AuthRouteOptions> = async (app, options) => {
  const { db, config, realtime } = app.parley;
  const policy = { ttlDays: config.sessionTtlDays };
  const isSecureCookie = config.publicUrl.startsWith("https://");
  const rateLimit = { max: options.authRateLimitPerMinute, timeWindow: "1 minute" };

  const setSessionCookie = (reply: FastifyReply, token: string, expiresAt: string) =>
    reply.setCookie(SESSION_COOKIE, token, {
      path: "/",
      httpOnly: true,
      sameSite: "lax",
      secure: isSecureCookie,
      expires: new Date(expiresAt),
    });

  app.post("/auth/signup", {
    config: { access: "public", rateLimit },
    schema: {
      tags: ["auth"],
      summary: "Create an account and its workspace; returns a session",
      body: ZSignupRequest,
      response: { 201: ZSessionResponse, 400: ZErrorResponse, 409: ZErrorResponse, 429: ZErrorResponse },
    },
    handler: async (request, reply) => {
      const session = await signUp(db, request.body, clientOf(request), policy, anonymousActor(request.body.email, request));
      setSessionCookie(reply, session.token, session.expiresAt);
      return reply.status(201).send(session);
    },
  });

  app.post("/auth/login", {
    config: { access: "public", rateLimit },
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
      setSessionCookie(reply, session.token, session.expiresAt);
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
