import { and, eq, inArray, or, type SQL, sql } from "drizzle-orm";
import type { DatabaseOrTransaction } from "../../platform/db.ts";
import { AppError } from "../../platform/errors.ts";
import { hasPermission, type RequestIdentity } from "../../platform/identity.ts";
import { inboxes, inboxMembers } from "../inboxes/inboxes.tables.ts";
import { conversations } from "./conversations.tables.ts";

/**
 * Which conversations someone may see: all of the workspace with `conversations.view_all`,
 * otherwise those of the inboxes they work and those assigned to them. Every conversation query
 * goes through this condition.
 */
export const visibleConversationsCondition = (db: DatabaseOrTransaction, identity: RequestIdentity): SQL => {
  const inWorkspace = eq(conversations.workspaceId, identity.workspaceId);
  if (hasPermission(identity, "conversations.view_all")) return inWorkspace;
  // An API key without view_all belongs to nobody's inboxes: it sees no conversation.
  if (identity.userId === null) return sql`false`;
  const memberInboxes = db
    .select({ id: inboxMembers.inboxId })
    .from(inboxMembers)
    .where(and(eq(inboxMembers.workspaceId, identity.workspaceId), eq(inboxMembers.userId, identity.userId)));
  return and(
    inWorkspace,
    or(inArray(conversations.inboxId, memberInboxes), eq(conversations.assigneeId, identity.userId)),
  ) as SQL;
};

export type ConversationRow = typeof conversations.$inferSelect;

/** The conversation if this identity may see it; another workspace's or a hidden one is "not found". */
export const findVisibleConversation = async (
  db: DatabaseOrTransaction,
  identity: RequestIdentity,
  conversationId: string,
): Promise<ConversationRow> => {
  const [row] = await db
    .select()
    .from(conversations)
    .where(and(eq(conversations.id, conversationId), visibleConversationsCondition(db, identity)));
  if (!row) throw new AppError("not_found", "No conversation with this id that you can see.");
  return row;
};

/**
 * Inboxes whose realtime rooms an agent socket joins; "all" for members who see every conversation.
 */
export const inboxRoomsFor = async (db: DatabaseOrTransaction, identity: RequestIdentity): Promise<"all" | string[]> => {
  if (hasPermission(identity, "conversations.view_all")) return "all";
  if (identity.userId === null) return [];
  const rows = await db
    .select({ id: inboxMembers.inboxId })
    .from(inboxMembers)
    .innerJoin(inboxes, eq(inboxes.id, inboxMembers.inboxId))
    .where(and(eq(inboxMembers.workspaceId, identity.workspaceId), eq(inboxMembers.userId, identity.userId)));
  return rows.map((row) => row.id);
};
