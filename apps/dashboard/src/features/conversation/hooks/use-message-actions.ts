import { type TMessage, type TSendMessageRequest, ZMessage } from "@parley/shared";
import { useQueryClient } from "@tanstack/react-query";
import { useCallback } from "react";
import { ApiError, toApiError } from "../../../lib/api-client";
import { useSession } from "../../auth/hooks/use-session";
import { emitWithAck, useAgentSocket } from "../../realtime/hooks/use-agent-socket";
import { addReaction, applyMessage, deleteMessage, editMessage, removeReaction, sendMessageOverHttp } from "../api/messages-api";
import { putOutgoing, removeOutgoing, useOutbox } from "../api/outbox-store";
import { newClientId } from "../lib/client-id";

export type DraftMessage = {
  text: string;
  isPrivate: boolean;
  replyToId: string | null;
  attachmentIds: string[];
  content: Record<string, unknown>;
};

/**
 * Sending, editing, deleting and reacting. A send shows the message at once, goes over the socket
 * (HTTP when it is down) with the draft's clientId, and a retry reuses that id, so the server
 * stores it once however many times it is sent.
 */
export const useMessageActions = (conversationId: string) => {
  const queryClient = useQueryClient();
  const { socket } = useAgentSocket();
  const { user } = useSession();
  const outbox = useOutbox();

  const deliver = useCallback(
    async (clientId: string, draft: DraftMessage, optimistic: TMessage) => {
      putOutgoing({
        clientId,
        conversationId,
        message: optimistic,
        state: "sending",
        error: null,
        attachmentIds: draft.attachmentIds,
      });
      const body: TSendMessageRequest = {
        clientId,
        text: draft.text,
        contentType: "text",
        content: draft.content,
        isPrivate: draft.isPrivate,
        replyToId: draft.replyToId,
        attachmentIds: draft.attachmentIds,
      };
      try {
        let stored: TMessage;
        if (socket?.connected) {
          const ack = await emitWithAck(socket, "message.send", { conversationId, ...body });
          if (!ack.ok) throw toApiError(400, ack.error);
          const parsed = ZMessage.safeParse(ack.data);
          if (!parsed.success)
            throw new ApiError({ status: 200, code: "invalid_response", message: "Unexpected acknowledgement." });
          stored = parsed.data;
        } else {
          stored = await sendMessageOverHttp(conversationId, body);
        }
        applyMessage(queryClient, stored, { isNew: true });
        removeOutgoing(clientId);
      } catch (error) {
        putOutgoing({
          clientId,
          conversationId,
          message: optimistic,
          state: "failed",
          error,
          attachmentIds: draft.attachmentIds,
        });
      }
    },
    [conversationId, queryClient, socket],
  );

  const send = useCallback(
    (draft: DraftMessage) => {
      const clientId = newClientId();
      const optimistic: TMessage = {
        id: clientId,
        seq: Number.MAX_SAFE_INTEGER,
        conversationId,
        senderType: "agent",
        senderId: user.id,
        contentType: "text",
        text: draft.text,
        content: draft.content,
        isPrivate: draft.isPrivate,
        replyToId: draft.replyToId,
        clientId,
        deliveryStatus: "pending",
        deliveryError: null,
        attachments: [],
        reactions: [],
        editedAt: null,
        deletedAt: null,
        createdAt: new Date().toISOString(),
      };
      void deliver(clientId, draft, optimistic);
    },
    [conversationId, deliver, user.id],
  );

  const retry = useCallback(
    (clientId: string) => {
      const entry = outbox.get(clientId);
      if (!entry) return;
      const { message } = entry;
      void deliver(
        clientId,
        {
          text: message.text,
          isPrivate: message.isPrivate,
          replyToId: message.replyToId,
          attachmentIds: entry.attachmentIds,
          content: message.content,
        },
        message,
      );
    },
    [deliver, outbox],
  );

  const edit = useCallback(
    async (message: TMessage, text: string) => {
      const stored = await editMessage(message.id, text);
      applyMessage(queryClient, stored, { isNew: false });
    },
    [queryClient],
  );

  const remove = useCallback(
    async (message: TMessage) => {
      const stored = await deleteMessage(message.id);
      applyMessage(queryClient, stored, { isNew: false });
    },
    [queryClient],
  );

  const toggleReaction = useCallback(
    async (message: TMessage, emoji: string, isMine: boolean) => {
      const stored = isMine ? await removeReaction(message.id, emoji) : await addReaction(message.id, emoji);
      applyMessage(queryClient, stored, { isNew: false });
    },
    [queryClient],
  );

  const pending = [...outbox.values()].filter((entry) => entry.conversationId === conversationId);
  return { send, retry, edit, remove, toggleReaction, pending };
};
