import type { TConversation } from "@parley/shared";
import { and, desc, eq, inArray, isNull, lte, sql } from "drizzle-orm";
import type { FastifyRequest } from "fastify";
import type { RequestIdentity } from "../../platform/identity.ts";
import { actorOf, publishAudit } from "../audit/audit.service.ts";
import { queuePlatformReadMarks } from "../channels/mark-read.task.ts";
import { inboxes } from "../inboxes/inboxes.tables.ts";
import { mentions, messages } from "../messages/messages.tables.ts";
import { type ConversationServices, commitConversationChange } from "./commit-change.ts";
import { loadConversationDtos } from "./conversation-dto.ts";
import { conversationReads, conversations } from "./conversations.tables.ts";
import {
  applyChange,
  assertMayChange,
  authorOf,
  type ChangeActor,
  type ChangeOutcome,
  type LifecycleChange,
  lockVisibleConversation,
  resolveLabels,
} from "./lifecycle.ts";
import { findVisibleConversation } from "./visibility.ts";

type Caller = { identity: RequestIdentity; request: Pick<FastifyRequest, "ip" | "headers"> };

const readBack = async (services: ConversationServices, identity: RequestIdentity, conversationId: string) => {
  const [dto] = await loadConversationDtos(services.db, [conversationId], identity.userId);
  if (!dto) throw new Error("changed conversation could not be read back");
  return dto;
};

export const publishOutcomes = (services: ConversationServices, outcomes: readonly ChangeOutcome[]): void => {
  for (const outcome of outcomes) {
    for (const entry of outcome.auditEntries) publishAudit(services.realtime, outcome.workspaceId, entry);
  }
};

/**
 * One lifecycle change by a member or API key on a conversation they can see: 404 when hidden,
 * 403 without `conversations.manage` unless it is assigned to them.
 */
export const changeConversation = async (
  services: ConversationServices,
  caller: Caller,
  conversationId: string,
  change: LifecycleChange,
): Promise<TConversation> => {
  const { identity } = caller;
  const actor: ChangeActor = { author: await authorOf(services.db, identity), audit: actorOf(identity, caller.request) };
  const outcome = await commitConversationChange(services, async (tx) => {
    const conversation = await lockVisibleConversation(tx, identity, conversationId);
    assertMayChange(identity, conversation);
    const resolved =
      change.type === "labels" ? { ...change, labels: await resolveLabels(tx, identity.workspaceId, change.labels) } : change;
    const done = await applyChange(tx, actor, conversation, resolved);
    return { result: done, events: done.events };
  });
  publishOutcomes(services, [outcome]);
  return readBack(services, identity, conversationId);
};

/** Priority and labels in one request, one transaction. */
export const updateConversation = async (
  services: ConversationServices,
  caller: Caller,
  conversationId: string,
  body: { priority?: TConversation["priority"]; labels?: string[] },
): Promise<TConversation> => {
  const { identity } = caller;
  const actor: ChangeActor = { author: await authorOf(services.db, identity), audit: actorOf(identity, caller.request) };
  const outcomes = await commitConversationChange(services, async (tx) => {
    const conversation = await lockVisibleConversation(tx, identity, conversationId);
    assertMayChange(identity, conversation);
    const labels = body.labels ? await resolveLabels(tx, identity.workspaceId, body.labels) : undefined;
    const done: ChangeOutcome[] = [];
    if (body.priority) done.push(await applyChange(tx, actor, conversation, { type: "priority", priority: body.priority }));
    // The labels change starts from the row as it is after the priority change (same transaction).
    const current = body.priority ? await lockVisibleConversation(tx, identity, conversationId) : conversation;
    if (labels) done.push(await applyChange(tx, actor, current, { type: "labels", labels }));
    return { result: done, events: done.flatMap((outcome) => outcome.events) };
  });
  publishOutcomes(services, outcomes);
  return readBack(services, identity, conversationId);
};

/**
 * Marks the conversation read for the caller up to its last message, and their mentions in it.
 * The contact's messages it covers become "read" (never going back), which the visitor sees.
 */
export const markRead = async (
  services: ConversationServices,
  identity: RequestIdentity,
  conversationId: string,
): Promise<TConversation> => {
  const conversation = await findVisibleConversation(services.db, identity, conversationId);
  const { userId } = identity;
  if (userId !== null) {
    await commitConversationChange(services, async (tx) => {
      await tx
        .insert(conversationReads)
        .values({ conversationId, userId, workspaceId: identity.workspaceId, lastReadSeq: conversation.lastMessageSeq })
        .onConflictDoUpdate({
          target: [conversationReads.conversationId, conversationReads.userId],
          set: {
            lastReadSeq: sql`greatest(${conversationReads.lastReadSeq}, excluded.last_read_seq)`,
            updatedAt: new Date(),
          },
        });
      await tx
        .update(mentions)
        .set({ readAt: new Date() })
        .where(and(eq(mentions.conversationId, conversationId), eq(mentions.userId, userId), isNull(mentions.readAt)));
      const readNow = await tx
        .update(messages)
        .set({ deliveryStatus: "read" })
        .where(
          and(
            eq(messages.conversationId, conversationId),
            eq(messages.senderType, "contact"),
            lte(messages.seq, conversation.lastMessageSeq),
            inArray(messages.deliveryStatus, ["sent", "delivered"]),
          ),
        )
        .returning({ id: messages.id, seq: messages.seq, externalId: messages.externalId });
      // Contact messages that came through a platform carry its id; the platform may want read marks.
      const externalIds = readNow
        .sort((a, b) => a.seq - b.seq)
        .flatMap((message) => (message.externalId ? [message.externalId] : []));
      if (externalIds.length > 0) {
        const [inbox] = await tx.select({ type: inboxes.type }).from(inboxes).where(eq(inboxes.id, conversation.inboxId));
        if (inbox) {
          await queuePlatformReadMarks(tx, { inboxId: conversation.inboxId, inboxType: inbox.type, conversationId, externalIds });
        }
      }
      return {
        result: null,
        events: readNow.map((message) => ({
          type: "message.updated" as const,
          workspaceId: identity.workspaceId,
          conversationId,
          messageId: message.id,
        })),
      };
    });
  }
  return readBack(services, identity, conversationId);
};

/** Marks the conversation unread for the caller: their read mark goes back before the last contact message. */
export const markUnread = async (
  services: ConversationServices,
  identity: RequestIdentity,
  conversationId: string,
): Promise<TConversation> => {
  const conversation = await findVisibleConversation(services.db, identity, conversationId);
  const { userId } = identity;
  if (userId !== null) {
    const [lastFromContact] = await services.db
      .select({ seq: messages.seq })
      .from(messages)
      .where(and(eq(messages.conversationId, conversationId), eq(messages.senderType, "contact")))
      .orderBy(desc(messages.seq))
      .limit(1);
    const lastReadSeq = Math.max(0, (lastFromContact?.seq ?? conversation.lastMessageSeq) - 1);
    await services.db.transaction(async (tx) => {
      await tx
        .insert(conversationReads)
        .values({ conversationId, userId, workspaceId: identity.workspaceId, lastReadSeq })
        .onConflictDoUpdate({
          target: [conversationReads.conversationId, conversationReads.userId],
          set: { lastReadSeq, updatedAt: new Date() },
        });
      // Unread needs a contact message counted as unread; a conversation nobody was counted on gets one.
      await tx
        .update(conversations)
        .set({ unreadByAgentsCount: sql`greatest(${conversations.unreadByAgentsCount}, 1)` })
        .where(eq(conversations.id, conversationId));
    });
  }
  return readBack(services, identity, conversationId);
};
