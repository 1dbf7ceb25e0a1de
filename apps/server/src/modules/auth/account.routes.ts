import {
  ZAccountChangeDone,
  ZAccountSessionList,
  ZAccountSessionParams,
  ZChangePasswordRequest,
  ZChangePasswordResponse,
  ZEndOtherSessionsResponse,
  ZErrorResponse,
  ZLoginCodeRequest,
  ZLoginCodeVerifyRequest,
  ZMailRequestAccepted,
  ZPasswordResetRequest,
  ZPasswordResetStartRequest,
  ZSessionResponse,
  ZUpdatePreferencesRequest,
  ZUpdateProfileRequest,
  ZUser,
  ZUserPreferences,
  ZVerifyEmailRequest,
} from "@parley/shared";
import type { FastifyRequest } from "fastify";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { clientOf, requireMember } from "../../platform/access.ts";
import { SESSION_COOKIE } from "../../platform/origin.ts";
import type { AuthRouteOptions } from "../../platform/route-options.ts";
import { actorOf, anonymousActor } from "../audit/audit.service.ts";
import {
  changePassword,
  requestLoginCode,
  requestPasswordReset,
  resendEmailVerification,
  resetPassword,
  updateProfile,
  verifyEmail,
  verifyLoginCode,
} from "./account.service.ts";
import { endOtherSessions, endOwnSession, listOwnSessions } from "./account-sessions.service.ts";
import { accountRateLimit } from "./auth.routes.ts";
import { getPreferences, updatePreferences } from "./preferences.service.ts";
import { setSessionCookie } from "./session-cookie.ts";

// One body for known and unknown addresses: the answer must not tell who has an account.
const LOGIN_CODE_ACCEPTED = {
  message: "If an account uses this email, a sign-in code is on its way. It expires in 10 minutes.",
};
const PASSWORD_RESET_ACCEPTED = {
  message: "If an account uses this email, a link to reset its password is on its way. It expires in 1 hour.",
};

const memberKey = (request: FastifyRequest) => request.identity?.userId ?? request.ip;

