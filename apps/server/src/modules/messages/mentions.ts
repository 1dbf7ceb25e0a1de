import type { TMention } from "@parley/shared";
import { and, desc, eq, inArray, isNull } from "drizzle-orm";
import type { DatabaseOrTransaction } from "../../platform/db.ts";
import type { DomainEventHandler } from "../../platform/domain-events.ts";
import { AppError } from "../../platform/errors.ts";
import type { RequestIdentity } from "../../platform/identity.ts";
import { conversations } from "../conversations/conversations.tables.ts";
import { visibleConversationsCondition } from "../conversations/visibility.ts";
import { inboxMembers } from "../inboxes/inboxes.tables.ts";
import { memberships, roles } from "../workspaces/workspaces.tables.ts";
import { mentions, messages } from "./messages.tables.ts";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MAX_MENTIONS = 50;

/** The user ids a private note's `content.mentions` names; anything malformed is refused. */
const mentionedIds = (content: Record<string, unknown>): string[] => {
  const value = content.mentions;
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.length > MAX_MENTIONS || !value.every((id) => typeof id === "string" && UUID.test(id))) {
    throw new AppError("validation_failed", "Mentions must be a list of member ids.", [
      { path: "content.mentions", message: `a list of at most ${MAX_MENTIONS} user ids` },
    ]);
  }
  return [...new Set(value.map((id: string) => id.toLowerCase()))];
};

/**
 * Which of these users are active members who may see the conversation: `conversations.view_all`,
 * a member of its inbox, or its assignee.
 */
const membersWhoCanSee = async (
  tx: DatabaseOrTransaction,
  conversation: { workspaceId: string; inboxId: string; assigneeId: string | null },
  userIds: readonly string[],
): Promise<Set<string>> => {
  const rows = await tx
    .select({ userId: memberships.userId, permissions: roles.permissions, inInbox: inboxMembers.userId })
    .from(memberships)
    .innerJoin(roles, eq(roles.id, memberships.roleId))
    .leftJoin(inboxMembers, and(eq(inboxMembers.userId, memberships.userId), eq(inboxMembers.inboxId, conversation.inboxId)))
    .where(
      and(
        eq(memberships.workspaceId, conversation.workspaceId),
        eq(memberships.status, "active"),
        inArray(memberships.userId, [...userIds]),
      ),
    );
  return new Set(
    rows
      .filter(
        (row) =>
          row.permissions.includes("conversations.view_all") || row.inInbox !== null || row.userId === conversation.assigneeId,
      )
      .map((row) => row.userId),
  );
};

/**
 * On a new private note, records who it @mentions. Every mentioned id must be an active member
 * who can see the conversation, or the note is refused. Mentioned agents already receive the
 * note's `message.created` through their inbox/all-conversations/assignee rooms (that is what
 * "can see" means); clients recognise a mention by their id in `content.mentions`.
 * Mentions in public messages are ignored.
 */
export const recordMentions: DomainEventHandler = async (tx, event) => {
  if (event.type !== "message.created" || !event.isPrivate || event.senderType !== "agent") return undefined;
  const [message] = await tx
    .select({
      id: messages.id,
      isPrivate: messages.isPrivate,
      senderType: messages.senderType,
      senderId: messages.senderId,
      content: messages.content,
      workspaceId: conversations.workspaceId,
      inboxId: conversations.inboxId,
      assigneeId: conversations.assigneeId,
    })
    .from(messages)
    .innerJoin(conversations, eq(conversations.id, messages.conversationId))
    .where(eq(messages.id, event.messageId));
  if (!message?.isPrivate || message.senderType !== "agent") return undefined;
  const userIds = mentionedIds(message.content);
  if (userIds.length === 0) return undefined;
  const allowed = await membersWhoCanSee(tx, message, userIds);
  const refused = userIds.filter((id) => !allowed.has(id));
  if (refused.length > 0) {
    throw new AppError("validation_failed", "You can only mention active members who can see this conversation.", [
      { path: "content.mentions", message: `cannot be mentioned: ${refused.join(", ")}` },
    ]);
  }
  const notified = userIds.filter((id) => id !== message.senderId);
  if (notified.length > 0) {
    await tx.insert(mentions).values(
      notified.map((userId) => ({
        workspaceId: event.workspaceId,
        messageId: message.id,
        conversationId: event.conversationId,
        userId,
      })),
    );
  }
  return undefined;
};

/** The caller's mentions, newest first, in conversations they can still see. */
export const listMentions = async (
  db: DatabaseOrTransaction,
  identity: RequestIdentity,
  query: { unread?: "true" | "false" | undefined; limit: number },
): Promise<TMention[]> => {
  if (identity.userId === null) return [];
  const rows = await db
    .select({ mention: mentions, number: conversations.number, message: messages })
    .from(mentions)
    .innerJoin(messages, eq(messages.id, mentions.messageId))
    .innerJoin(conversations, eq(conversations.id, mentions.conversationId))
    .where(
      and(
        eq(mentions.workspaceId, identity.workspaceId),
        eq(mentions.userId, identity.userId),
        query.unread === "true" ? isNull(mentions.readAt) : undefined,
        visibleConversationsCondition(db, identity),
      ),
    )
    .orderBy(desc(mentions.createdAt), desc(mentions.id))
    .limit(query.limit);
  return rows.map((row) => ({
    id: row.mention.id,
    messageId: row.mention.messageId,
    conversationId: row.mention.conversationId,
    conversationNumber: row.number,
    authorId: row.message.senderId,
    text: row.message.deletedAt ? "" : row.message.text,
    readAt: row.mention.readAt?.toISOString() ?? null,
    createdAt: row.mention.createdAt.toISOString(),
  }));
};

/** Marks one of the caller's mentions read; someone else's is "not found". */
export const markMentionRead = async (db: DatabaseOrTransaction, identity: RequestIdentity, mentionId: string): Promise<void> => {
  if (identity.userId === null) throw new AppError("not_found", "No mention of yours has this id.");
  const [existing] = await db
    .select({ id: mentions.id, readAt: mentions.readAt })
    .from(mentions)
    .where(and(eq(mentions.id, mentionId), eq(mentions.workspaceId, identity.workspaceId), eq(mentions.userId, identity.userId)));
  if (!existing) throw new AppError("not_found", "No mention of yours has this id.");
  if (!existing.readAt) await db.update(mentions).set({ readAt: new Date() }).where(eq(mentions.id, existing.id));
};
