import { ZErrorResponse } from "@parley/shared";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { requireIdentity } from "../../platform/access.ts";
import { visitorsOnline } from "./visitors-online.ts";

const ZVisitorsOnline = z.object({
  items: z.array(z.object({ inboxId: z.uuid(), name: z.string(), visitors: z.number().int() })),
  total: z.number().int(),
});

export const visitorsRoutes: FastifyPluginAsyncZod = async (app) => {
  const services = app.parley;
  app.get("/visitors/online", {
    // Counts per inbox the caller works; which inboxes is checked from their membership.
    config: { access: "authenticated" },
    schema: {
      tags: ["widget"],
      summary: "How many visitors have each of your website inboxes' widget open right now",
      response: { 200: ZVisitorsOnline, 401: ZErrorResponse },
    },
    handler: async (request) => visitorsOnline(services, requireIdentity(request)),
  });
};
