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
): Promise<TConversation[]> => {
  if (conversationIds.length === 0) return [];
  const rows = await db
    .select({
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
    ];
  });
};
