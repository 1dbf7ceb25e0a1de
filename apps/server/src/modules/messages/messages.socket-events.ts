import { ZResyncRequest, ZSendMessageRequest } from "@parley/shared";
import { z } from "zod";
import type { RequestIdentity } from "../../platform/identity.ts";
import { defineSocketEvent, requireSocketPermission } from "../../platform/socket-events.ts";
import { socketActorOf } from "../audit/audit.service.ts";
import type { ConversationServices } from "../conversations/commit-change.ts";
import { loadConversationDtos } from "../conversations/conversation-dto.ts";
import { findVisibleConversation } from "../conversations/visibility.ts";
import { messagesAfter, sendAgentMessage } from "./messages.service.ts";

/** Agent socket events for messages: send (idempotent by clientId) and resync after a reconnect. */
export const messageSocketEvents = (services: ConversationServices) => [
  defineSocketEvent({
    name: "message.send",
    // Which conversations one may write in is checked per conversation, like the HTTP route.
    authorize: requireSocketPermission("authenticated"),
    payload: ZSendMessageRequest.extend({ conversationId: z.uuid() }),
    ratePerSecond: 20,
    handle: async (identity: RequestIdentity, { conversationId, ...request }, socket) =>
      (await sendAgentMessage(services, identity, conversationId, request, socketActorOf(identity, socket))).message,
  }),
  defineSocketEvent({
    name: "conversation.resync",
    authorize: requireSocketPermission("authenticated"),
    payload: ZResyncRequest,
    ratePerSecond: 20,
    handle: async (identity: RequestIdentity, request) => {
      const conversation = await findVisibleConversation(services.db, identity, request.conversationId);
      const [dto] = await loadConversationDtos(services.db, [conversation.id], identity.userId);
      const missed = await messagesAfter(services.db, services, {
        conversationId: conversation.id,
        afterSeq: request.afterSeq,
        limit: 500,
        includePrivate: true,
      });
      return { conversation: dto, messages: missed.items, hasMore: missed.hasMore };
    },
  }),
];
