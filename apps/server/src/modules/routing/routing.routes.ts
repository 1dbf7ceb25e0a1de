import {
  ZAgentPresence,
  ZAssignConversationRequest,
  ZAssignmentHistory,
  ZConversation,
  ZErrorResponse,
  ZPresenceList,
  ZSetPresenceRequest,
} from "@parley/shared";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { requireIdentity } from "../../platform/access.ts";
import { actorOf } from "../audit/audit.service.ts";
import { assignConversation, claimConversation, listAssignments } from "./assignment.service.ts";
import { listPresence, setPresence } from "./presence.ts";

const ZConversationParams = z.strictObject({ id: z.uuid({ message: "must be a conversation id" }) });
const readErrors = { 400: ZErrorResponse, 401: ZErrorResponse, 403: ZErrorResponse, 404: ZErrorResponse };
const writeErrors = { ...readErrors, 409: ZErrorResponse };

/** Assignment (manual, transfer, claim), its history, and agents' presence. */
export const routingRoutes: FastifyPluginAsyncZod = async (app) => {
  const services = app.parley;

  app.post("/conversations/:id/assign", {
    config: { access: "conversations.assign" },
    schema: {
      tags: ["routing"],
      summary: "Assign, unassign or transfer a conversation to an agent and/or a team, with a reason",
      params: ZConversationParams,
      body: ZAssignConversationRequest,
      response: { 200: ZConversation, ...writeErrors },
    },
    handler: async (request) => {
      const identity = requireIdentity(request);
      return assignConversation(services, identity, request.params.id, request.body, actorOf(identity, request));
    },
  });

  app.post("/conversations/:id/claim", {
    config: { access: "authenticated" },
    schema: {
      tags: ["routing"],
      summary: "Take an unassigned conversation you can see; 409 when someone else took it first",
      params: ZConversationParams,
      response: { 200: ZConversation, ...writeErrors },
    },
    handler: async (request) => {
      const identity = requireIdentity(request);
      return claimConversation(services, identity, request.params.id, actorOf(identity, request));
    },
  });

  app.get("/conversations/:id/assignments", {
    config: { access: "authenticated" },
    schema: {
      tags: ["routing"],
      summary: "Who handled a conversation: assignments and transfers with reasons, oldest first",
      params: ZConversationParams,
      response: { 200: ZAssignmentHistory, ...readErrors },
    },
    handler: async (request) => ({ items: await listAssignments(services.db, requireIdentity(request), request.params.id) }),
  });

  app.get("/presence", {
    config: { access: "authenticated" },
    schema: {
      tags: ["routing"],
      summary: "Every active member's presence (online, away, busy, offline) and capacity",
      response: { 200: ZPresenceList, ...readErrors },
    },
    handler: async (request) => ({ items: await listPresence(services.db, requireIdentity(request).workspaceId) }),
  });

  app.put("/me/presence", {
    config: { access: "authenticated" },
    schema: {
      tags: ["routing"],
      summary: "Set your presence and, optionally, how many open conversations you take at most",
      body: ZSetPresenceRequest,
      response: { 200: ZAgentPresence, ...writeErrors },
    },
    handler: async (request) => {
      const identity = requireIdentity(request);
      return setPresence(services, identity, request.body, actorOf(identity, request));
    },
  });
};
