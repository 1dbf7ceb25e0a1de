import type { TMessage, TMessageEdit } from "@parley/shared";
import { and, desc, eq } from "drizzle-orm";
import type { DatabaseOrTransaction } from "../../platform/db.ts";
import type { DomainEvent } from "../../platform/domain-events.ts";
import { AppError } from "../../platform/errors.ts";
import { hasPermission, type RequestIdentity } from "../../platform/identity.ts";
import type { VisitorIdentity } from "../../platform/realtime.ts";
import { type AuditActor, publishAudit, recordAudit } from "../audit/audit.service.ts";
import { type ConversationServices, commitConversationChange, conversationOfVisitor } from "../conversations/commit-change.ts";
import { conversations } from "../conversations/conversations.tables.ts";
import { visibleConversationsCondition } from "../conversations/visibility.ts";
import { type MessageRow, toMessageDtos } from "./message-dto.ts";
import { messageEdits, messageReactions, messages } from "./messages.tables.ts";

/** A message in a conversation this identity may see (locked for the change); anything else is "not found". */
const findVisibleMessage = async (
  tx: DatabaseOrTransaction,
  identity: RequestIdentity,
  messageId: string,
  options: { lock?: boolean } = {},
): Promise<MessageRow & { conversationNumber: number }> => {
  const query = tx
    .select({ message: messages, conversationNumber: conversations.number })
    .from(messages)
    .innerJoin(conversations, eq(conversations.id, messages.conversationId))
    .where(
      and(
        eq(messages.id, messageId),
        eq(messages.workspaceId, identity.workspaceId),
        visibleConversationsCondition(tx, identity),
      ),
    );
  const [row] = options.lock ? await query.for("update", { of: messages }) : await query;
  if (!row) throw new AppError("not_found", "No message with this id that you can see.");
  return { ...row.message, conversationNumber: row.conversationNumber };
};

const messageUpdated = (row: MessageRow): DomainEvent => ({
  type: "message.updated",
  workspaceId: row.workspaceId,
  conversationId: row.conversationId,
  messageId: row.id,
});

const dtoOf = async (services: ConversationServices, messageId: string): Promise<TMessage> => {
  const rows = await services.db.select().from(messages).where(eq(messages.id, messageId));
  const [dto] = await toMessageDtos(services.db, services, rows);
  if (!dto) throw new AppError("not_found", "No message with this id.");
  return dto;
};

const requireUser = (identity: RequestIdentity): string => {
  if (identity.userId === null) throw new AppError("forbidden", "This needs a member; API keys cannot do it.");
  return identity.userId;
};

/** An agent corrects their own message; the previous version is kept in its edit history. */
export const editMessage = async (
  services: ConversationServices,
  identity: RequestIdentity,
  actor: AuditActor,
  messageId: string,
  text: string,
): Promise<TMessage> => {
  const userId = requireUser(identity);
  const entry = await commitConversationChange(services, async (tx) => {
    const message = await findVisibleMessage(tx, identity, messageId, { lock: true });
    if (message.senderType !== "agent" || message.senderId !== userId) {
      throw new AppError("forbidden", "You can only edit your own messages.", undefined, { reason: "edit_own_messages_only" });
    }
    if (message.deletedAt) {
      throw new AppError("conflict", "This message was deleted; it cannot be edited.", undefined, { reason: "message_deleted" });
    }
    await tx.insert(messageEdits).values({
      messageId: message.id,
      previousText: message.text,
      previousContent: message.content,
      editedByUserId: userId,
    });
    await tx.update(messages).set({ text, editedAt: new Date() }).where(eq(messages.id, message.id));
    const audited = await recordAudit(tx, {
      workspaceId: identity.workspaceId,
      actor,
      action: "message.edited",
      target: { type: "message", id: message.id, label: `#${message.conversationNumber}` },
      before: { length: message.text.length },
      after: { length: text.length },
    });
    return { result: audited, events: [messageUpdated(message)] };
  });
  publishAudit(services.realtime, identity.workspaceId, entry);
  return dtoOf(services, messageId);
};

/**
 * Deletes a message softly: the row keeps its place in the timeline, DTOs show nothing of it.
 * One's own messages, or anyone's with `conversations.manage`.
 */
