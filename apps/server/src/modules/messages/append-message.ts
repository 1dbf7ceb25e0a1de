import { and, eq, inArray, isNull, sql } from "drizzle-orm";
import type { DatabaseOrTransaction } from "../../platform/db.ts";
import type { DomainEvent } from "../../platform/domain-events.ts";
import { AppError } from "../../platform/errors.ts";
import type { ConversationStatus } from "../conversations/conversations.tables.ts";
import { conversations } from "../conversations/conversations.tables.ts";
import type { MessageRow } from "./message-dto.ts";
import { attachments, type ContentType, type DeliveryStatus, messages, type SenderType } from "./messages.tables.ts";

export type AppendMessageInput = {
  workspaceId: string;
  conversationId: string;
  senderType: SenderType;
  senderId: string | null;
  contentType: ContentType;
  text: string;
  content?: Record<string, unknown>;
  isPrivate?: boolean;
  replyToId?: string | null;
  /** The sender's id for an idempotent send. */
  clientId?: string | null;
  /** The platform's id for an idempotent webhook. */
  externalId?: string | null;
  attachmentIds?: readonly string[];
  /** Whose uploads the attachments must be (an agent's user id or the contact's id). */
  attachmentOwnerId?: string | null;
  deliveryStatus?: DeliveryStatus;
};

export type AppendMessageResult = {
  message: MessageRow;
  /** True when this clientId/externalId was already stored: nothing new happened. */
  isDuplicate: boolean;
  events: DomainEvent[];
};

const findDuplicate = async (
  tx: DatabaseOrTransaction,
  input: AppendMessageInput,
  inboxId: string,
): Promise<MessageRow | undefined> => {
  if (input.clientId) {
    const [existing] = await tx
      .select()
      .from(messages)
      .where(and(eq(messages.conversationId, input.conversationId), eq(messages.clientId, input.clientId)));
    if (existing) return existing;
  }
  if (input.externalId) {
    const [existing] = await tx
      .select()
      .from(messages)
      .where(and(eq(messages.inboxId, inboxId), eq(messages.externalId, input.externalId)));
    if (existing) return existing;
  }
  return undefined;
};

/** The status a conversation moves to when the contact writes: closed ones reopen, snoozed ones wake. */
const statusAfterContactMessage = (status: ConversationStatus, hasAssignee: boolean): ConversationStatus => {
  if (status === "resolved" || status === "closed") return hasAssignee ? "open" : "pending";
  if (status === "snoozed") return "open";
  return status;
};

/**
 * The one way a message enters a conversation, whoever sends it (visitor, agent, bot, channel).
 * Locks the conversation row first, so `seq` follows commit order inside a conversation (what
 * resync relies on), stores the message once per clientId/externalId, and keeps the
 * conversation's counters and status in step. Returns the domain events to run in the same
 * transaction.
 */
export const appendMessage = async (tx: DatabaseOrTransaction, input: AppendMessageInput): Promise<AppendMessageResult> => {
  const [conversation] = await tx
    .select()
    .from(conversations)
    .where(and(eq(conversations.id, input.conversationId), eq(conversations.workspaceId, input.workspaceId)))
    .for("update");
  if (!conversation) throw new AppError("not_found", "No conversation with this id.");

  if (input.replyToId) {
    const [replied] = await tx
      .select({ id: messages.id })
      .from(messages)
      .where(and(eq(messages.id, input.replyToId), eq(messages.conversationId, input.conversationId)));
    if (!replied)
      throw new AppError("validation_failed", "The message you reply to is not in this conversation.", [
        { path: "replyToId", message: "not in this conversation" },
      ]);
  }

  const isPrivate = input.isPrivate ?? false;
  const [message] = await tx
    .insert(messages)
    .values({
      workspaceId: input.workspaceId,
      conversationId: input.conversationId,
      inboxId: conversation.inboxId,
      senderType: input.senderType,
      senderId: input.senderId,
      contentType: input.contentType,
      text: input.text,
      content: input.content ?? {},
      isPrivate,
      replyToId: input.replyToId ?? null,
      clientId: input.clientId ?? null,
      externalId: input.externalId ?? null,
      deliveryStatus: input.deliveryStatus ?? "sent",
    })
    // A retried send or a redelivered webhook meets the unique clientId/externalId: nothing is
    // written and the stored message is returned, without a lookup on the common path.
    .onConflictDoNothing()
    .returning();
  if (!message) {
    const duplicate = await findDuplicate(tx, input, conversation.inboxId);
    if (!duplicate) throw new AppError("conflict", "This message collided with another one; send it again.");
    return { message: duplicate, isDuplicate: true, events: [] };
  }

  const attachmentIds = input.attachmentIds ?? [];
  if (attachmentIds.length > 0) {
    const attached = await tx
      .update(attachments)
      .set({ messageId: message.id })
      .where(
        and(
          inArray(attachments.id, [...attachmentIds]),
          eq(attachments.workspaceId, input.workspaceId),
          isNull(attachments.messageId),
          input.attachmentOwnerId ? eq(attachments.uploadedById, input.attachmentOwnerId) : undefined,
        ),
      )
      .returning({ id: attachments.id });
    if (attached.length !== attachmentIds.length) {
      throw new AppError("validation_failed", "An attachment is unknown, already sent, or not yours.", [
        { path: "attachmentIds", message: "not attachable" },
      ]);
    }
  }

  const now = new Date();
  const isFromContact = input.senderType === "contact";
  const isPublicReply = !isPrivate && (input.senderType === "agent" || input.senderType === "bot");
  const nextStatus = isFromContact
    ? statusAfterContactMessage(conversation.status, conversation.assigneeId !== null)
    : conversation.status;
  await tx
    .update(conversations)
    .set({
      lastMessageSeq: message.seq,
      lastActivityAt: now,
      updatedAt: now,
      ...(isPrivate || input.senderType === "system" ? {} : { lastMessageAt: now }),
      ...(isFromContact
        ? {
            waitingSince: conversation.waitingSince ?? now,
            unreadByAgentsCount: sql`${conversations.unreadByAgentsCount} + 1`,
            status: nextStatus,
            ...(nextStatus !== conversation.status ? { snoozedUntil: null, resolvedAt: null, closedAt: null } : {}),
          }
        : {}),
      ...(isPublicReply
        ? {
            waitingSince: null,
            firstReplyAt: conversation.firstReplyAt ?? (input.senderType === "agent" ? now : null),
            unreadByContactCount: sql`${conversations.unreadByContactCount} + 1`,
            // An agent answering a waiting conversation takes it out of "pending".
            ...(conversation.status === "pending" && input.senderType === "agent" ? { status: "open" as const } : {}),
          }
        : {}),
    })
    .where(eq(conversations.id, conversation.id));

  const events: DomainEvent[] = [
    {
      type: "message.created",
      workspaceId: input.workspaceId,
      conversationId: conversation.id,
      messageId: message.id,
      senderType: message.senderType,
      isPrivate: message.isPrivate,
    },
  ];
  const statusNow = isPublicReply && conversation.status === "pending" && input.senderType === "agent" ? "open" : nextStatus;
  if (statusNow !== conversation.status) {
    events.push({
      type: "conversation.status_changed",
      workspaceId: input.workspaceId,
      conversationId: conversation.id,
      from: conversation.status,
      to: statusNow,
      cause: isFromContact ? "contact" : "agent",
    });
  }
  events.push({
    type: "conversation.updated",
    workspaceId: input.workspaceId,
    conversationId: conversation.id,
    changes: ["lastMessage"],
  });
  return { message, isDuplicate: false, events };
};
