import { ZErrorResponse } from "@parley/shared";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { requireIdentity } from "../access.ts";
import { listDevMailbox, ZDevMailboxQuery } from "./mailer.ts";

const ZDevMailboxPage = z.object({
  isEnabled: z.boolean(),
  items: z.array(
    z.object({
      id: z.uuid(),
      to: z.string(),
      subject: z.string(),
      text: z.string(),
      html: z.string(),
      createdAt: z.iso.datetime(),
    }),
  ),
  nextCursor: z.string().nullable(),
});

/** Mail Parley kept instead of sending because SMTP is not configured, for this workspace's admins. */
export const devMailboxRoutes: FastifyPluginAsyncZod = async (app) => {
  const { db, mailer } = app.parley;
  app.get("/dev-mailbox", {
    config: { access: "settings.manage" },
    schema: {
      tags: ["mail"],
      summary: "Mail kept in the development mailbox (SMTP not configured), newest first",
      querystring: ZDevMailboxQuery,
      response: { 200: ZDevMailboxPage, 400: ZErrorResponse, 401: ZErrorResponse, 403: ZErrorResponse },
    },
    handler: async (request) => ({
      isEnabled: mailer.isDevMailbox,
      ...(await listDevMailbox(db, requireIdentity(request).workspaceId, request.query)),
    }),
  });
};
