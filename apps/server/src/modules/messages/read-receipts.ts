import { type TVisitorReceiptRequest, ZVisitorReceiptRequest } from "@parley/shared";
import { and, count, eq, gt, inArray, lte } from "drizzle-orm";
import type { DomainEvent } from "../../platform/domain-events.ts";
import { AppError } from "../../platform/errors.ts";
import type { VisitorIdentity } from "../../platform/realtime.ts";
import { allowVisitor, defineSocketEvent } from "../../platform/socket-events.ts";
import { type ConversationServices, commitConversationChange, conversationOfVisitor } from "../conversations/commit-change.ts";
import { conversations } from "../conversations/conversations.tables.ts";
import { messages } from "./messages.tables.ts";

/** Messages the visitor receives: public replies of agents and bots. */
const TOWARD_CONTACT = ["agent", "bot"] as const;

/**
 * The visitor has read their conversation up to a seq. The read mark only moves forward (the
 * conversation row lock orders concurrent receipts); replies up to it become "read" and the
 * contact's unread count is recomputed from what is left.
 */
export const markReadByVisitor = async (
  services: ConversationServices,
  visitor: VisitorIdentity,
  request: TVisitorReceiptRequest,
): Promise<{ lastReadSeq: number; unreadCount: number }> =>
  commitConversationChange(services, async (tx) => {
    const own = await conversationOfVisitor(tx, { ...visitor, conversationId: request.conversationId });
    if (!own) throw new AppError("not_found", "No conversation of yours with this id.");
    const [conversation] = await tx.select().from(conversations).where(eq(conversations.id, own.id)).for("update");
    if (!conversation) throw new AppError("not_found", "No conversation of yours with this id.");
    const upTo = Math.min(request.upToSeq, conversation.lastMessageSeq);
    if (upTo <= conversation.contactLastReadSeq) {
      return {
        result: { lastReadSeq: conversation.contactLastReadSeq, unreadCount: conversation.unreadByContactCount },
        events: [],
      };
    }
    const inConversation = eq(messages.conversationId, conversation.id);
    const repliesToContact = and(
      inConversation,
      eq(messages.isPrivate, false),
      inArray(messages.senderType, [...TOWARD_CONTACT]),
    );
    const nowRead = await tx
      .update(messages)
      .set({ deliveryStatus: "read" })
      .where(and(repliesToContact, lte(messages.seq, upTo), inArray(messages.deliveryStatus, ["pending", "sent", "delivered"])))
      .returning({ id: messages.id, seq: messages.seq });
    nowRead.sort((a, b) => a.seq - b.seq);
    const [left] = await tx
      .select({ value: count() })
      .from(messages)
      .where(and(repliesToContact, gt(messages.seq, upTo)));
    const unreadCount = left?.value ?? 0;
    await tx
      .update(conversations)
      .set({ contactLastReadSeq: upTo, unreadByContactCount: unreadCount })
      .where(eq(conversations.id, conversation.id));
    const events: DomainEvent[] = nowRead.map((row) => ({
      type: "message.updated",
      workspaceId: conversation.workspaceId,
      conversationId: conversation.id,
      messageId: row.id,
    }));
    return { result: { lastReadSeq: upTo, unreadCount }, events };
  });

/** The widget received replies up to a seq: "sent" becomes "delivered" (never "read" back to "delivered"). */
export const markDeliveredToVisitor = async (
  services: ConversationServices,
  visitor: VisitorIdentity,
  request: TVisitorReceiptRequest,
): Promise<{ delivered: number }> =>
  commitConversationChange(services, async (tx) => {
    const own = await conversationOfVisitor(tx, { ...visitor, conversationId: request.conversationId });
    if (!own) throw new AppError("not_found", "No conversation of yours with this id.");
    const delivered = await tx
      .update(messages)
      .set({ deliveryStatus: "delivered" })
      .where(
        and(
          eq(messages.conversationId, own.id),
          eq(messages.isPrivate, false),
          inArray(messages.senderType, [...TOWARD_CONTACT]),
          lte(messages.seq, request.upToSeq),
          inArray(messages.deliveryStatus, ["pending", "sent"]),
        ),
      )
      .returning({ id: messages.id, seq: messages.seq });
    // In conversation order, so agents see the ticks move oldest first.
    delivered.sort((a, b) => a.seq - b.seq);
    return {
      result: { delivered: delivered.length },
      events: delivered.map((row) => ({
        type: "message.updated" as const,
        workspaceId: visitor.workspaceId,
        conversationId: own.id,
        messageId: row.id,
      })),
    };
  });

/** Widget receipts: `messages.read` when the visitor sees replies, `message.delivered` when the widget gets them. */
export const visitorReceiptEvents = (services: ConversationServices) => [
  defineSocketEvent({
    name: "messages.read",
    authorize: allowVisitor,
    payload: ZVisitorReceiptRequest,
    ratePerSecond: 10,
    handle: async (visitor: VisitorIdentity, request) => markReadByVisitor(services, visitor, request),
  }),
  defineSocketEvent({
    name: "message.delivered",
    authorize: allowVisitor,
    payload: ZVisitorReceiptRequest,
    ratePerSecond: 20,
    handle: async (visitor: VisitorIdentity, request) => markDeliveredToVisitor(services, visitor, request),
  }),
];
