import { ZErrorResponse, ZSearchQuery, ZSearchResponse } from "@parley/shared";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { requireIdentity } from "../../platform/access.ts";
import { search } from "./search.service.ts";

export const searchRoutes: FastifyPluginAsyncZod = async (app) => {
  const { db } = app.parley;

  app.get("/search", {
    // Results are limited to conversations the caller may see; contacts need contacts.view.
    config: { access: "authenticated" },
    schema: {
      tags: ["search"],
      summary: "Full-text search over messages (incl. private notes) and contacts, newest first, with <mark> highlights",
      querystring: ZSearchQuery,
      response: { 200: ZSearchResponse, 400: ZErrorResponse, 401: ZErrorResponse, 403: ZErrorResponse },
    },
    handler: async (request) => search(db, requireIdentity(request), request.query),
  });
};
