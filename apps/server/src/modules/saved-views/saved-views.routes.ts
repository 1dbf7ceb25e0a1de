import {
  ZCreateSavedViewRequest,
  ZErrorResponse,
  ZSavedView,
  ZSavedViewCounts,
  ZSavedViewList,
  ZSavedViewParams,
  ZUpdateSavedViewRequest,
} from "@parley/shared";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { requireIdentity } from "../../platform/access.ts";
import { actorOf } from "../audit/audit.service.ts";
import { countSavedViews, createSavedView, deleteSavedView, listSavedViews, updateSavedView } from "./saved-views.service.ts";

const readErrors = { 400: ZErrorResponse, 401: ZErrorResponse, 403: ZErrorResponse };
const writeErrors = { ...readErrors, 404: ZErrorResponse, 409: ZErrorResponse, 422: ZErrorResponse };

/**
 * Saved conversation views. Every member keeps private ones; shared ones need `views.manage_shared`
 * (checked per view in the service, since sharing is in the data).
 */
export const savedViewsRoutes: FastifyPluginAsyncZod = async (app) => {
  const services = app.parley;

  app.get("/saved-views", {
    config: { access: "authenticated" },
    schema: {
      tags: ["saved-views"],
      summary: "Your saved views and the workspace's shared ones, by position then name",
      response: { 200: ZSavedViewList, ...readErrors },
    },
    handler: async (request) => ({ items: await listSavedViews(services.db, requireIdentity(request)) }),
  });

  app.get("/saved-views/counts", {
    config: { access: "authenticated" },
    schema: {
      tags: ["saved-views"],
      summary: "Open and pending conversations you can see matching each saved view, by view id",
      response: { 200: ZSavedViewCounts, ...readErrors },
    },
    handler: async (request) => countSavedViews(services.db, requireIdentity(request)),
  });

  app.post("/saved-views", {
    config: { access: "authenticated" },
    schema: {
      tags: ["saved-views"],
      summary: "Save a conversation filter as a view; sharing it with the workspace needs views.manage_shared",
      body: ZCreateSavedViewRequest,
      response: { 201: ZSavedView, ...writeErrors },
    },
    handler: async (request, reply) => {
      const identity = requireIdentity(request);
      const created = await createSavedView(services, identity, request.body, actorOf(identity, request));
      return reply.status(201).send(created);
    },
  });

  app.patch("/saved-views/:id", {
    config: { access: "authenticated" },
    schema: {
      tags: ["saved-views"],
      summary: "Rename a saved view, change its filter, sort, sharing or position",
      params: ZSavedViewParams,
      body: ZUpdateSavedViewRequest,
      response: { 200: ZSavedView, ...writeErrors },
    },
    handler: async (request) => {
      const identity = requireIdentity(request);
      return updateSavedView(services, identity, request.params.id, request.body, actorOf(identity, request));
    },
  });

  app.delete("/saved-views/:id", {
    config: { access: "authenticated" },
    schema: {
      tags: ["saved-views"],
      summary: "Delete a saved view",
      params: ZSavedViewParams,
      response: { 204: z.null(), ...writeErrors },
    },
    handler: async (request, reply) => {
      const identity = requireIdentity(request);
      await deleteSavedView(services, identity, request.params.id, actorOf(identity, request));
      return reply.status(204).send(null);
    },
  });
};
