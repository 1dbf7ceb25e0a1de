import {
  ZCreateTeamRequest,
  ZErrorResponse,
  ZSetTeamMembersRequest,
  ZTeamDetail,
  ZTeamList,
  ZTeamParams,
  ZUpdateTeamRequest,
} from "@parley/shared";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { requireIdentity } from "../../platform/access.ts";
import { actorOf } from "../audit/audit.service.ts";
import { createTeam, deleteTeam, getTeam, listTeams, setTeamMembers, updateTeam } from "./teams.service.ts";

const readErrors = { 400: ZErrorResponse, 401: ZErrorResponse, 403: ZErrorResponse };
const writeErrors = { ...readErrors, 404: ZErrorResponse, 409: ZErrorResponse };

/** Teams (departments): every member reads them; `teams.manage` changes them. */
export const teamsRoutes: FastifyPluginAsyncZod = async (app) => {
  const { db, realtime } = app.parley;

  app.get("/teams", {
    config: { access: "authenticated" },
    schema: {
      tags: ["teams"],
      summary: "Teams with their lead and member count",
      response: { 200: ZTeamList, ...readErrors },
    },
    handler: async (request) => ({ items: await listTeams(db, requireIdentity(request).workspaceId) }),
  });

  app.get("/teams/:id", {
    config: { access: "authenticated" },
    schema: {
      tags: ["teams"],
      summary: "One team with its members",
      params: ZTeamParams,
      response: { 200: ZTeamDetail, ...readErrors, 404: ZErrorResponse },
    },
    handler: async (request) => getTeam(db, requireIdentity(request).workspaceId, request.params.id),
  });

  app.post("/teams", {
    config: { access: "teams.manage" },
    schema: {
      tags: ["teams"],
      summary: "Create a team; the lead and members must be active members of the workspace",
      body: ZCreateTeamRequest,
      response: { 201: ZTeamDetail, ...writeErrors },
    },
    handler: async (request, reply) => {
      const identity = requireIdentity(request);
      const team = await createTeam(db, realtime, identity.workspaceId, request.body, actorOf(identity, request));
      return reply.status(201).send(team);
    },
  });

  app.patch("/teams/:id", {
    config: { access: "teams.manage" },
    schema: {
      tags: ["teams"],
      summary: "Rename a team, change its description or lead",
      params: ZTeamParams,
      body: ZUpdateTeamRequest,
      response: { 200: ZTeamDetail, ...writeErrors },
    },
    handler: async (request) => {
      const identity = requireIdentity(request);
      return updateTeam(db, realtime, identity.workspaceId, request.params.id, request.body, actorOf(identity, request));
    },
  });

  app.put("/teams/:id/members", {
    config: { access: "teams.manage" },
    schema: {
      tags: ["teams"],
      summary: "Replace a team's members",
      params: ZTeamParams,
      body: ZSetTeamMembersRequest,
      response: { 200: ZTeamDetail, ...writeErrors },
    },
    handler: async (request) => {
      const identity = requireIdentity(request);
      return setTeamMembers(db, realtime, identity.workspaceId, request.params.id, request.body, actorOf(identity, request));
    },
  });

  app.delete("/teams/:id", {
    config: { access: "teams.manage" },
    schema: {
      tags: ["teams"],
      summary: "Delete a team; its members stay in the workspace",
      params: ZTeamParams,
      response: { 204: z.null(), ...writeErrors },
    },
    handler: async (request, reply) => {
      const identity = requireIdentity(request);
      await deleteTeam(db, realtime, identity.workspaceId, request.params.id, actorOf(identity, request));
      return reply.status(204).send(null);
    },
  });
};
