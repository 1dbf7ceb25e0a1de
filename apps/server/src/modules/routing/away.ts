import { and, eq, gt, inArray, isNull, sql } from "drizzle-orm";
import type { DatabaseOrTransaction } from "../../platform/db.ts";
import type { DomainEventHandler } from "../../platform/domain-events.ts";
import type { VisitorIdentity } from "../../platform/realtime.ts";
import { contactIdentities } from "../contacts/contacts.tables.ts";
import { type ConversationServices, commitConversationChange } from "../conversations/commit-change.ts";
import { conversations } from "../conversations/conversations.tables.ts";
import { isWithinBusinessHours } from "../inboxes/business-hours.ts";
import { type BusinessHours, inboxes, inboxMembers } from "../inboxes/inboxes.tables.ts";
import { appendMessage } from "../messages/append-message.ts";
import { agentPresence } from "./routing.tables.ts";

/** A schedule with a time zone the runtime does not know must not fail the contact's message: treat it as open. */
const isInsideHours = (hours: BusinessHours | null, at: Date): boolean => {
  try {
    return isWithinBusinessHours(hours, at);
  } catch {
    return true;
  }
};

const hasOnlineInboxAgent = async (tx: DatabaseOrTransaction, workspaceId: string, inboxId: string): Promise<boolean> => {
  const rows = await tx
    .select({ userId: agentPresence.userId })
    .from(agentPresence)
    .innerJoin(inboxMembers, and(eq(inboxMembers.inboxId, inboxId), eq(inboxMembers.userId, agentPresence.userId)))
    .where(and(eq(agentPresence.workspaceId, workspaceId), eq(agentPresence.status, "online")))
    .limit(1);
  return rows.length > 0;
};

/**
 * A contact writes while the inbox is closed (outside business hours, or nobody online): they get
 * the inbox's away message once per conversation, and the conversation is kept for an email follow-up.
 */
export const awayMessageHandler: DomainEventHandler = async (tx, event) => {
  if (event.type !== "message.created" || event.senderType !== "contact") return undefined;
  const [row] = await tx
    .select({ conversation: conversations, awayMessage: inboxes.awayMessage, businessHours: inboxes.businessHours })
    .from(conversations)
    .innerJoin(inboxes, eq(inboxes.id, conversations.inboxId))
    .where(and(eq(conversations.id, event.conversationId), eq(conversations.workspaceId, event.workspaceId)));
  if (!row) return undefined;
  const state = row.conversation.channelState;
  const awayText = row.awayMessage.trim();
  const hasAwayToSend = awayText !== "" && state.awayMessageSent !== true;
  if (state.followUpByEmail === true && !hasAwayToSend) return undefined;

  const isOpen =
    isInsideHours(row.businessHours, new Date()) && (await hasOnlineInboxAgent(tx, event.workspaceId, row.conversation.inboxId));
  if (isOpen) return undefined;

  await tx
    .update(conversations)
    .set({
      channelState: sql`${conversations.channelState} || ${JSON.stringify({ followUpByEmail: true, ...(hasAwayToSend ? { awayMessageSent: true } : {}) })}::jsonb`,
    })
    .where(eq(conversations.id, row.conversation.id));
  if (!hasAwayToSend) {
    return [
      {
        type: "conversation.updated",
        workspaceId: event.workspaceId,
        conversationId: row.conversation.id,
        changes: ["channelState"],
      },
    ];
  }
  // A system message: it reaches the visitor but does not count as the first reply or end the wait.
  const appended = await appendMessage(tx, {
    workspaceId: event.workspaceId,
    conversationId: row.conversation.id,
    senderType: "system",
    senderId: null,
    contentType: "system",
    text: awayText,
    content: { event: "away" },
  });
  return appended.events;
};

/**
 * The visitor left before any agent answered: their waiting conversations on this inbox count as
 * missed. Called when their last widget socket closed.
 */
export const markVisitorConversationsMissed = async (services: ConversationServices, visitor: VisitorIdentity): Promise<number> =>
  commitConversationChange(services, async (tx) => {
    const identities = tx
      .select({ id: contactIdentities.id })
      .from(contactIdentities)
      .where(and(eq(contactIdentities.inboxId, visitor.inboxId), eq(contactIdentities.sourceId, visitor.visitorId)));
    const missed = await tx
      .update(conversations)
      .set({ isMissed: true, updatedAt: new Date() })
      .where(
        and(
          eq(conversations.workspaceId, visitor.workspaceId),
          eq(conversations.inboxId, visitor.inboxId),
          inArray(conversations.contactIdentityId, identities),
          isNull(conversations.firstReplyAt),
          eq(conversations.isMissed, false),
          inArray(conversations.status, ["pending", "open"]),
          gt(conversations.lastMessageSeq, 0),
        ),
      )
      .returning({ id: conversations.id });
    return {
      result: missed.length,
      events: missed.map((conversation) => ({
        type: "conversation.updated" as const,
        workspaceId: visitor.workspaceId,
        conversationId: conversation.id,
        changes: ["isMissed"],
      })),
    };
  });
