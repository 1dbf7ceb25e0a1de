import type { TConversation } from "@parley/shared";
import { and, eq, sql } from "drizzle-orm";
import { type DatabaseOrTransaction, preparedPerConnection } from "../../platform/db.ts";
import { contacts } from "../contacts/contacts.tables.ts";
import { inboxes } from "../inboxes/inboxes.tables.ts";
import type { ContentType, SenderType } from "../messages/messages.tables.ts";
import { conversationReads, conversations } from "./conversations.tables.ts";

/**
 * The list/detail shape of conversations, in one query: inbox and contact joined, and the viewer's
 * unread count (contact messages after their last read).
 */
export const loadConversationDtos = async (
  db: DatabaseOrTransaction,
  conversationIds: readonly string[],
  viewerUserId: string | null,
): Promise<TConversation[]> => (await loadConversationRecords(db, conversationIds, viewerUserId)).map((record) => record.dto);

/** The columns of the inboxes and contacts rows a conversation's DTO shows, for a select joining both. */
export const conversationDtoJoins = {
  inbox: { id: inboxes.id, name: inboxes.name, type: inboxes.type },
  contact: { id: contacts.id, name: contacts.name, email: contacts.email, phone: contacts.phone, avatarUrl: contacts.avatarUrl },
};

/** A website visitor's widget identity: the inbox and the visitor id their sockets' room is named after. */
export type ConversationVisitor = { inboxId: string; visitorId: string };

/** The records' one query, for both shapes (with the visitor's room or without). */
const selectConversationRecords = (withVisitor: boolean) =>
  preparedPerConnection((db: DatabaseOrTransaction) =>
    db
      .select({
        visitor: withVisitor
          ? sql<ConversationVisitor | null>`(
              select json_build_object('inboxId', ci.inbox_id, 'visitorId', ci.source_id)
              from contact_identities ci
              where ci.id = ${conversations.contactIdentityId} and ${inboxes.type} = 'website')`
          : sql<ConversationVisitor | null>`null`,
        conversation: conversations,
        ...conversationDtoJoins,
        lastReadSeq: sql<number>`coalesce(${conversationReads.lastReadSeq}, 0)`.mapWith(Number),
        // Correlated, so a page stays one statement; the (conversation, seq) index finds it from the end.
        lastMessage: sql<TConversation["lastMessage"]>`(
          select json_build_object('text', left(m.text, 280), 'senderType', m.sender_type, 'contentType', m.content_type)
          from messages m
          where m.conversation_id = ${conversations.id} and m.sender_type <> 'system' and not m.is_private and m.deleted_at is null
          order by m.seq desc limit 1)`,
      })
      .from(conversations)
      .innerJoin(inboxes, eq(inboxes.id, conversations.inboxId))
      .innerJoin(contacts, eq(contacts.id, conversations.contactId))
      .leftJoin(
        conversationReads,
        and(
          eq(conversationReads.conversationId, conversations.id),
          eq(conversationReads.userId, sql.placeholder("viewerUserId")),
        ),
      )
      .where(sql`${conversations.id} = any(${sql.placeholder("conversationIds")}::uuid[])`)
      // Named: on every message's fan-out, planning it would cost more than running it.
      .prepare(withVisitor ? "conversation_records_with_visitor" : "conversation_records"),
  );

const conversationRecordsQuery = { withVisitor: selectConversationRecords(true), plain: selectConversationRecords(false) };

/**
 * Conversation DTOs with what the fan-out addresses them by (the visitor of a website conversation,
 * when `withVisitor`), in the same one query.
 */
export const loadConversationRecords = async (
  db: DatabaseOrTransaction,
  conversationIds: readonly string[],
  viewerUserId: string | null,
  options: { withVisitor?: boolean } = {},
): Promise<Array<{ dto: TConversation; workspaceId: string; visitor: ConversationVisitor | null }>> => {
  if (conversationIds.length === 0) return [];
  const query = options.withVisitor ? conversationRecordsQuery.withVisitor : conversationRecordsQuery.plain;
  const rows = await query(db, { conversationIds: [...conversationIds], viewerUserId });
  const byId = new Map(rows.map((row) => [row.conversation.id, row]));
  return conversationIds.flatMap((id) => {
    const row = byId.get(id);
    if (!row) return [];
    return [
      {
        workspaceId: row.conversation.workspaceId,
        visitor: row.visitor ?? null,
        dto: toConversationDto({ ...row, lastMessage: row.lastMessage ?? null }),
      },
    ];
  });
};

export type ConversationRecord = Awaited<ReturnType<typeof loadConversationRecords>>[number];

/** The list/detail shape of one conversation from its row and what is joined to it. */
export const toConversationDto = (parts: {
  conversation: typeof conversations.$inferSelect;
  inbox: TConversation["inbox"];
  contact: TConversation["contact"];
  /** The viewer's last read message; 0 for none. */
  lastReadSeq: number;
  lastMessage: TConversation["lastMessage"];
}): TConversation => {
  const { conversation } = parts;
  return {
    id: conversation.id,
    number: conversation.number,
    inbox: parts.inbox,
    contact: parts.contact,
    status: conversation.status,
    priority: conversation.priority,
    assigneeId: conversation.assigneeId,
    teamId: conversation.teamId,
    labels: conversation.labels,
    snoozedUntil: conversation.snoozedUntil?.toISOString() ?? null,
    isMissed: conversation.isMissed,
    isArchived: conversation.archivedAt !== null,
    waitingSince: conversation.waitingSince?.toISOString() ?? null,
    lastMessageAt: conversation.lastMessageAt?.toISOString() ?? null,
    lastMessageSeq: conversation.lastMessageSeq,
    lastActivityAt: conversation.lastActivityAt.toISOString(),
    lastMessage: parts.lastMessage,
    // Unread for this viewer: contact messages since they last read; a never-opened conversation counts all of them.
    unreadCount: parts.lastReadSeq >= conversation.lastMessageSeq ? 0 : conversation.unreadByAgentsCount,
    createdAt: conversation.createdAt.toISOString(),
  };
};

/** The `lastMessage` of a conversation's DTO, from its latest message that counts (not system, private or deleted). */
export const lastMessageSummary = (message: {
  text: string;
  senderType: SenderType;
  contentType: ContentType;
}): TConversation["lastMessage"] => ({
  // 280 characters, as PostgreSQL's left() counts them (code points, not UTF-16 units).
  text: message.text.length <= 280 ? message.text : Array.from(message.text).slice(0, 280).join(""),
  senderType: message.senderType,
  contentType: message.contentType,
});
