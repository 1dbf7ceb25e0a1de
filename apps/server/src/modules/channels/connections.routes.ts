import {
  ZChannelConnection,
  ZChannelInboxParams,
  ZConnectChannelRequest,
  ZErrorResponse,
  ZMessageRetryParams,
} from "@parley/shared";
import { eq } from "drizzle-orm";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { requireIdentity } from "../../platform/access.ts";
import { AppError } from "../../platform/errors.ts";
import { actorOf } from "../audit/audit.service.ts";
import { findVisibleConversation } from "../conversations/visibility.ts";
import { messages } from "../messages/messages.tables.ts";
import { connectChannel, disconnectChannel, getChannelConnection } from "./connections.service.ts";
import { retryChannelMessage } from "./outbound.ts";

const errors = {
  400: ZErrorResponse,
  401: ZErrorResponse,
  403: ZErrorResponse,
  404: ZErrorResponse,
  409: ZErrorResponse,
  422: ZErrorResponse,
  502: ZErrorResponse,
};

/** Connecting inboxes to their platforms, and retrying replies a platform refused. */
export const channelConnectionRoutes: FastifyPluginAsyncZod = async (app) => {
  const services = app.parley;

  app.get("/inboxes/:inboxId/channel", {
    config: { access: "inboxes.manage" },
    schema: {
      tags: ["channels"],
      summary: "The inbox's platform connection: status, the platform's last error, the webhook URL",
      params: ZChannelInboxParams,
      response: { 200: ZChannelConnection, ...errors },
    },
    handler: async (request) => getChannelConnection(services, requireIdentity(request).workspaceId, request.params.inboxId),
  });

  app.put("/inboxes/:inboxId/channel", {
    config: { access: "inboxes.manage" },
    schema: {
      tags: ["channels"],
      summary: "Connect (or reconnect) the inbox: the platform checks the credentials before they are stored, encrypted",
      params: ZChannelInboxParams,
      body: ZConnectChannelRequest,
      response: { 200: ZChannelConnection, ...errors },
    },
    handler: async (request) => {
      const identity = requireIdentity(request);
      return connectChannel(
        services,
        identity.workspaceId,
        request.params.inboxId,
        request.body.credentials,
        actorOf(identity, request),
      );
    },
  });

  app.delete("/inboxes/:inboxId/channel", {
    config: { access: "inboxes.manage" },
    schema: {
      tags: ["channels"],
      summary: "Disconnect the inbox from its platform and erase its credentials",
      params: ZChannelInboxParams,
      response: { 200: ZChannelConnection, ...errors },
    },
    handler: async (request) => {
      const identity = requireIdentity(request);
      return disconnectChannel(services, identity.workspaceId, request.params.inboxId, actorOf(identity, request));
    },
  });

  app.post("/messages/:messageId/retry", {
    config: { access: "authenticated" },
    schema: {
      tags: ["channels"],
      summary: "Send a reply the platform refused once more",
      params: ZMessageRetryParams,
      response: { 202: z.null(), ...errors },
    },
    handler: async (request, reply) => {
      const identity = requireIdentity(request);
      const [message] = await services.db
        .select({ id: messages.id, conversationId: messages.conversationId, workspaceId: messages.workspaceId })
        .from(messages)
        .where(eq(messages.id, request.params.messageId));
      if (!message || message.workspaceId !== identity.workspaceId) throw new AppError("not_found", "No message with this id.");
      await findVisibleConversation(services.db, identity, message.conversationId);
      await retryChannelMessage(services, identity.workspaceId, message);
      return reply.status(202).send(null);
    },
  });
};
