import {
  ZConversationCsat,
  ZCsatQuery,
  ZCsatReport,
  ZErrorResponse,
  ZTranscriptQueued,
  ZTranscriptRequest,
} from "@parley/shared";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { requireIdentity } from "../../platform/access.ts";
import { actorOf } from "../audit/audit.service.ts";
import { conversationCsat, csatReport, sendTranscriptByAgent } from "./csat.service.ts";

const ZConversationParams = z.strictObject({ id: z.uuid({ message: "must be a conversation id" }) });
const errors = { 400: ZErrorResponse, 401: ZErrorResponse, 403: ZErrorResponse, 404: ZErrorResponse };

/** Ratings (per conversation, and the report) and transcripts by email. */
export const csatRoutes: FastifyPluginAsyncZod = async (app) => {
  const services = app.parley;

  app.get("/conversations/:id/csat", {
    // Seeing the conversation is checked per conversation.
    config: { access: "authenticated" },
    schema: {
      tags: ["csat"],
      summary: "The contact's ratings of a conversation, newest first (one per resolution)",
      params: ZConversationParams,
      response: { 200: ZConversationCsat, ...errors },
    },
    handler: async (request) => ({
      items: await conversationCsat(services.db, requireIdentity(request), request.params.id),
    }),
  });

  app.get("/csat", {
    config: { access: "reports.view" },
    schema: {
      tags: ["csat"],
      summary: "Ratings in a period, optionally of one inbox, with their count and average",
      querystring: ZCsatQuery,
      response: { 200: ZCsatReport, ...errors },
    },
    handler: async (request) => csatReport(services.db, requireIdentity(request).workspaceId, request.query),
  });

  app.post("/conversations/:id/transcript", {
    config: { access: "authenticated" },
    schema: {
      tags: ["csat"],
      summary: "Mail the conversation's public messages to the contact (or another address)",
      params: ZConversationParams,
      body: ZTranscriptRequest,
      response: { 202: ZTranscriptQueued, ...errors },
    },
    handler: async (request, reply) => {
      const identity = requireIdentity(request);
      const queued = await sendTranscriptByAgent(
        services,
        identity,
        request.params.id,
        request.body.email,
        actorOf(identity, request),
      );
      return reply.status(202).send(queued);
    },
  });
};
