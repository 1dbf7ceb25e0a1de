import {
  ZCreateWebhookRequest,
  ZErrorResponse,
  ZUpdateWebhookRequest,
  ZWebhook,
  ZWebhookDelivery,
  ZWebhookDeliveryPage,
  ZWebhookDeliveryParams,
  ZWebhookDeliveryQuery,
  ZWebhookList,
  ZWebhookParams,
  ZWebhookWithSecret,
} from "@parley/shared";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { requireIdentity } from "../../platform/access.ts";
import { actorOf } from "../audit/audit.service.ts";
import {
  createWebhook,
  deleteWebhook,
  enableWebhook,
  listWebhookDeliveries,
  listWebhooks,
  redeliverWebhook,
  rotateWebhookSecret,
  updateWebhook,
} from "./webhooks.service.ts";

const readErrors = { 400: ZErrorResponse, 401: ZErrorResponse, 403: ZErrorResponse, 404: ZErrorResponse };
const writeErrors = { ...readErrors, 409: ZErrorResponse };

/** Outgoing webhooks: `settings.manage` subscribes URLs to events and reads their delivery log. */
export const webhooksRoutes: FastifyPluginAsyncZod = async (app) => {
  const services = app.parley;

  app.get("/webhooks", {
    config: { access: "settings.manage" },
    schema: {
      tags: ["webhooks"],
      summary: "The workspace's webhooks (secrets are never listed)",
      response: { 200: ZWebhookList, ...readErrors },
    },
    handler: async (request) => ({ items: await listWebhooks(services.db, requireIdentity(request).workspaceId) }),
  });

  app.post("/webhooks", {
    config: { access: "settings.manage" },
    schema: {
      tags: ["webhooks"],
      summary: "Subscribe a URL to events; the answer carries the signing secret, shown this once",
      body: ZCreateWebhookRequest,
      response: { 201: ZWebhookWithSecret, ...writeErrors },
    },
    handler: async (request, reply) => {
      const identity = requireIdentity(request);
      const created = await createWebhook(services, identity.workspaceId, request.body, actorOf(identity, request));
      return reply.status(201).send(created);
    },
  });

  app.patch("/webhooks/:id", {
    config: { access: "settings.manage" },
    schema: {
      tags: ["webhooks"],
      summary: "Change a webhook's URL, events or enabled state",
      params: ZWebhookParams,
      body: ZUpdateWebhookRequest,
      response: { 200: ZWebhook, ...writeErrors },
    },
    handler: async (request) => {
      const identity = requireIdentity(request);
      return updateWebhook(services, identity.workspaceId, request.params.id, request.body, actorOf(identity, request));
    },
  });

  app.delete("/webhooks/:id", {
    config: { access: "settings.manage" },
    schema: {
      tags: ["webhooks"],
      summary: "Delete a webhook and its delivery log",
      params: ZWebhookParams,
      response: { 204: z.null(), ...writeErrors },
    },
    handler: async (request, reply) => {
      const identity = requireIdentity(request);
      await deleteWebhook(services, identity.workspaceId, request.params.id, actorOf(identity, request));
      return reply.status(204).send(null);
    },
  });

  app.post("/webhooks/:id/rotate-secret", {
    config: { access: "settings.manage" },
    schema: {
      tags: ["webhooks"],
      summary: "Replace the signing secret; the new one is shown this once",
      params: ZWebhookParams,
      response: { 200: ZWebhookWithSecret, ...writeErrors },
    },
    handler: async (request) => {
      const identity = requireIdentity(request);
      return rotateWebhookSecret(services, identity.workspaceId, request.params.id, actorOf(identity, request));
    },
  });

  app.post("/webhooks/:id/enable", {
    config: { access: "settings.manage" },
    schema: {
      tags: ["webhooks"],
      summary: "Enable a webhook again (after it was disabled for failing); resets its failure count",
      params: ZWebhookParams,
      response: { 200: ZWebhook, ...writeErrors },
    },
    handler: async (request) => {
      const identity = requireIdentity(request);
      return enableWebhook(services, identity.workspaceId, request.params.id, actorOf(identity, request));
    },
  });

  app.get("/webhooks/:id/deliveries", {
    config: { access: "settings.manage" },
    schema: {
      tags: ["webhooks"],
      summary: "A webhook's delivery log, newest first",
      params: ZWebhookParams,
      querystring: ZWebhookDeliveryQuery,
      response: { 200: ZWebhookDeliveryPage, ...readErrors },
    },
    handler: async (request) =>
      listWebhookDeliveries(services.db, requireIdentity(request).workspaceId, request.params.id, request.query),
  });

  app.post("/webhooks/:id/deliveries/:deliveryId/redeliver", {
    config: { access: "settings.manage" },
    schema: {
      tags: ["webhooks"],
      summary: "Send a delivery's event again (same event id and payload) as a new delivery",
      params: ZWebhookDeliveryParams,
      response: { 202: ZWebhookDelivery, ...writeErrors },
    },
    handler: async (request, reply) => {
      const identity = requireIdentity(request);
      const delivery = await redeliverWebhook(
        services,
        identity.workspaceId,
        request.params.id,
        request.params.deliveryId,
        actorOf(identity, request),
      );
      return reply.status(202).send(delivery);
    },
  });
};
