import { ZChangeMemberRoleRequest, ZErrorResponse, ZMember, ZMemberList, ZMemberListQuery, ZMemberParams } from "@parley/shared";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { requireIdentity } from "../../platform/access.ts";
import { actorOf } from "../audit/audit.service.ts";
import { changeMemberRole, deactivateMember, getMember, listMembers, reactivateMember, removeMember } from "./members.service.ts";

const readErrors = { 400: ZErrorResponse, 401: ZErrorResponse, 403: ZErrorResponse };
const writeErrors = { ...readErrors, 404: ZErrorResponse, 409: ZErrorResponse };

export const membersRoutes: FastifyPluginAsyncZod = async (app) => {
  const { db, realtime } = app.parley;

  app.get("/members", {
    config: { access: "members.view" },
    schema: {
      tags: ["members"],
      summary: "Members of the workspace: search by name or email, filter by role and status, cursor pagination",
      querystring: ZMemberListQuery,
      response: { 200: ZMemberList, ...readErrors },
    },
    handler: async (request) => listMembers(db, requireIdentity(request).workspaceId, request.query),
  });

  app.get("/members/:userId", {
    config: { access: "members.view" },
    schema: {
      tags: ["members"],
      summary: "One member",
      params: ZMemberParams,
      response: { 200: ZMember, ...readErrors, 404: ZErrorResponse },
    },
    handler: async (request) => getMember(db, requireIdentity(request).workspaceId, request.params.userId),
  });

  app.patch("/members/:userId", {
    config: { access: "members.manage" },
    schema: {
      tags: ["members"],
      summary: "Change a member's role; the last active owner cannot be demoted",
      params: ZMemberParams,
      body: ZChangeMemberRoleRequest,
      response: { 200: ZMember, ...writeErrors },
    },
    handler: async (request) => {
      const identity = requireIdentity(request);
      return changeMemberRole(db, realtime, identity, request.params.userId, request.body.roleId, actorOf(identity, request));
    },
  });

  app.post("/members/:userId/deactivate", {
    config: { access: "members.manage" },
    schema: {
      tags: ["members"],
      summary: "Deactivate a member: their sessions and sockets in this workspace end at once",
      params: ZMemberParams,
      response: { 200: ZMember, ...writeErrors },
    },
    handler: async (request) => {
      const identity = requireIdentity(request);
      return deactivateMember(db, realtime, identity, request.params.userId, actorOf(identity, request));
    },
  });

  app.post("/members/:userId/reactivate", {
    config: { access: "members.manage" },
    schema: {
      tags: ["members"],
      summary: "Reactivate a deactivated member; they sign in again",
      params: ZMemberParams,
      response: { 200: ZMember, ...writeErrors },
    },
    handler: async (request) => {
      const identity = requireIdentity(request);
      return reactivateMember(db, realtime, identity, request.params.userId, actorOf(identity, request));
    },
  });

  app.delete("/members/:userId", {
    config: { access: "members.manage" },
    schema: {
      tags: ["members"],
      summary: "Remove a member from the workspace and its teams; their history stays",
      params: ZMemberParams,
      response: { 204: z.null(), ...writeErrors },
    },
    handler: async (request, reply) => {
      const identity = requireIdentity(request);
      await removeMember(db, realtime, identity, request.params.userId, actorOf(identity, request));
      return reply.status(204).send(null);
    },
  });
};
