import { ZErrorResponse, ZMessage, ZMessageHistoryQuery, ZMessagePage, ZSendMessageRequest } from "@parley/shared";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { requireIdentity } from "../../platform/access.ts";
import { actorOf } from "../audit/audit.service.ts";
import { listMessages, sendAgentMessage } from "./messages.service.ts";

const ZConversationParams = z.strictObject({ id: z.uuid({ message: "must be a conversation id" }) });

export const messagesRoutes: FastifyPluginAsyncZod = async (app) => {
  const services = app.parley;

  app.get("/conversations/:id/messages", {
    // Seeing a conversation is checked per conversation (inbox membership, assignment, view_all).
    config: { access: "authenticated" },
    schema: {
      tags: ["messages"],
      summary: "A page of a conversation's messages, oldest first (before / after a seq, or around a message)",
      params: ZConversationParams,
      querystring: ZMessageHistoryQuery,
      response: { 200: ZMessagePage, 400: ZErrorResponse, 401: ZErrorResponse, 404: ZErrorResponse },
    },
    handler: async (request) => listMessages(services, requireIdentity(request), request.params.id, request.query),
  });

  app.post("/conversations/:id/messages", {
    config: { access: "authenticated" },
    schema: {
      tags: ["messages"],
      summary: "Send a reply or a private note; the same clientId twice stores one message (201 new, 200 repeat)",
      params: ZConversationParams,
      body: ZSendMessageRequest,
      response: { 200: ZMessage, 201: ZMessage, 400: ZErrorResponse, 401: ZErrorResponse, 404: ZErrorResponse },
    },
    handler: async (request, reply) => {
      const identity = requireIdentity(request);
      const { message, isDuplicate } = await sendAgentMessage(
        services,
        identity,
        request.params.id,
        request.body,
        actorOf(identity, request),
      );
      return reply.status(isDuplicate ? 200 : 201).send(message);
    },
  });
};
