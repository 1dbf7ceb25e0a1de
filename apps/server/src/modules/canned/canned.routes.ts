import {
  ZCannedResponse,
  ZCannedResponseList,
  ZCannedResponseParams,
  ZCannedResponseQuery,
  ZCreateCannedResponseRequest,
  ZErrorResponse,
  ZRenderCannedResponseRequest,
  ZRenderedCannedResponse,
  ZUpdateCannedResponseRequest,
} from "@parley/shared";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { requireIdentity } from "../../platform/access.ts";
import { actorOf } from "../audit/audit.service.ts";
import {
  createCannedResponse,
  deleteCannedResponse,
  listCannedResponses,
  renderCannedResponse,
  updateCannedResponse,
} from "./canned.service.ts";

const readErrors = { 400: ZErrorResponse, 401: ZErrorResponse, 403: ZErrorResponse, 404: ZErrorResponse };
const writeErrors = { ...readErrors, 409: ZErrorResponse };

/**
 * Canned responses. Every member manages their personal ones; shared ones need
 * `settings.manage` (checked per response in the service, since the scope is in the data).
 */
export const cannedRoutes: FastifyPluginAsyncZod = async (app) => {
  const services = app.parley;

  app.get("/canned-responses", {
    config: { access: "authenticated" },
    schema: {
      tags: ["canned-responses"],
      summary: "Shared canned responses and your personal ones, by shortcut; search matches shortcut and content",
      querystring: ZCannedResponseQuery,
      response: { 200: ZCannedResponseList, ...readErrors },
    },
    handler: async (request) => ({
      items: await listCannedResponses(services.db, requireIdentity(request), request.query.search),
    }),
  });

  app.post("/canned-responses", {
    config: { access: "authenticated" },
    schema: {
      tags: ["canned-responses"],
      summary: "Create a personal canned response, or a shared one (settings.manage)",
      body: ZCreateCannedResponseRequest,
      response: { 201: ZCannedResponse, ...writeErrors },
    },
    handler: async (request, reply) => {
      const identity = requireIdentity(request);
      const created = await createCannedResponse(services, identity, request.body, actorOf(identity, request));
      return reply.status(201).send(created);
    },
  });

  app.patch("/canned-responses/:id", {
    config: { access: "authenticated" },
    schema: {
      tags: ["canned-responses"],
      summary: "Change a canned response's shortcut, content or attachments",
      params: ZCannedResponseParams,
      body: ZUpdateCannedResponseRequest,
      response: { 200: ZCannedResponse, ...writeErrors },
    },
    handler: async (request) => {
      const identity = requireIdentity(request);
      return updateCannedResponse(services, identity, request.params.id, request.body, actorOf(identity, request));
    },
  });

  app.delete("/canned-responses/:id", {
    config: { access: "authenticated" },
    schema: {
      tags: ["canned-responses"],
      summary: "Delete a canned response",
      params: ZCannedResponseParams,
      response: { 204: z.null(), ...writeErrors },
    },
    handler: async (request, reply) => {
      const identity = requireIdentity(request);
      await deleteCannedResponse(services, identity, request.params.id, actorOf(identity, request));
      return reply.status(204).send(null);
    },
  });

  app.post("/canned-responses/:id/render", {
    config: { access: "authenticated" },
    schema: {
      tags: ["canned-responses"],
      summary: "The response's text with its variables filled for a conversation you can see",
      params: ZCannedResponseParams,
      body: ZRenderCannedResponseRequest,
      response: { 200: ZRenderedCannedResponse, ...readErrors },
    },
    handler: async (request) =>
      renderCannedResponse(services.db, requireIdentity(request), request.params.id, request.body.conversationId),
  });
};
