import type { TQueueStatus } from "@parley/shared";
import { and, desc, eq, isNotNull, lt, or, sql } from "drizzle-orm";
import type { DatabaseOrTransaction } from "../../platform/db.ts";
import { AppError } from "../../platform/errors.ts";
import type { VisitorIdentity } from "../../platform/realtime.ts";
import { conversationOfVisitor } from "../conversations/commit-change.ts";
import { conversations } from "../conversations/conversations.tables.ts";
import { inboxMembers } from "../inboxes/inboxes.tables.ts";
import { agentPresence } from "./routing.tables.ts";

/** How many recent first replies the wait estimate looks at. */
const RECENT_FIRST_REPLIES = 50;

const median = (values: readonly number[]): number | null => {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] ?? null) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
};

/** Median seconds from a conversation's start to the first agent reply, over the inbox's recent ones. */
export const medianFirstReplySeconds = async (db: DatabaseOrTransaction, inboxId: string): Promise<number | null> => {
  const rows = await db
    .select({ seconds: sql<number>`extract(epoch from (${conversations.firstReplyAt} - ${conversations.createdAt}))::float8` })
    .from(conversations)
    .where(and(eq(conversations.inboxId, inboxId), isNotNull(conversations.firstReplyAt)))
    .orderBy(desc(conversations.firstReplyAt))
    .limit(RECENT_FIRST_REPLIES);
  return median(rows.map((row) => Math.max(0, row.seconds)));
};

export const onlineInboxAgents = async (db: DatabaseOrTransaction, workspaceId: string, inboxId: string): Promise<number> => {
  const [row] = await db
    .select({ count: sql<number>`count(*)::int` })
    .from(agentPresence)
    .innerJoin(inboxMembers, and(eq(inboxMembers.inboxId, inboxId), eq(inboxMembers.userId, agentPresence.userId)))
    .where(and(eq(agentPresence.workspaceId, workspaceId), eq(agentPresence.status, "online")));
  return row?.count ?? 0;
};

/**
 * Where a visitor's conversation stands in its inbox's queue: the unassigned pending conversations
 * that started before it, plus one; the wait is the recent median first reply × position ÷ online agents.
 */
export const queueStatus = async (
  db: DatabaseOrTransaction,
  visitor: VisitorIdentity,
  conversationId: string,
): Promise<TQueueStatus> => {
  const owned = await conversationOfVisitor(db, { ...visitor, conversationId });
  if (!owned) throw new AppError("not_found", "No conversation of yours with this id.");
  const [conversation] = await db.select().from(conversations).where(eq(conversations.id, owned.id));
  if (!conversation || conversation.assigneeId !== null || conversation.status !== "pending" || conversation.archivedAt) {
    return { conversationId, position: null, estimatedWaitSeconds: null };
  }
  const [ahead] = await db
    .select({ count: sql<number>`count(*)::int` })
    .from(conversations)
    .where(
      and(
        eq(conversations.workspaceId, conversation.workspaceId),
        eq(conversations.inboxId, conversation.inboxId),
        eq(conversations.status, "pending"),
        sql`${conversations.assigneeId} is null`,
        sql`${conversations.archivedAt} is null`,
        or(
          lt(conversations.createdAt, conversation.createdAt),
          and(eq(conversations.createdAt, conversation.createdAt), lt(conversations.id, conversation.id)),
        ),
      ),
    );
  const position = (ahead?.count ?? 0) + 1;
  const typicalSeconds = await medianFirstReplySeconds(db, conversation.inboxId);
  const online = await onlineInboxAgents(db, conversation.workspaceId, conversation.inboxId);
  return {
    conversationId,
    position,
    estimatedWaitSeconds: typicalSeconds === null ? null : Math.round((typicalSeconds * position) / Math.max(1, online)),
  };
};
