import {
  ZChannelInboxParams,
  ZErrorResponse,
  ZWhatsAppTemplateList,
  ZWhatsAppTemplateListQuery,
  ZWhatsAppTemplateSyncResult,
} from "@parley/shared";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { requireIdentity } from "../../../platform/access.ts";
import { actorOf } from "../../audit/audit.service.ts";
import { listWhatsAppTemplates, syncWhatsAppTemplates } from "./whatsapp-templates.service.ts";

const errors = {
  400: ZErrorResponse,
  401: ZErrorResponse,
  403: ZErrorResponse,
  404: ZErrorResponse,
  409: ZErrorResponse,
  422: ZErrorResponse,
  502: ZErrorResponse,
};

/** WhatsApp message templates: agents list them to send one; admins sync them from the business account. */
export const whatsappTemplateRoutes: FastifyPluginAsyncZod = async (app) => {
  const services = app.parley;

  app.get("/inboxes/:inboxId/whatsapp/templates", {
    config: { access: "authenticated" },
    schema: {
      tags: ["channels"],
      summary: "The inbox's WhatsApp templates with their review status, by name",
      params: ZChannelInboxParams,
      querystring: ZWhatsAppTemplateListQuery,
      response: { 200: ZWhatsAppTemplateList, ...errors },
    },
    handler: async (request) =>
      listWhatsAppTemplates(services.db, requireIdentity(request), request.params.inboxId, request.query),
  });

  app.post("/inboxes/:inboxId/whatsapp/templates/sync", {
    config: { access: "inboxes.manage" },
    schema: {
      tags: ["channels"],
      summary: "Fetch the templates from the WhatsApp Business Account now",
      params: ZChannelInboxParams,
      response: { 200: ZWhatsAppTemplateSyncResult, ...errors },
    },
    handler: async (request) => {
      const identity = requireIdentity(request);
      return syncWhatsAppTemplates(services, identity.workspaceId, request.params.inboxId, actorOf(identity, request));
    },
  });
};
