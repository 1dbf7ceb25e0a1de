import {
  ZEditMessageRequest,
  ZErrorResponse,
  ZMentionList,
  ZMentionListQuery,
  ZMentionParams,
  ZMessage,
  ZMessageEditList,
  ZMessageParams,
  ZReactionParams,
} from "@parley/shared";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { requireIdentity } from "../../platform/access.ts";
import { actorOf } from "../audit/audit.service.ts";
import { listMentions, markMentionRead } from "./mentions.ts";
import { deleteMessage, editMessage, listMessageEdits, reactAsAgent } from "./message-actions.service.ts";

const readErrors = { 400: ZErrorResponse, 401: ZErrorResponse, 403: ZErrorResponse, 404: ZErrorResponse };
const writeErrors = { ...readErrors, 409: ZErrorResponse };

/**
 * What agents do to existing messages (edit, delete, react) and their @mentions. Which messages
 * one may touch follows conversation visibility: others answer 404.
 */
export const messageActionsRoutes: FastifyPluginAsyncZod = async (app) => {
  const services = app.parley;

  app.patch("/messages/:id", {
    config: { access: "authenticated" },
    schema: {
      tags: ["messages"],
      summary: "Edit one of your own messages; the previous text is kept in its edit history",
      params: ZMessageParams,
      body: ZEditMessageRequest,
      response: { 200: ZMessage, ...writeErrors },
    },
    handler: async (request) => {
      const identity = requireIdentity(request);
      return editMessage(services, identity, actorOf(identity, request), request.params.id, request.body.text);
    },
  });

  app.delete("/messages/:id", {
    // Own messages for everyone; anyone's with conversations.manage (checked in the service).
    config: { access: "authenticated" },
    schema: {
      tags: ["messages"],
      summary: "Delete a message: it keeps its place in the conversation but its content is hidden",
      params: ZMessageParams,
      response: { 200: ZMessage, ...writeErrors },
    },
    handler: async (request) => {
      const identity = requireIdentity(request);
      return deleteMessage(services, identity, actorOf(identity, request), request.params.id);
    },
  });

  app.get("/messages/:id/edits", {
    config: { access: "authenticated" },
    schema: {
      tags: ["messages"],
      summary: "Earlier versions of an edited message, newest first",
      params: ZMessageParams,
      response: { 200: ZMessageEditList, ...readErrors },
    },
    handler: async (request) => ({ items: await listMessageEdits(services, requireIdentity(request), request.params.id) }),
  });

  app.put("/messages/:id/reactions/:emoji", {
    config: { access: "authenticated" },
    schema: {
      tags: ["messages"],
      summary: "React to a message with an emoji (adding the same one twice changes nothing)",
      params: ZReactionParams,
      response: { 200: ZMessage, ...writeErrors },
    },
    handler: async (request) =>
      reactAsAgent(services, requireIdentity(request), {
        messageId: request.params.id,
        emoji: request.params.emoji,
        remove: false,
      }),
  });

  app.delete("/messages/:id/reactions/:emoji", {
    config: { access: "authenticated" },
    schema: {
      tags: ["messages"],
      summary: "Take back your reaction",
      params: ZReactionParams,
      response: { 200: ZMessage, ...writeErrors },
    },
    handler: async (request) =>
      reactAsAgent(services, requireIdentity(request), {
        messageId: request.params.id,
        emoji: request.params.emoji,
        remove: true,
      }),
  });

  app.get("/mentions", {
    config: { access: "authenticated" },
    schema: {
      tags: ["messages"],
      summary: "Private notes that @mentioned you, newest first (unread=true for the unread ones)",
      querystring: ZMentionListQuery,
      response: { 200: ZMentionList, ...readErrors },
    },
    handler: async (request) => ({ items: await listMentions(services.db, requireIdentity(request), request.query) }),
  });

  app.post("/mentions/:id/read", {
    config: { access: "authenticated" },
    schema: {
      tags: ["messages"],
      summary: "Mark one of your mentions read",
      params: ZMentionParams,
      response: { 204: z.null(), ...readErrors },
    },
    handler: async (request, reply) => {
      await markMentionRead(services.db, requireIdentity(request), request.params.id);
      return reply.status(204).send(null);
    },
  });
};
