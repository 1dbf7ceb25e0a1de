import { z } from "zod";
import type { TErrorResponse } from "./errors.ts";
import { CONTENT_SCHEMAS, ZTemplateContent } from "./message-content.schemas.ts";
import { zPlainText } from "./text.schemas.ts";
import {
  ZCompiledTrigger,
  ZWidgetAvailability,
  ZWidgetContact,
  ZWidgetSessionClient,
  ZWidgetSessionPage,
  ZWidgetSettings,
  ZWidgetVisitorFacts,
} from "./widget.schemas.ts";

export const CONVERSATION_STATUSES = ["pending", "open", "snoozed", "resolved", "closed"] as const;
export const CONVERSATION_PRIORITIES = ["low", "medium", "high", "urgent"] as const;
export const INBOX_TYPES = ["website", "messenger", "instagram", "whatsapp", "telegram", "email", "sms", "api"] as const;
export const SENDER_TYPES = ["contact", "agent", "bot", "system"] as const;
export const CONTENT_TYPES = [
  "text",
  "image",
  "file",
  "audio",
  "video",
  "location",
  "contact_card",
  "buttons",
  "cards",
  "form",
  "system",
] as const;
export const DELIVERY_STATUSES = ["pending", "sent", "delivered", "read", "failed"] as const;

export const ZInboxSummary = z.object({ id: z.uuid(), name: z.string(), type: z.enum(INBOX_TYPES) });
export type TInboxSummary = z.infer<typeof ZInboxSummary>;

export const ZContactSummary = z.object({
  id: z.uuid(),
  name: z.string().nullable(),
  email: z.string().nullable(),
  phone: z.string().nullable(),
  avatarUrl: z.string().nullable(),
});
export type TContactSummary = z.infer<typeof ZContactSummary>;

export const ZAttachment = z.object({
  id: z.uuid(),
  fileName: z.string(),
  contentType: z.string(),
  byteSize: z.number().int(),
  width: z.number().int().nullable(),
  height: z.number().int().nullable(),
  /** Signed, expiring links. */
  url: z.string(),
  thumbnailUrl: z.string().nullable(),
});
export type TAttachment = z.infer<typeof ZAttachment>;

export const ZReaction = z.object({ emoji: z.string(), reactorType: z.enum(["agent", "contact"]), reactorId: z.uuid() });

export const ZMessage = z.object({
  id: z.uuid(),
  seq: z.number().int(),
  conversationId: z.uuid(),
  senderType: z.enum(SENDER_TYPES),
  senderId: z.uuid().nullable(),
  contentType: z.enum(CONTENT_TYPES),
  text: z.string(),
  content: z.record(z.string(), z.unknown()),
  isPrivate: z.boolean(),
  replyToId: z.uuid().nullable(),
  clientId: z.string().nullable(),
  deliveryStatus: z.enum(DELIVERY_STATUSES),
  deliveryError: z.string().nullable(),
  attachments: z.array(ZAttachment),
  reactions: z.array(ZReaction),
  editedAt: z.iso.datetime().nullable(),
  deletedAt: z.iso.datetime().nullable(),
  createdAt: z.iso.datetime(),
});
export type TMessage = z.infer<typeof ZMessage>;

export const ZConversation = z.object({
  id: z.uuid(),
  number: z.number().int(),
  inbox: ZInboxSummary,
  contact: ZContactSummary,
  status: z.enum(CONVERSATION_STATUSES),
  priority: z.enum(CONVERSATION_PRIORITIES),
  assigneeId: z.uuid().nullable(),
  teamId: z.uuid().nullable(),
  labels: z.array(z.string()),
  snoozedUntil: z.iso.datetime().nullable(),
  isMissed: z.boolean(),
  isArchived: z.boolean(),
  waitingSince: z.iso.datetime().nullable(),
  lastMessageAt: z.iso.datetime().nullable(),
  lastMessageSeq: z.number().int(),
  lastActivityAt: z.iso.datetime(),
  /** The latest message the contact and the business exchanged, for list previews (not notes, system or deleted messages). */
  lastMessage: z.object({ text: z.string(), senderType: z.enum(SENDER_TYPES), contentType: z.enum(CONTENT_TYPES) }).nullable(),
  unreadCount: z.number().int(),
  createdAt: z.iso.datetime(),
});
export type TConversation = z.infer<typeof ZConversation>;

