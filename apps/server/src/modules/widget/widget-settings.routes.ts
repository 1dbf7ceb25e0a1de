import {
  ZErrorResponse,
  ZInboxParams,
  ZUpdateWidgetBrandingRequest,
  ZUpdateWidgetSettingsRequest,
  ZWidgetBranding,
  ZWidgetSettingsResponse,
} from "@parley/shared";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { requireIdentity } from "../../platform/access.ts";
import { actorOf } from "../audit/audit.service.ts";
import { canRemoveBranding, getWidgetSettings, setBrandingRemoval, updateWidgetSettings } from "./widget-settings.ts";

const errors = { 400: ZErrorResponse, 401: ZErrorResponse, 403: ZErrorResponse, 404: ZErrorResponse };

/** A website inbox's widget look, forms and rules; the workspace's branding switch. */
export const widgetSettingsRoutes: FastifyPluginAsyncZod = async (app) => {
  const services = app.parley;

  app.get("/inboxes/:id/widget-settings", {
    config: { access: "inboxes.manage" },
    schema: {
      tags: ["widget"],
      summary: "A website inbox's widget settings (defaults where none are set)",
      params: ZInboxParams,
      response: { 200: ZWidgetSettingsResponse, ...errors },
    },
    handler: async (request) => getWidgetSettings(services.db, requireIdentity(request).workspaceId, request.params.id),
  });

  app.patch("/inboxes/:id/widget-settings", {
    config: { access: "inboxes.manage" },
    schema: {
      tags: ["widget"],
      summary: "Change some widget settings; open widgets of the inbox apply them without a reload",
      params: ZInboxParams,
      body: ZUpdateWidgetSettingsRequest,
      response: { 200: ZWidgetSettingsResponse, ...errors },
    },
    handler: async (request) => {
      const identity = requireIdentity(request);
      return updateWidgetSettings(services, identity.workspaceId, request.params.id, request.body, actorOf(identity, request));
    },
  });

  app.get("/widget-branding", {
    config: { access: "inboxes.manage" },
    schema: {
      tags: ["widget"],
      summary: 'Whether this workspace\'s widgets may hide "Powered by Parley"',
      response: { 200: ZWidgetBranding, 401: ZErrorResponse, 403: ZErrorResponse },
    },
    handler: async (request) => ({
      canRemoveBranding: await canRemoveBranding(services.db, requireIdentity(request).workspaceId),
    }),
  });

  app.put("/widget-branding", {
    // An admin decision for the whole workspace, not an inbox setting.
    config: { access: "settings.manage" },
    schema: {
      tags: ["widget"],
      summary: 'Allow or forbid hiding "Powered by Parley" on this workspace\'s widgets',
      body: ZUpdateWidgetBrandingRequest,
      response: { 200: ZWidgetBranding, ...errors },
    },
    handler: async (request) => {
      const identity = requireIdentity(request);
      return setBrandingRemoval(services, identity.workspaceId, request.body.canRemoveBranding, actorOf(identity, request));
    },
  });
};
