import {
  ZAcceptInvitationRequest,
  ZCreateInvitationRequest,
  ZErrorResponse,
  ZInvitation,
  ZInvitationList,
  ZInvitationListQuery,
  ZInvitationLookup,
  ZInvitationLookupQuery,
  ZInvitationParams,
  ZSessionResponse,
} from "@parley/shared";
import type { FastifyRequest } from "fastify";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { clientOf, requireIdentity } from "../../platform/access.ts";
import { AppError } from "../../platform/errors.ts";
import { isTrustedOrigin, SESSION_COOKIE } from "../../platform/origin.ts";
import type { AuthRouteOptions } from "../../platform/route-options.ts";
import { actorOf, anonymousActor } from "../audit/audit.service.ts";
import { authenticateToken } from "../auth/authenticate.ts";
import { setSessionCookie } from "../auth/session-cookie.ts";
import { acceptInvitation, lookupInvitation } from "./accept-invitation.ts";
import { createInvitation, listInvitations, resendInvitation, revokeInvitation } from "./invitations.service.ts";

const readErrors = { 400: ZErrorResponse, 401: ZErrorResponse, 403: ZErrorResponse };
const writeErrors = { ...readErrors, 404: ZErrorResponse, 409: ZErrorResponse, 429: ZErrorResponse };

export const invitationsRoutes: FastifyPluginAsyncZod<AuthRouteOptions> = async (app, options) => {
  const { db, config, realtime, mailer } = app.parley;
  const mail = { mailer, config };
  const policy = { ttlDays: config.sessionTtlDays };
  const rateLimit = { max: options.authRateLimitPerMinute, timeWindow: "1 minute" };

  /**
   * The accept route is public (new people have no session), so it reads an optional session
   * itself, with the same cross-site guard the access layer applies to cookies.
   */
  const signedInUserId = async (request: FastifyRequest): Promise<string | null> => {
    const headerToken = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? "")?.[1];
    const cookieToken = request.cookies[SESSION_COOKIE];
    if (
      headerToken === undefined &&
      cookieToken !== undefined &&
      !isTrustedOrigin(request.headers.origin, request.headers.host, config)
    ) {
      throw new AppError("origin_not_allowed", "This page's origin may not use your Parley session.");
    }
    const token = headerToken ?? cookieToken;
    if (!token) return null;
    const identity = await authenticateToken(db, token, clientOf(request));
    return identity?.userId ?? null;
  };

  app.get("/invitations", {
    config: { access: "members.manage" },
    schema: {
      tags: ["invitations"],
      summary: "Invitations of the workspace, pending first; status pending, accepted, expired or revoked",
      querystring: ZInvitationListQuery,
      response: { 200: ZInvitationList, ...readErrors },
    },
    handler: async (request) => ({
      items: await listInvitations(db, requireIdentity(request).workspaceId, request.query.status),
    }),
  });

  app.post("/invitations", {
    config: { access: "members.manage" },
    schema: {
      tags: ["invitations"],
      summary: "Invite someone by email with a role and teams; replaces a pending invitation to the same address",
      body: ZCreateInvitationRequest,
      response: { 201: ZInvitation, ...writeErrors },
    },
    handler: async (request, reply) => {
      const identity = requireIdentity(request);
      const invitation = await createInvitation(db, realtime, mail, identity, request.body, actorOf(identity, request));
      return reply.status(201).send(invitation);
    },
  });

  app.post("/invitations/:id/resend", {
    config: { access: "members.manage", rateLimit },
    schema: {
      tags: ["invitations"],
      summary: "Send the invitation again with a new link (the old one stops working) and a fresh 7-day expiry",
      params: ZInvitationParams,
      response: { 200: ZInvitation, ...writeErrors },
    },
    handler: async (request) => {
      const identity = requireIdentity(request);
      return resendInvitation(db, realtime, mail, identity, request.params.id, actorOf(identity, request));
    },
  });

  app.delete("/invitations/:id", {
    config: { access: "members.manage" },
    schema: {
      tags: ["invitations"],
      summary: "Revoke an invitation; its link stops working",
      params: ZInvitationParams,
      response: { 204: z.null(), ...writeErrors },
    },
    handler: async (request, reply) => {
      const identity = requireIdentity(request);
      await revokeInvitation(db, realtime, identity.workspaceId, request.params.id, actorOf(identity, request));
      return reply.status(204).send(null);
    },
  });

  app.get("/invitations/lookup", {
    config: { access: "public", rateLimit },
    schema: {
      tags: ["invitations"],
      summary: "What an invitation link offers, for the accept page (public; the token is the proof)",
      security: [],
      querystring: ZInvitationLookupQuery,
      response: { 200: ZInvitationLookup, 400: ZErrorResponse, 403: ZErrorResponse, 429: ZErrorResponse },
    },
    handler: async (request) => lookupInvitation(db, request.query.token),
  });

  app.post("/invitations/accept", {
    config: { access: "public", rateLimit },
    schema: {
      tags: ["invitations"],
      summary:
        "Accept an invitation: { token, name, password } creates an account; for an address that already has one, send { token } with that account's session. Returns a session in the workspace",
      security: [],
      body: ZAcceptInvitationRequest,
      response: {
        200: ZSessionResponse,
        400: ZErrorResponse,
        401: ZErrorResponse,
        403: ZErrorResponse,
        409: ZErrorResponse,
        429: ZErrorResponse,
      },
    },
    handler: async (request, reply) => {
      const session = await acceptInvitation(db, realtime, request.body, await signedInUserId(request), {
        client: clientOf(request),
        policy,
        actor: (email, userId) => anonymousActor(email, request, userId),
      });
      setSessionCookie(reply, config, session);
      return session;
    },
  });
};
