import { ZErrorResponse, ZLoginRequest, ZMeResponse, ZSessionResponse, ZSignupRequest } from "@parley/shared";
import type { FastifyReply, FastifyRequest } from "fastify";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { requireIdentity } from "../../platform/access.ts";
import { SESSION_COOKIE } from "../../platform/origin.ts";
import { getMe, logIn, revokeSession, signUp } from "./auth.service.ts";

const clientOf = (request: FastifyRequest) => ({ ip: request.ip, userAgent: request.headers["user-agent"] });

export const authRoutes: FastifyPluginAsyncZod<{ authRateLimitPerMinute: number }> = async (app, options) => {
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
      const session = await signUp(db, request.body, clientOf(request), policy);
      setSessionCookie(reply, session.token, session.expiresAt);
      return reply.status(201).send(session);
    },
  });

  app.post("/auth/login", {
    config: { access: "public", rateLimit },
    schema: {
      tags: ["auth"],
      summary: "Sign in with email and password; returns a session",
      body: ZLoginRequest,
      response: { 200: ZSessionResponse, 400: ZErrorResponse, 401: ZErrorResponse, 429: ZErrorResponse },
    },
    handler: async (request, reply) => {
      const session = await logIn(db, request.body, clientOf(request), policy);
      setSessionCookie(reply, session.token, session.expiresAt);
      return session;
    },
  });

  app.post("/auth/logout", {
    config: { access: "member" },
    schema: {
      tags: ["auth"],
      summary: "End the current session on every device tab and socket",
      response: { 204: z.null(), 401: ZErrorResponse },
    },
    handler: async (request, reply) => {
      const identity = requireIdentity(request);
      await revokeSession(db, identity.sessionId);
      realtime.disconnectSession(identity.sessionId);
      reply.clearCookie(SESSION_COOKIE, { path: "/" });
      return reply.status(204).send(null);
    },
  });

  app.get("/me", {
    config: { access: "member" },
    schema: {
      tags: ["auth"],
      summary: "The signed-in user, the current workspace and role",
      response: { 200: ZMeResponse, 401: ZErrorResponse },
    },
    handler: async (request) => getMe(db, requireIdentity(request)),
  });
};