export const deleteMessage = async (
  services: ConversationServices,
  identity: RequestIdentity,
  actor: AuditActor,
  messageId: string,
): Promise<TMessage> => {
  const entry = await commitConversationChange(services, async (tx) => {
    const message = await findVisibleMessage(tx, identity, messageId, { lock: true });
    const isOwn = message.senderType === "agent" && identity.userId !== null && message.senderId === identity.userId;
    if (!isOwn && !hasPermission(identity, "conversations.manage")) {
      throw new AppError("forbidden", "You can only delete your own messages.", undefined, {
        reason: "delete_own_messages_only",
      });
    }
    if (message.deletedAt) return { result: null, events: [] };
    await tx.update(messages).set({ deletedAt: new Date() }).where(eq(messages.id, message.id));
    const audited = await recordAudit(tx, {
      workspaceId: identity.workspaceId,
      actor,
      action: "message.deleted",
      target: { type: "message", id: message.id, label: `#${message.conversationNumber}` },
      before: { senderType: message.senderType, senderId: message.senderId, isPrivate: message.isPrivate },
    });
    return { result: audited, events: [messageUpdated(message)] };
  });
  if (entry) publishAudit(services.realtime, identity.workspaceId, entry);
  return dtoOf(services, messageId);
};

/** Earlier versions, newest first; none for a deleted message (its content is gone from view). */
export const listMessageEdits = async (
  services: ConversationServices,
  identity: RequestIdentity,
  messageId: string,
): Promise<TMessageEdit[]> => {
  const message = await findVisibleMessage(services.db, identity, messageId);
  if (message.deletedAt) return [];
  const rows = await services.db
    .select()
    .from(messageEdits)
    .where(eq(messageEdits.messageId, message.id))
    .orderBy(desc(messageEdits.createdAt), desc(messageEdits.id));
  return rows.map((row) => ({
    id: row.id,
    previousText: row.previousText,
    previousContent: (row.previousContent ?? {}) as Record<string, unknown>,
    editedByUserId: row.editedByUserId,
    createdAt: row.createdAt.toISOString(),
  }));
};

/** Adds or removes one reactor's emoji; repeating either is harmless and sends nothing. */
const setReaction = async (
  tx: DatabaseOrTransaction,
  message: MessageRow,
  reactor: { type: "agent" | "contact"; id: string },
  emoji: string,
  remove: boolean,
): Promise<DomainEvent[]> => {
  if (message.deletedAt) throw new AppError("conflict", "This message was deleted.", undefined, { reason: "message_deleted" });
  const changed = remove
    ? await tx
        .delete(messageReactions)
        .where(
          and(
            eq(messageReactions.messageId, message.id),
            eq(messageReactions.reactorType, reactor.type),
            eq(messageReactions.reactorId, reactor.id),
            eq(messageReactions.emoji, emoji),
          ),
        )
        .returning({ id: messageReactions.messageId })
    : await tx
        .insert(messageReactions)
        .values({ messageId: message.id, reactorType: reactor.type, reactorId: reactor.id, emoji })
        .onConflictDoNothing()
        .returning({ id: messageReactions.messageId });
  return changed.length > 0 ? [messageUpdated(message)] : [];
};

export const reactAsAgent = async (
  services: ConversationServices,
  identity: RequestIdentity,
  input: { messageId: string; emoji: string; remove: boolean },
): Promise<TMessage> => {
  const userId = requireUser(identity);
  await commitConversationChange(services, async (tx) => {
    const message = await findVisibleMessage(tx, identity, input.messageId);
    return { result: null, events: await setReaction(tx, message, { type: "agent", id: userId }, input.emoji, input.remove) };
  });
  return dtoOf(services, input.messageId);
};

/** A visitor reacts to a public message of their own conversation. */
export const reactAsVisitor = async (
  services: ConversationServices,
  visitor: VisitorIdentity,
  input: { messageId: string; emoji: string; remove: boolean },
): Promise<TMessage> => {
  await commitConversationChange(services, async (tx) => {
    const [message] = await tx
      .select()
      .from(messages)
      .where(and(eq(messages.id, input.messageId), eq(messages.workspaceId, visitor.workspaceId), eq(messages.isPrivate, false)));
    const own = message ? await conversationOfVisitor(tx, { ...visitor, conversationId: message.conversationId }) : null;
    if (!message || !own) throw new AppError("not_found", "No message of your conversation has this id.");
    const [conversation] = await tx
      .select({ contactId: conversations.contactId })
      .from(conversations)
      .where(eq(conversations.id, message.conversationId));
    if (!conversation) throw new AppError("not_found", "No message of your conversation has this id.");
    return {
      result: null,
      events: await setReaction(tx, message, { type: "contact", id: conversation.contactId }, input.emoji, input.remove),
    };
  });
  const dto = await dtoOf(services, input.messageId);
  return dto;
};
