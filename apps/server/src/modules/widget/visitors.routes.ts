import {
  ZCreateVisitorBanRequest,
  ZErrorResponse,
  ZMessage,
  ZStartVisitorChatRequest,
  ZVisitorBan,
  ZVisitorBanList,
  ZVisitorBanParams,
  ZVisitorContactParams,
  ZVisitorsOnline,
  ZVisitorVisitList,
  ZVisitorVisitsQuery,
} from "@parley/shared";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { requireIdentity } from "../../platform/access.ts";
import { actorOf } from "../audit/audit.service.ts";
import { proactiveTriggersRoutes } from "./proactive-triggers.routes.ts";
import { createVisitorBan, deleteVisitorBan, listVisitorBans } from "./visitor-bans.ts";
import { startChatWithVisitor, visitorsOnline } from "./visitors-online.ts";
import { listContactVisits } from "./visits.ts";
import { widgetSettingsRoutes } from "./widget-settings.routes.ts";

const errors = { 400: ZErrorResponse, 401: ZErrorResponse, 403: ZErrorResponse, 404: ZErrorResponse };

export const visitorsRoutes: FastifyPluginAsyncZod = async (app) => {
  const services = app.parley;
  await app.register(widgetSettingsRoutes);
  await app.register(proactiveTriggersRoutes);

  app.get("/visitors/online", {
    // Visitors per inbox the caller works; which inboxes is checked from their membership.
    config: { access: "authenticated" },
    schema: {
      tags: ["widget"],
      summary: "Who has each of your website inboxes' widget open right now, with their current visit",
      response: { 200: ZVisitorsOnline, 401: ZErrorResponse },
    },
    handler: async (request) => visitorsOnline(services, requireIdentity(request)),
  });

  app.post("/visitors/:contactId/conversations", {
    config: { access: "contacts.view" },
    schema: {
      tags: ["widget"],
      summary: "Start a chat with a visitor on your site: their widget shows your message at once",
      params: ZVisitorContactParams,
      body: ZStartVisitorChatRequest,
      response: { 201: z.object({ conversationId: z.uuid(), message: ZMessage }), ...errors, 409: ZErrorResponse },
    },
    handler: async (request, reply) => {
      const started = await startChatWithVisitor(services, requireIdentity(request), {
        contactId: request.params.contactId,
        message: request.body.message,
        inboxId: request.body.inboxId,
      });
      return reply.status(201).send(started);
    },
  });

  app.get("/contacts/:contactId/visits", {
    config: { access: "contacts.view" },
    schema: {
      tags: ["widget"],
      summary: "A contact's website visits, newest first: location, device, pages and campaign",
      params: ZVisitorContactParams,
      querystring: ZVisitorVisitsQuery,
      response: { 200: ZVisitorVisitList, ...errors },
    },
    handler: async (request) =>
      listContactVisits(services.db, requireIdentity(request).workspaceId, request.params.contactId, request.query),
  });

  app.get("/visitor-bans", {
    config: { access: "contacts.manage" },
    schema: {
      tags: ["widget"],
      summary: "Banned visitors and IP ranges, newest first",
      response: { 200: ZVisitorBanList, 401: ZErrorResponse, 403: ZErrorResponse },
    },
    handler: async (request) => listVisitorBans(services.db, requireIdentity(request).workspaceId),
  });

  app.post("/visitor-bans", {
    config: { access: "contacts.manage" },
    schema: {
      tags: ["widget"],
      summary: "Ban a contact or an IP range (CIDR, IPv4 or IPv6) from the widget; their open widgets close at once",
      body: ZCreateVisitorBanRequest,
      response: { 201: ZVisitorBan, ...errors },
    },
    handler: async (request, reply) => {
      const identity = requireIdentity(request);
      const ban = await createVisitorBan(
        services,
        identity.workspaceId,
        identity.userId,
        request.body,
        actorOf(identity, request),
      );
      return reply.status(201).send(ban);
    },
  });

  app.delete("/visitor-bans/:id", {
    config: { access: "contacts.manage" },
    schema: {
      tags: ["widget"],
      summary: "Lift a ban",
      params: ZVisitorBanParams,
      response: { 204: z.null(), ...errors },
    },
    handler: async (request, reply) => {
      const identity = requireIdentity(request);
      await deleteVisitorBan(services, identity.workspaceId, request.params.id, actorOf(identity, request));
      return reply.status(204).send(null);
    },
  });
};
