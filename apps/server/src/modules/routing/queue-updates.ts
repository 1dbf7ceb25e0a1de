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
 * Tells visitors when their place in a website inbox's queue changes. A conversation joining the
 * queue changes no one else's place (the queue is ordered by creation), so only its own visitor is
 * told; one leaving or re-entering it moves those created after it, who are told their new place.
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
  const onlyJoined = new Set(
    changedIds.filter((id) =>
      events.every(
        (event) =>
          !("conversationId" in event) ||
          event.conversationId !== id ||
          !QUEUE_CHANGING_EVENTS.has(event.type) ||
          event.type === "conversation.created",
      ),
    ),
  );
  const { db, realtime } = services;
  const changed = await db
    .select({
      id: conversations.id,
      workspaceId: conversations.workspaceId,
      inboxId: conversations.inboxId,
      createdAt: conversations.createdAt,
      visitorId: contactIdentities.sourceId,
    })
    .from(conversations)
    .innerJoin(inboxes, and(eq(inboxes.id, conversations.inboxId), eq(inboxes.type, "website")))
    .innerJoin(contactIdentities, eq(contactIdentities.id, conversations.contactIdentityId))
    .where(inArray(conversations.id, changedIds));
  if (changed.length === 0) return;

  // Per inbox, who must hear: the visitors behind the earliest conversation that left or re-entered
  // the queue, or just the newcomers when conversations only joined.
  const byInbox = new Map<string, { workspaceId: string; movedFrom: Date | null; newcomers: Set<string> }>();
  for (const row of changed) {
    const entry = byInbox.get(row.inboxId) ?? { workspaceId: row.workspaceId, movedFrom: null, newcomers: new Set<string>() };
    if (onlyJoined.has(row.id)) entry.newcomers.add(row.id);
    else if (entry.movedFrom === null || row.createdAt < entry.movedFrom) entry.movedFrom = row.createdAt;
    byInbox.set(row.inboxId, entry);
  }

  const stillWaiting = new Set<string>();
  for (const [inboxId, { workspaceId, movedFrom, newcomers }] of byInbox) {
    const waiting = await db
      .select({ id: conversations.id, visitorId: contactIdentities.sourceId, createdAt: conversations.createdAt })
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
    const toTell = waiting
      .map((conversation, index) => ({ ...conversation, position: index + 1 }))
      .filter((conversation) => newcomers.has(conversation.id) || (movedFrom !== null && conversation.createdAt >= movedFrom));
    for (const conversation of waiting) stillWaiting.add(conversation.id);
    if (toTell.length === 0) continue;
    const typicalSeconds = await medianFirstReplySeconds(db, inboxId);
    const online = await onlineInboxAgents(db, workspaceId, inboxId);
    for (const conversation of toTell) {
      realtime.emitToVisitors(rooms.visitor(inboxId, conversation.visitorId), "queue.updated", {
        conversationId: conversation.id,
        position: conversation.position,
        estimatedWaitSeconds:
          typicalSeconds === null ? null : Math.round((typicalSeconds * conversation.position) / Math.max(1, online)),
      });
    }
  }
  for (const conversation of changed) {
    if (stillWaiting.has(conversation.id) || onlyJoined.has(conversation.id)) continue;
    realtime.emitToVisitors(rooms.visitor(conversation.inboxId, conversation.visitorId), "queue.updated", {
      conversationId: conversation.id,
      position: null,
      estimatedWaitSeconds: null,
    });
  }
};
