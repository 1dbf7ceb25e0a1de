import {
  ZCreateProactiveTriggerRequest,
  ZErrorResponse,
  ZProactiveTrigger,
  ZProactiveTriggerList,
  ZProactiveTriggerParams,
  ZReorderProactiveTriggersRequest,
  ZUpdateProactiveTriggerRequest,
} from "@parley/shared";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { requireIdentity } from "../../platform/access.ts";
import { actorOf } from "../audit/audit.service.ts";
import {
  createProactiveTrigger,
  deleteProactiveTrigger,
  listProactiveTriggers,
  reorderProactiveTriggers,
  updateProactiveTrigger,
} from "./proactive-triggers.service.ts";

const errors = { 400: ZErrorResponse, 401: ZErrorResponse, 403: ZErrorResponse, 404: ZErrorResponse };

/** Proactive-chat rules, managed with the inboxes they run on. */
export const proactiveTriggersRoutes: FastifyPluginAsyncZod = async (app) => {
  const services = app.parley;

  app.get("/proactive-triggers", {
    config: { access: "inboxes.manage" },
    schema: {
      tags: ["widget"],
      summary: "The workspace's proactive triggers in run order, with how often each fired and was answered",
      response: { 200: ZProactiveTriggerList, 401: ZErrorResponse, 403: ZErrorResponse },
    },
    handler: async (request) => listProactiveTriggers(services.db, requireIdentity(request).workspaceId),
  });

  app.post("/proactive-triggers", {
    config: { access: "inboxes.manage" },
    schema: {
      tags: ["widget"],
      summary: "Create a proactive trigger; it runs after the existing ones",
      body: ZCreateProactiveTriggerRequest,
      response: { 201: ZProactiveTrigger, ...errors },
    },
    handler: async (request, reply) => {
      const identity = requireIdentity(request);
      const trigger = await createProactiveTrigger(services, identity.workspaceId, request.body, actorOf(identity, request));
      return reply.status(201).send(trigger);
    },
  });

  app.put("/proactive-triggers/order", {
    config: { access: "inboxes.manage" },
    schema: {
      tags: ["widget"],
      summary: "Set the run order: every trigger id, first to run first",
      body: ZReorderProactiveTriggersRequest,
      response: { 200: ZProactiveTriggerList, ...errors },
    },
    handler: async (request) => {
      const identity = requireIdentity(request);
      return reorderProactiveTriggers(services, identity.workspaceId, request.body.ids, actorOf(identity, request));
    },
  });

  app.patch("/proactive-triggers/:id", {
    config: { access: "inboxes.manage" },
    schema: {
      tags: ["widget"],
      summary: "Change a proactive trigger; conditions and actions are replaced as a whole",
      params: ZProactiveTriggerParams,
      body: ZUpdateProactiveTriggerRequest,
      response: { 200: ZProactiveTrigger, ...errors },
    },
    handler: async (request) => {
      const identity = requireIdentity(request);
      return updateProactiveTrigger(services, identity.workspaceId, request.params.id, request.body, actorOf(identity, request));
    },
  });

  app.delete("/proactive-triggers/:id", {
    config: { access: "inboxes.manage" },
    schema: {
      tags: ["widget"],
      summary: "Delete a proactive trigger and its firing history",
      params: ZProactiveTriggerParams,
      response: { 204: z.null(), ...errors },
    },
    handler: async (request, reply) => {
      const identity = requireIdentity(request);
      await deleteProactiveTrigger(services, identity.workspaceId, request.params.id, actorOf(identity, request));
      return reply.status(204).send(null);
    },
  });
};