/** Email verification, passwordless sign-in, password reset and change, profile and the member's own sessions. */
export const accountRoutes: FastifyPluginAsyncZod<AuthRouteOptions> = async (app, options) => {
  const services = app.parley;
  const { config } = services;
  const policy = { ttlDays: config.sessionTtlDays };
  const perIp = { max: options.authRateLimitPerMinute, timeWindow: "1 minute" };
  const perMember = { ...perIp, hook: "preHandler" as const, keyGenerator: memberKey };
  const limited = { 429: ZErrorResponse };

  app.post("/auth/verify-email", {
    config: { access: "public", rateLimit: perIp },
    schema: {
      tags: ["account"],
      summary: "Confirm the email address with the token from the verification link",
      body: ZVerifyEmailRequest,
      response: { 200: ZAccountChangeDone, 400: ZErrorResponse, ...limited },
    },
    handler: async (request) => {
      await verifyEmail(services, request.body.token, anonymousActor("", request));
      return { ok: true as const };
    },
  });

  app.post("/auth/verify-email/resend", {
    config: {
      access: "authenticated",
      allowRestricted: true,
      // Each one sends mail: a few per quarter hour is all a person needs.
      rateLimit: { max: 3, timeWindow: "15 minutes", hook: "preHandler", keyGenerator: memberKey },
    },
    schema: {
      tags: ["account"],
      summary: "Send the email verification link again",
      response: { 202: ZMailRequestAccepted, 401: ZErrorResponse, 403: ZErrorResponse, 409: ZErrorResponse, ...limited },
    },
    handler: async (request, reply) => {
      const member = requireMember(request);
      await resendEmailVerification(services, member, actorOf(member, request));
      return reply.status(202).send({ message: "A new confirmation link is on its way. It expires in 24 hours." });
    },
  });

  app.post("/auth/login-code/request", {
    config: { access: "public", rateLimit: perIp },
    preHandler: accountRateLimit(app, "login-code-request", options.authRateLimitPerMinute),
    schema: {
      tags: ["account"],
      summary: "Email a 6-digit sign-in code; the answer is the same whether or not the account exists",
      body: ZLoginCodeRequest,
      response: { 202: ZMailRequestAccepted, 400: ZErrorResponse, ...limited },
    },
    handler: async (request, reply) => {
      await requestLoginCode(services, request.body.email, anonymousActor(request.body.email, request));
      return reply.status(202).send(LOGIN_CODE_ACCEPTED);
    },
  });

  app.post("/auth/login-code/verify", {
    config: { access: "public", rateLimit: perIp },
    preHandler: accountRateLimit(app, "login-code-verify", options.authRateLimitPerMinute),
    schema: {
      tags: ["account"],
      summary: "Sign in with the emailed code; returns a session, or 401 two_factor_required with a challenge token",
      body: ZLoginCodeVerifyRequest,
      response: { 200: ZSessionResponse, 400: ZErrorResponse, 401: ZErrorResponse, 403: ZErrorResponse, ...limited },
    },
    handler: async (request, reply) => {
      const session = await verifyLoginCode(
        services,
        request.body,
        clientOf(request),
        policy,
        anonymousActor(request.body.email, request),
      );
      setSessionCookie(reply, config, session);
      return session;
    },
  });

  app.post("/auth/password-reset/request", {
    config: { access: "public", rateLimit: perIp },
    preHandler: accountRateLimit(app, "password-reset-request", options.authRateLimitPerMinute),
    schema: {
      tags: ["account"],
      summary: "Email a password reset link; the answer is the same whether or not the account exists",
      body: ZPasswordResetStartRequest,
      response: { 202: ZMailRequestAccepted, 400: ZErrorResponse, ...limited },
    },
    handler: async (request, reply) => {
      await requestPasswordReset(services, request.body.email, anonymousActor(request.body.email, request));
      return reply.status(202).send(PASSWORD_RESET_ACCEPTED);
    },
  });

  app.post("/auth/password-reset", {
    config: { access: "public", rateLimit: perIp },
    schema: {
      tags: ["account"],
      summary: "Set a new password with the token from the reset link; signs the account out everywhere",
      body: ZPasswordResetRequest,
      response: { 200: ZAccountChangeDone, 400: ZErrorResponse, ...limited },
    },
    handler: async (request) => {
      await resetPassword(services, request.body, anonymousActor("", request));
      return { ok: true as const };
    },
  });

  app.post("/me/password", {
    // Reachable while restricted: an expired password must be changeable.
    config: { access: "authenticated", allowRestricted: true, rateLimit: perMember },
    schema: {
      tags: ["account"],
      summary: "Change your password; your other sessions end, this one stays",
      body: ZChangePasswordRequest,
      response: { 200: ZChangePasswordResponse, 400: ZErrorResponse, 401: ZErrorResponse, 403: ZErrorResponse, ...limited },
    },
    handler: async (request) => {
      const member = requireMember(request);
      return changePassword(services, member, request.body, actorOf(member, request));
    },
  });

  app.patch("/me", {
    config: { access: "authenticated" },
    schema: {
      tags: ["account"],
      summary: "Update your profile",
      body: ZUpdateProfileRequest,
      response: { 200: ZUser, 400: ZErrorResponse, 401: ZErrorResponse, 403: ZErrorResponse },
    },
    handler: async (request) => {
      const member = requireMember(request);
      return updateProfile(services, member, request.body, actorOf(member, request));
    },
  });

  app.get("/me/preferences", {
    config: { access: "authenticated" },
    schema: {
      tags: ["account"],
      summary: "Your language and notification settings, which follow you to every device",
      response: { 200: ZUserPreferences, 401: ZErrorResponse, 403: ZErrorResponse },
    },
    handler: async (request) => getPreferences(services.db, requireMember(request).userId),
  });

  app.patch("/me/preferences", {
    config: { access: "authenticated" },
    schema: {
      tags: ["account"],
      summary: "Change some of your settings; keys left out (and notification switches left out) keep their value",
      body: ZUpdatePreferencesRequest,
      response: { 200: ZUserPreferences, 400: ZErrorResponse, 401: ZErrorResponse, 403: ZErrorResponse },
    },
    handler: async (request) => {
      const member = requireMember(request);
      return updatePreferences(services, member, request.body, actorOf(member, request));
    },
  });

  app.get("/me/sessions", {
    config: { access: "authenticated" },
    schema: {
      tags: ["account"],
      summary: "Your signed-in devices, most recently active first",
      response: { 200: ZAccountSessionList, 401: ZErrorResponse, 403: ZErrorResponse },
    },
    handler: async (request) => ({ items: await listOwnSessions(services.db, requireMember(request)) }),
  });

  app.delete("/me/sessions/:id", {
    config: { access: "authenticated" },
    schema: {
      tags: ["account"],
      summary: "Sign one of your sessions out and close its sockets",
      params: ZAccountSessionParams,
      response: { 204: z.null(), 400: ZErrorResponse, 401: ZErrorResponse, 403: ZErrorResponse, 404: ZErrorResponse },
    },
    handler: async (request, reply) => {
      const member = requireMember(request);
      await endOwnSession(services, member, request.params.id, actorOf(member, request));
      if (request.params.id === member.sessionId) reply.clearCookie(SESSION_COOKIE, { path: "/" });
      return reply.status(204).send(null);
    },
  });

  app.post("/me/sessions/end-others", {
    config: { access: "authenticated" },
    schema: {
      tags: ["account"],
      summary: "Log out everywhere else: end all your sessions but this one",
      response: { 200: ZEndOtherSessionsResponse, 401: ZErrorResponse, 403: ZErrorResponse },
    },
    handler: async (request) => {
      const member = requireMember(request);
      return { ended: await endOtherSessions(services, member, actorOf(member, request)) };
    },
  });
};
