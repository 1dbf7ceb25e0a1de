import { z } from "zod";
import { ZAuditEntry } from "./audit.schemas.ts";
import { ZWorkspace } from "./auth.schemas.ts";
import { ZBulkProgress } from "./conversation-list.schemas.ts";
import { ZConversation, ZMessage } from "./conversations.schemas.ts";
import { ZErrorResponse } from "./errors.ts";
import { ZInternalMessageEvent } from "./internal-chats.schemas.ts";
import { ZAgentPresence, ZQueueStatus } from "./routing.schemas.ts";
import { ZVisitorVisit, ZWidgetSettings } from "./widget.schemas.ts";

/** Socket.IO namespaces. */
export const AGENT_NAMESPACE = "/agent";
export const WIDGET_NAMESPACE = "/widget";

/** Events the server emits to agent sockets, with their payloads. */
export const ZAgentServerEvents = {
  "workspace.updated": z.object({ workspace: ZWorkspace }),
  "session.ready": z.object({ userId: z.uuid().nullable(), workspaceId: z.uuid() }),
  /** To members with `audit.view` only. */
  "audit.created": z.object({ entry: ZAuditEntry }),
  /** To agents who may see the conversation. */
  "conversation.created": z.object({ conversation: ZConversation }),
  "conversation.updated": z.object({ conversation: ZConversation }),
  "message.created": z.object({ message: ZMessage }),
  "message.updated": z.object({ message: ZMessage }),
  /** What a visitor is typing before sending, to agents only (throttled). */
  sneak_peek: z.object({ conversationId: z.uuid(), text: z.string() }),
  /** To agents of an inbox: a visitor's visit changed (page, attributes, identity). */
  "visitor.updated": z.object({ inboxId: z.uuid(), visitorId: z.string(), contactId: z.uuid(), visit: ZVisitorVisit.nullable() }),
  /** To agents of an inbox: how many visitors have its widget open now. */
  "visitors.online": z.object({ inboxId: z.uuid(), visitors: z.number().int() }),
  /** To the members of an internal (agent-only) chat. */
  "internal.message": ZInternalMessageEvent,
  /** To the member who started a bulk action. */
  "bulk.progress": ZBulkProgress,
  /** To the workspace: an agent's availability changed (chosen, or away after their last socket closed). */
  "presence.updated": z.object({ presence: ZAgentPresence }),
  typing: z.object({
    conversationId: z.uuid(),
    actor: z.object({ type: z.enum(["agent", "contact"]), id: z.string(), name: z.string().nullable() }),
    isTyping: z.boolean(),
  }),
} as const;

export type TAgentServerEvents = {
  [K in keyof typeof ZAgentServerEvents]: (payload: z.infer<(typeof ZAgentServerEvents)[K]>) => void;
};

/** Payload of a failed acknowledgement, mirroring the HTTP error body. */
export const ZSocketErrorAck = z.object({
  ok: z.literal(false),
  error: ZErrorResponse.shape.error,
});

/** Events the server emits to visitors' widget sockets. Private notes never travel here. */
export const ZWidgetServerEvents = {
  "message.created": z.object({ message: ZMessage }),
  "message.updated": z.object({ message: ZMessage }),
  "conversation.updated": z.object({ conversationId: z.uuid(), status: z.string() }),
  typing: z.object({ conversationId: z.uuid(), agentName: z.string().nullable(), isTyping: z.boolean() }),
  /** The visitor's place in the queue changed (position null: an agent has it now). */
  "queue.updated": ZQueueStatus,
  /** The inbox's widget settings changed; open widgets apply them without a reload. */
  "widget.settings": z.object({ settings: ZWidgetSettings }),
  /** The visitor was banned: the widget hides itself. */
  "visitor.banned": z.object({ code: z.literal("visitor_banned") }),
} as const;

export type TWidgetServerEvents = {
  [K in keyof typeof ZWidgetServerEvents]: (payload: z.infer<(typeof ZWidgetServerEvents)[K]>) => void;
};
