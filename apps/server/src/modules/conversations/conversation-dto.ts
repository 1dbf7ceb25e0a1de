import type { TConversation } from "@parley/shared";
import { and, eq, inArray, sql } from "drizzle-orm";
import type { DatabaseOrTransaction } from "../../platform/db.ts";
import { contacts } from "../contacts/contacts.tables.ts";
import { inboxes } from "../inboxes/inboxes.tables.ts";
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

/** A website visitor's widget identity: the inbox and the visitor id their sockets' room is named after. */
export type ConversationVisitor = { inboxId: string; visitorId: string };

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
  const visitorColumn = options.withVisitor
    ? sql<ConversationVisitor | null>`(
        select json_build_object('inboxId', ci.inbox_id, 'visitorId', ci.source_id)
        from contact_identities ci
        where ci.id = ${conversations.contactIdentityId} and ${inboxes.type} = 'website')`
    : sql<ConversationVisitor | null>`null`;
  const rows = await db
    .select({
      visitor: visitorColumn,
      conversation: conversations,
      inbox: { id: inboxes.id, name: inboxes.name, type: inboxes.type },
      contact: {
        id: contacts.id,
        name: contacts.name,
        email: contacts.email,
        phone: contacts.phone,
        avatarUrl: contacts.avatarUrl,
      },
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
      and(eq(conversationReads.conversationId, conversations.id), eq(conversationReads.userId, viewerUserId ?? sql`null::uuid`)),
    )
    .where(inArray(conversations.id, [...conversationIds]));
  const byId = new Map(rows.map((row) => [row.conversation.id, row]));
  return conversationIds.flatMap((id) => {
    const row = byId.get(id);
    if (!row) return [];
    const { conversation } = row;
    return [
      {
        workspaceId: conversation.workspaceId,
        visitor: row.visitor ?? null,
        dto: {
          id: conversation.id,
          number: conversation.number,
          inbox: row.inbox,
          contact: row.contact,
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
          lastMessage: row.lastMessage ?? null,
          // Unread for this viewer: contact messages since they last read; a never-opened conversation counts all of them.
          unreadCount: row.lastReadSeq >= conversation.lastMessageSeq ? 0 : conversation.unreadByAgentsCount,
          createdAt: conversation.createdAt.toISOString(),
        },
      },
    ];
  });
};