/** Structured content an agent or bot may send; channels degrade it to what they can show. */
export const ZMessageContent = z.record(z.string(), z.unknown());

export const ZSendMessageRequest = z
  .strictObject({
    /** The sender's own id for this message: sending twice with it stores it once. */
    clientId: z.string().min(1).max(100),
    text: z.string().max(20_000).default(""),
    contentType: z.enum(CONTENT_TYPES).exclude(["system"]).default("text"),
    content: ZMessageContent.default({}),
    isPrivate: z.boolean().default(false),
    replyToId: z.uuid().nullable().default(null),
    attachmentIds: z.array(z.uuid()).max(10).default([]),
  })
  .superRefine((request, context) => {
    // Structured content must have the shape its type promises, or channels could not render it.
    const schema =
      request.contentType in CONTENT_SCHEMAS ? CONTENT_SCHEMAS[request.contentType as keyof typeof CONTENT_SCHEMAS] : null;
    const shape = schema ?? (request.content.template === undefined ? null : ZTemplateContent);
    if (!shape) return;
    const parsed = shape.safeParse(request.content);
    if (parsed.success) return;
    for (const issue of parsed.error.issues) context.addIssue({ ...issue, path: ["content", ...issue.path] } as never);
  });
export type TSendMessageRequest = z.infer<typeof ZSendMessageRequest>;

/** History around a point: `before`/`after` a seq, or `around` a message id for jump-to-message. */
export const ZMessageHistoryQuery = z.strictObject({
  before: z.coerce.number().int().min(1).optional(),
  after: z.coerce.number().int().min(0).optional(),
  around: z.uuid().optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
});

export const ZMessagePage = z.object({
  items: z.array(ZMessage),
  /** More messages exist before the first / after the last item. */
  hasOlder: z.boolean(),
  hasNewer: z.boolean(),
});
export type TMessagePage = z.infer<typeof ZMessagePage>;

/** Starting a conversation from the agent side (e.g. with a contact on an API or email inbox). */
export const ZCreateConversationRequest = z.strictObject({
  inboxId: z.uuid(),
  contactId: z.uuid(),
  message: ZSendMessageRequest.optional(),
});

export const ZWidgetSessionRequest = z.strictObject({
  inboxToken: z.string().min(8).max(100),
  /** The token the widget kept from an earlier visit; a new visitor is created without one. */
  visitorToken: z.string().max(300).optional(),
  /** The host page the widget loaded on. */
  page: ZWidgetSessionPage.optional(),
  /** What the browser tells about itself; the server adds IP, location and the parsed user agent. */
  client: ZWidgetSessionClient.optional(),
});
export type TWidgetSessionRequest = z.infer<typeof ZWidgetSessionRequest>;
export const ZWidgetSessionResponse = z.object({
  visitorToken: z.string(),
  visitorId: z.string(),
  inbox: z.object({ id: z.uuid(), name: z.string(), greetingMessage: z.string() }),
  conversation: z.object({ id: z.uuid(), status: z.enum(CONVERSATION_STATUSES), lastMessageSeq: z.number().int() }).nullable(),
  settings: ZWidgetSettings,
  availability: ZWidgetAvailability,
  /** Enabled proactive triggers in position order, for `evaluateTrigger`. */
  triggers: z.array(ZCompiledTrigger),
  /** Server-side facts for trigger conditions (location, visit count, business hours, agents online). */
  visitor: ZWidgetVisitorFacts,
  contact: ZWidgetContact,
});
export type TWidgetSessionResponse = z.infer<typeof ZWidgetSessionResponse>;

export const ZVisitorSendMessage = z.strictObject({
  clientId: z.string().min(1).max(100),
  text: zPlainText({ max: 10_000, emptyMessage: "Write a message." }),
  attachmentIds: z.array(z.uuid()).max(10).default([]),
  /** Answering a proactive greeting: the greeting becomes the conversation's first message. */
  triggerFiringId: z.uuid().optional(),
});

/** Socket acknowledgement: the stored result, or the same error shape as HTTP. */
export type TSocketAck<T> = { ok: true; data: T } | { ok: false; error: TErrorResponse["error"] };

export const ZResyncRequest = z.strictObject({ conversationId: z.uuid(), afterSeq: z.number().int().min(0) });
export const ZTypingEvent = z.strictObject({ conversationId: z.uuid(), isTyping: z.boolean() });
