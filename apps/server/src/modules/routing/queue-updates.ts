import { and, asc, eq, inArray, isNull } from "drizzle-orm";
import type { DomainEvent } from "../../platform/domain-events.ts";
import { rooms } from "../../platform/realtime.ts";
import { contactIdentities } from "../contacts/contacts.tables.ts";
import type { ConversationServices } from "../conversations/commit-change.ts";
import { conversations } from "../conversations/conversations.tables.ts";
import { inboxes } from "../inboxes/inboxes.tables.ts";
import { medianFirstReplySeconds, onlineInboxAgents } from "./queue.ts";

const QUEUE_CHANGING_EVENTS = new Set<DomainEvent["type"]>([
  "conversation.created",
  "conversation.assigned",
  "conversation.status_changed",
]);

/** At most this many waiting visitors per inbox are told at once; the rest ask with `queue.status`. */
const MAX_NOTIFIED_PER_INBOX = 500;

/**
 * After a conversation joins, leaves or moves in a website inbox's queue, every visitor still
 * waiting there learns their new position and wait, and those who left the queue learn they did.
 */
export const publishQueuePositions = async (services: ConversationServices, events: readonly DomainEvent[]): Promise<void> => {
  const changedIds = [
    ...new Set(
      events
        .filter((event) => QUEUE_CHANGING_EVENTS.has(event.type))
        .map((event) => ("conversationId" in event ? event.conversationId : "")),
    ),
  ].filter(Boolean);
  if (changedIds.length === 0) return;
  const { db, realtime } = services;
  const changed = await db
    .select({
      id: conversations.id,
      workspaceId: conversations.workspaceId,
      inboxId: conversations.inboxId,
      visitorId: contactIdentities.sourceId,
    })
    .from(conversations)
    .innerJoin(inboxes, and(eq(inboxes.id, conversations.inboxId), eq(inboxes.type, "website")))
    .innerJoin(contactIdentities, eq(contactIdentities.id, conversations.contactIdentityId))
    .where(inArray(conversations.id, changedIds));

  const inboxesToUpdate = new Map(changed.map((row) => [row.inboxId, row.workspaceId]));
  const stillWaiting = new Set<string>();
  for (const [inboxId, workspaceId] of inboxesToUpdate) {
    const waiting = await db
      .select({ id: conversations.id, visitorId: contactIdentities.sourceId })
      .from(conversations)
      .innerJoin(contactIdentities, eq(contactIdentities.id, conversations.contactIdentityId))
      .where(
        and(
          eq(conversations.inboxId, inboxId),
          eq(conversations.status, "pending"),
          isNull(conversations.assigneeId),
          isNull(conversations.archivedAt),
        ),
      )
      .orderBy(asc(conversations.createdAt), asc(conversations.id))
      .limit(MAX_NOTIFIED_PER_INBOX);
    if (waiting.length === 0) continue;
    const typicalSeconds = await medianFirstReplySeconds(db, inboxId);
    const online = await onlineInboxAgents(db, workspaceId, inboxId);
    waiting.forEach((conversation, index) => {
      stillWaiting.add(conversation.id);
      const position = index + 1;
      realtime.emitToVisitors(rooms.visitor(inboxId, conversation.visitorId), "queue.updated", {
        conversationId: conversation.id,
        position,
        estimatedWaitSeconds: typicalSeconds === null ? null : Math.round((typicalSeconds * position) / Math.max(1, online)),
      });
    });
  }
  for (const conversation of changed) {
    if (stillWaiting.has(conversation.id)) continue;
    realtime.emitToVisitors(rooms.visitor(conversation.inboxId, conversation.visitorId), "queue.updated", {
      conversationId: conversation.id,
      position: null,
      estimatedWaitSeconds: null,
    });
  }
};
