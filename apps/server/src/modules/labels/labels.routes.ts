import { ZCreateLabelRequest, ZErrorResponse, ZLabel, ZLabelList, ZLabelParams, ZUpdateLabelRequest } from "@parley/shared";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { requireIdentity } from "../../platform/access.ts";
import { actorOf } from "../audit/audit.service.ts";
import { createLabel, deleteLabel, listLabels, updateLabel } from "./labels.service.ts";

const readErrors = { 400: ZErrorResponse, 401: ZErrorResponse, 403: ZErrorResponse };
const writeErrors = { ...readErrors, 404: ZErrorResponse, 409: ZErrorResponse };

/** The label catalogue: every member reads it; `conversations.manage` changes it. */
export const labelsRoutes: FastifyPluginAsyncZod = async (app) => {
  const services = app.parley;

  app.get("/labels", {
    config: { access: "authenticated" },
    schema: {
      tags: ["labels"],
      summary: "The workspace's labels, by name",
      response: { 200: ZLabelList, ...readErrors },
    },
    handler: async (request) => ({ items: await listLabels(services.db, requireIdentity(request).workspaceId) }),
  });

  app.post("/labels", {
    config: { access: "conversations.manage" },
    schema: {
      tags: ["labels"],
      summary: "Create a label; names are unique per workspace whatever their case",
      body: ZCreateLabelRequest,
      response: { 201: ZLabel, ...writeErrors },
    },
    handler: async (request, reply) => {
      const identity = requireIdentity(request);
      const label = await createLabel(services, identity.workspaceId, request.body, actorOf(identity, request));
      return reply.status(201).send(label);
    },
  });

  app.patch("/labels/:id", {
    config: { access: "conversations.manage" },
    schema: {
      tags: ["labels"],
      summary: "Rename or recolour a label; a new name is applied to the conversations carrying it",
      params: ZLabelParams,
      body: ZUpdateLabelRequest,
      response: { 200: ZLabel, ...writeErrors },
    },
    handler: async (request) => {
      const identity = requireIdentity(request);
      return updateLabel(services, identity.workspaceId, request.params.id, request.body, actorOf(identity, request));
    },
  });

  app.delete("/labels/:id", {
    config: { access: "conversations.manage" },
    schema: {
      tags: ["labels"],
      summary: "Delete a label and take it off every conversation",
      params: ZLabelParams,
      response: { 204: z.null(), ...writeErrors },
    },
    handler: async (request, reply) => {
      const identity = requireIdentity(request);
      await deleteLabel(services, identity.workspaceId, request.params.id, actorOf(identity, request));
      return reply.status(204).send(null);
    },
  });
};
