import { and, asc, eq, inArray, isNull } from "drizzle-orm";
import type { DatabaseOrTransaction } from "../../platform/db.ts";
import type { Mailer } from "../../platform/mail/mailer.ts";
import { renderMail } from "../../platform/mail/templates.ts";
import { users } from "../auth/auth.tables.ts";
import { contacts } from "../contacts/contacts.tables.ts";
import { conversations } from "../conversations/conversations.tables.ts";
import { inboxes } from "../inboxes/inboxes.tables.ts";
import { messages } from "../messages/messages.tables.ts";
import { workspaces } from "../workspaces/workspaces.tables.ts";

/** Enough for any real conversation; a runaway one is cut rather than producing a huge mail. */
const MAX_TRANSCRIPT_MESSAGES = 2_000;

const formatTime = (date: Date): string => `${date.toISOString().slice(0, 16).replace("T", " ")} UTC`;

/**
 * The conversation as the contact saw it: public messages from the contact, agents and bots in
 * order, with who wrote them and when. Private notes, system lines and deleted messages never
 * appear. Rendered through renderMail, which escapes everything interpolated into the HTML.
 */
export const queueTranscriptMail = async (
  tx: DatabaseOrTransaction,
  mailer: Pick<Mailer, "queue">,
  input: { workspaceId: string; conversationId: string; to: string },
): Promise<void> => {
  const [conversation] = await tx
    .select({
      number: conversations.number,
      contactName: contacts.name,
      inboxName: inboxes.name,
      workspaceName: workspaces.name,
    })
    .from(conversations)
    .innerJoin(contacts, eq(contacts.id, conversations.contactId))
    .innerJoin(inboxes, eq(inboxes.id, conversations.inboxId))
    .innerJoin(workspaces, eq(workspaces.id, conversations.workspaceId))
    .where(and(eq(conversations.id, input.conversationId), eq(conversations.workspaceId, input.workspaceId)));
  if (!conversation) return;
  const rows = await tx
    .select({
      senderType: messages.senderType,
      text: messages.text,
      createdAt: messages.createdAt,
      agentName: users.name,
    })
    .from(messages)
    .leftJoin(users, eq(users.id, messages.senderId))
    .where(
      and(
        eq(messages.conversationId, input.conversationId),
        eq(messages.isPrivate, false),
        isNull(messages.deletedAt),
        inArray(messages.senderType, ["contact", "agent", "bot"]),
      ),
    )
    .orderBy(asc(messages.seq))
    .limit(MAX_TRANSCRIPT_MESSAGES);
  const senderName = (row: (typeof rows)[number]): string => {
    if (row.senderType === "contact") return conversation.contactName ?? "You";
    if (row.senderType === "agent") return row.agentName ?? "Agent";
    return conversation.inboxName;
  };
  const lines = rows
    .filter((row) => row.text.trim() !== "")
    .map((row) => `[${formatTime(row.createdAt)}] ${senderName(row)}: ${row.text}`);
  await mailer.queue(tx, {
    to: input.to,
    workspaceId: input.workspaceId,
    ...renderMail({
      subject: `Your conversation #${conversation.number} with ${conversation.workspaceName}`,
      heading: `Conversation #${conversation.number} — ${conversation.inboxName}`,
      paragraphs: lines.length > 0 ? lines : ["This conversation has no messages yet."],
      footer: `You receive this because a copy of this conversation with ${conversation.workspaceName} was requested for this address.`,
    }),
  });
};
