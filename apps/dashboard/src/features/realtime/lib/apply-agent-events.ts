import {
  type TAgentPresence,
  type TAgentServerEvents,
  type TBulkProgress,
  type TConversation,
  type TMessage,
  ZAgentServerEvents,
} from "@parley/shared";
import type { QueryClient } from "@tanstack/react-query";
import { applyMessage } from "../../conversation/api/messages-api";
import { applyConversationChange, conversationKeys } from "../../inbox/api/conversations-api";
import { directoryKeys } from "../../inbox/api/directory-api";
import { savedViewKeys } from "../../inbox/api/saved-views-api";
import { applyInternalMessage } from "../../internal-chats/api/internal-chats-api";
import type { NotificationKind } from "../../notifications/api/notification-preferences";
import { applyVisitorsOnline, applyVisitorUpdate } from "../../visitors/api/visitors-api";
import type { AgentSocket } from "../hooks/use-agent-socket";
import {
  clearContactActivity,
  getOpenConversation,
  getOpenInternalChat,
  recordSneakPeek,
  recordTyping,
} from "./live-activity-store";

/** What an event may alert the member about (sound, desktop notification). */
export type AgentAlert =
  | { kind: Extract<NotificationKind, "newConversation" | "assignment">; conversation: TConversation }
  | { kind: Extract<NotificationKind, "newMessage" | "mention">; message: TMessage; conversation: TConversation | undefined };

type Context = {
  queryClient: QueryClient;
  userId: string;
  onAlert: (alert: AgentAlert) => void;
};

const COUNTS_REFRESH_DELAY_MS = 500;

const mentionsOf = (message: TMessage): string[] => {
  const mentions = message.content.mentions;
  return Array.isArray(mentions) ? mentions.filter((id): id is string => typeof id === "string") : [];
};

const cachedConversation = (queryClient: QueryClient, id: string) =>
  queryClient.getQueryData<TConversation>(conversationKeys.detail(id));

/**
 * Subscribes the query cache to the agent socket: every conversation, message, presence, bulk,
 * visitors and internal-chat event lands in the cached answers the screens read. Returns the
 * unsubscribe function.
 */
export const subscribeToAgentEvents = (socket: AgentSocket, context: Context): (() => void) => {
  const { queryClient, userId } = context;
  let countsTimer: ReturnType<typeof setTimeout> | null = null;
  // Counts are per view for this member (mentions among them): the server is asked again, a burst of events asking once.
  const refreshCounts = () => {
    if (countsTimer !== null) return;
    countsTimer = setTimeout(() => {
      countsTimer = null;
      void queryClient.invalidateQueries({ queryKey: conversationKeys.counts });
      void queryClient.invalidateQueries({ queryKey: savedViewKeys.counts });
    }, COUNTS_REFRESH_DELAY_MS);
  };

  const onConversation = (payload: unknown, isNew: boolean) => {
    const parsed = ZAgentServerEvents["conversation.updated"].safeParse(payload);
    if (!parsed.success) return;
    const previous = cachedConversation(queryClient, parsed.data.conversation.id);
    const conversation = applyConversationChange(queryClient, parsed.data.conversation, {
      userId,
      isOpenHere: getOpenConversation() === parsed.data.conversation.id,
    });
    refreshCounts();
    if (isNew) context.onAlert({ kind: "newConversation", conversation });
    else if (conversation.assigneeId === userId && previous !== undefined && previous.assigneeId !== userId) {
      context.onAlert({ kind: "assignment", conversation });
    }
  };

  const onMessage = (payload: unknown, isNew: boolean) => {
    const parsed = ZAgentServerEvents["message.created"].safeParse(payload);
    if (!parsed.success) return;
    const { message } = parsed.data;
    applyMessage(queryClient, message, { isNew });
    if (!isNew) return;
    if (message.senderType === "contact") clearContactActivity(message.conversationId);
    const conversation = cachedConversation(queryClient, message.conversationId);
    if (message.isPrivate && message.senderId !== userId && mentionsOf(message).includes(userId)) {
      refreshCounts();
      context.onAlert({ kind: "mention", message, conversation });
    } else if (message.senderType === "contact") {
      context.onAlert({ kind: "newMessage", message, conversation });
    }
  };

  const handlers: { [Event in keyof TAgentServerEvents]?: (payload: unknown) => void } = {
    "conversation.created": (payload) => onConversation(payload, true),
    "conversation.updated": (payload) => onConversation(payload, false),
    "message.created": (payload) => onMessage(payload, true),
    "message.updated": (payload) => onMessage(payload, false),
    typing: (payload) => {
      const parsed = ZAgentServerEvents.typing.safeParse(payload);
      if (parsed.success) recordTyping(parsed.data.conversationId, parsed.data.actor, parsed.data.isTyping);
    },
    sneak_peek: (payload) => {
      const parsed = ZAgentServerEvents.sneak_peek.safeParse(payload);
      if (parsed.success) recordSneakPeek(parsed.data.conversationId, parsed.data.text);
    },
    "presence.updated": (payload) => {
      const parsed = ZAgentServerEvents["presence.updated"].safeParse(payload);
      if (!parsed.success) return;
      const { presence } = parsed.data;
      queryClient.setQueryData<{ items: TAgentPresence[] }>(directoryKeys.presence, (data) => {
        if (!data) return data;
        const isKnown = data.items.some((item) => item.userId === presence.userId);
        return {
          items: isKnown
            ? data.items.map((item) => (item.userId === presence.userId ? presence : item))
            : [...data.items, presence],
        };
      });
    },
    "bulk.progress": (payload) => {
      const parsed = ZAgentServerEvents["bulk.progress"].safeParse(payload);
      if (!parsed.success) return;
      queryClient.setQueryData<TBulkProgress>(conversationKeys.bulk(parsed.data.operationId), parsed.data);
      // The changed conversations arrive as their own events; a finished run also refreshes what lists show.
      if (parsed.data.status === "done" || parsed.data.status === "failed") {
        void queryClient.invalidateQueries({ queryKey: conversationKeys.lists });
        refreshCounts();
      }
    },
    "internal.message": (payload) => {
      const parsed = ZAgentServerEvents["internal.message"].safeParse(payload);
      if (!parsed.success) return;
      applyInternalMessage(queryClient, parsed.data.message, {
        userId,
        isOpenHere: getOpenInternalChat() === parsed.data.message.channelId,
      });
    },
    "visitor.updated": (payload) => {
      const parsed = ZAgentServerEvents["visitor.updated"].safeParse(payload);
      if (parsed.success) applyVisitorUpdate(queryClient, parsed.data);
    },
    "visitors.online": (payload) => {
      const parsed = ZAgentServerEvents["visitors.online"].safeParse(payload);
      if (parsed.success) applyVisitorsOnline(queryClient, parsed.data);
    },
  };

  const entries = Object.entries(handlers);
  for (const [event, handler] of entries) socket.on(event as keyof TAgentServerEvents, handler as never);
  return () => {
    if (countsTimer !== null) clearTimeout(countsTimer);
    for (const [event, handler] of entries) socket.off(event as keyof TAgentServerEvents, handler as never);
  };
};

/** After a reconnect, anything may have been missed: what the inbox shows is fetched again. */
export const resyncConversations = (queryClient: QueryClient) => {
  void queryClient.invalidateQueries({ queryKey: conversationKeys.all });
  void queryClient.invalidateQueries({ queryKey: savedViewKeys.all });
  void queryClient.invalidateQueries({ queryKey: directoryKeys.presence });
};
