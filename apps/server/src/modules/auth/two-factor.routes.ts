import {
  ZBackupCodesResponse,
  ZConfirmTwoFactorRequest,
  ZConfirmTwoFactorResponse,
  ZDisableTwoFactorRequest,
  ZErrorResponse,
  ZRegenerateBackupCodesRequest,
  ZSessionResponse,
  ZTwoFactorEnrolment,
  ZTwoFactorStatus,
  ZVerifyTwoFactorRequest,
} from "@parley/shared";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { clientOf, requireMember } from "../../platform/access.ts";
import type { AuthRouteOptions } from "../../platform/route-options.ts";
import { actorOf, anonymousActor } from "../audit/audit.service.ts";
import { setSessionCookie } from "./session-cookie.ts";
import {
  confirmTwoFactor,
  disableTwoFactor,
  getTwoFactorStatus,
  regenerateBackupCodes,
  startTwoFactorEnrolment,
  verifyTwoFactorChallenge,
} from "./two-factor.service.ts";

const tags = ["two-factor"];

export const twoFactorRoutes: FastifyPluginAsyncZod<AuthRouteOptions> = async (app, options) => {
  const { db, realtime, secrets, config } = app.parley;
  const services = { db, realtime, secrets };
  const policy = { ttlDays: config.sessionTtlDays };
  // Code-taking routes share the sign-in limit: a 6-digit code must not be guessable by volume.
  const rateLimit = { max: options.authRateLimitPerMinute, timeWindow: "1 minute" };

  app.get("/me/two-factor", {
    config: { access: "authenticated", allowRestricted: true },
    schema: {
      tags,
      summary: "Whether two-factor authentication is on for me, and how many backup codes are left",
      response: { 200: ZTwoFactorStatus, 401: ZErrorResponse, 403: ZErrorResponse },
    },
    handler: async (request) => getTwoFactorStatus(db, requireMember(request).userId),
  });

  app.post("/me/two-factor/enrol", {
    config: { access: "authenticated", allowRestricted: true, rateLimit },
    schema: {
      tags,
      summary: "Start setting up an authenticator app: returns the otpauth URI, its QR code and the secret",
      response: { 200: ZTwoFactorEnrolment, 401: ZErrorResponse, 403: ZErrorResponse, 409: ZErrorResponse, 429: ZErrorResponse },
    },
    handler: async (request) => {
      const member = requireMember(request);
      return startTwoFactorEnrolment(services, member, actorOf(member, request));
    },
  });

  app.post("/me/two-factor/confirm", {
    config: { access: "authenticated", allowRestricted: true, rateLimit },
    schema: {
      tags,
      summary: "Turn two-factor authentication on with a code from the new app; returns 10 backup codes, shown once",
      body: ZConfirmTwoFactorRequest,
      response: {
        200: ZConfirmTwoFactorResponse,
        400: ZErrorResponse,
        401: ZErrorResponse,
        403: ZErrorResponse,
        409: ZErrorResponse,
        429: ZErrorResponse,
      },
    },
    handler: async (request) => {
      const member = requireMember(request);
      return confirmTwoFactor(services, member, request.body.code, actorOf(member, request));
    },
  });

  app.post("/me/two-factor/disable", {
    config: { access: "authenticated", rateLimit },
    schema: {
      tags,
      summary: "Turn two-factor authentication off with a current code or the account password",
      body: ZDisableTwoFactorRequest,
      response: {
        200: ZTwoFactorStatus,
        400: ZErrorResponse,
        401: ZErrorResponse,
        403: ZErrorResponse,
        409: ZErrorResponse,
        429: ZErrorResponse,
      },
    },
    handler: async (request) => {
      const member = requireMember(request);
      return disableTwoFactor(services, member, request.body, actorOf(member, request));
    },
  });

  app.post("/me/two-factor/backup-codes", {
    config: { access: "authenticated", rateLimit },
    schema: {
      tags,
      summary: "Replace my backup codes with 10 new ones (the old ones stop working); needs a current code",
      body: ZRegenerateBackupCodesRequest,
      response: {
        200: ZBackupCodesResponse,
        400: ZErrorResponse,
        401: ZErrorResponse,
        403: ZErrorResponse,
        409: ZErrorResponse,
        429: ZErrorResponse,
      },
    },
    handler: async (request) => {
      const member = requireMember(request);
      return regenerateBackupCodes(services, member, request.body.code, actorOf(member, request));
    },
  });

  app.post("/auth/two-factor/verify", {
    config: { access: "public", rateLimit },
    schema: {
      tags: ["auth", ...tags],
      summary: "Second sign-in step: the challenge token from two_factor_required with a TOTP or backup code",
      body: ZVerifyTwoFactorRequest,
      response: { 200: ZSessionResponse, 400: ZErrorResponse, 403: ZErrorResponse, 429: ZErrorResponse },
    },
    handler: async (request, reply) => {
      const session = await verifyTwoFactorChallenge(
        services,
        request.body,
        clientOf(request),
        policy,
        anonymousActor("two-factor sign-in", request),
      );
      setSessionCookie(reply, config, session);
      return session;
    },
  });
};
