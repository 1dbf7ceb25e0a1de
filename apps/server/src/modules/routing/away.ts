import { and, eq, gt, inArray, isNull, type Placeholder, type SQL, sql } from "drizzle-orm";
import { type DatabaseOrTransaction, preparedPerConnection } from "../../platform/db.ts";
import type { DomainEvent, DomainEventHandler } from "../../platform/domain-events.ts";
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

type InboxAvailability = { isOpen: boolean; awayMessage: string };

/** Whether an agent of the inbox is online, as an SQL expression over the given ids. */
export const hasOnlineAgentSql = (workspaceId: SQL | string, inboxId: SQL | string): SQL<boolean> =>
  sql<boolean>`exists (select 1 from ${agentPresence} p join ${inboxMembers} m on m.user_id = p.user_id
    where m.inbox_id = ${inboxId} and p.workspace_id = ${workspaceId} and p.status = 'online')`;

/** What decides an inbox's availability, read by the caller together with other rows. */
export type InboxAvailabilityRow = { awayMessage: string; businessHours: BusinessHours | null; hasOnlineAgent: boolean };

const availabilityOf = (row: InboxAvailabilityRow): InboxAvailability => ({
  isOpen: isInsideHours(row.businessHours, new Date()) && row.hasOnlineAgent,
  awayMessage: row.awayMessage,
});

/**
 * Whether an inbox is open now (inside its hours, an agent of it online) and its away text. Asked
 * once per inbox per transaction: a batch of visitor messages shares one answer.
 */
const availabilityByTransaction = new WeakMap<DatabaseOrTransaction, Map<string, Promise<InboxAvailability | null>>>();

const availabilitiesOf = (tx: DatabaseOrTransaction) => {
  let byInbox = availabilityByTransaction.get(tx);
  if (!byInbox) {
    byInbox = new Map();
    availabilityByTransaction.set(tx, byInbox);
  }
  return byInbox;
};

const inboxAvailability = (tx: DatabaseOrTransaction, workspaceId: string, inboxId: string) => {
  const byInbox = availabilitiesOf(tx);
  let availability = byInbox.get(inboxId);
  if (!availability) {
    availability = (async () => {
      const [inbox] = await tx
        .select({
          awayMessage: inboxes.awayMessage,
          businessHours: inboxes.businessHours,
          hasOnlineAgent: hasOnlineAgentSql(workspaceId, inboxId),
        })
        .from(inboxes)
        .where(and(eq(inboxes.id, inboxId), eq(inboxes.workspaceId, workspaceId)));
      return inbox ? availabilityOf(inbox) : null;
    })();
    byInbox.set(inboxId, availability);
  }
  return availability;
};

const channelStatesByTransaction = new WeakMap<DatabaseOrTransaction, Map<string, Record<string, unknown>>>();

const channelStatesOf = (tx: DatabaseOrTransaction) => {
  let states = channelStatesByTransaction.get(tx);
  if (!states) {
    states = new Map();
    channelStatesByTransaction.set(tx, states);
  }
  return states;
};

/**
 * The channel state of the event's conversation, read together with those of every contact message
 * the change started with (one statement for a group), and kept up to date by this handler.
 */
const channelStates = async (tx: DatabaseOrTransaction, conversationId: string, initialEvents: readonly DomainEvent[]) => {
  const states = channelStatesOf(tx);
  if (!states.has(conversationId)) {
    const unread = new Set([conversationId]);
    for (const other of initialEvents) {
      if (other.type === "message.created" && other.senderType === "contact" && !states.has(other.conversationId)) {
        unread.add(other.conversationId);
      }
    }
    const rows = await tx
      .select({ id: conversations.id, channelState: conversations.channelState })
      .from(conversations)
      .where(inArray(conversations.id, [...unread]));
    for (const row of rows) states.set(row.id, row.channelState);
  }
  return states;
};

/**
 * For a writer that read, in this transaction and before any change of its own, what the away
 * handler asks: the inboxes' availability and the conversations' channel states (from rows it holds
 * locked). The handler then asks nothing more.
 */
export const primeAwayHandler = (
  tx: DatabaseOrTransaction,
  known: {
    inboxes: ReadonlyMap<string, InboxAvailabilityRow>;
    conversations: ReadonlyArray<{ id: string; channelState: Record<string, unknown> }>;
  },
): void => {
  const byInbox = availabilitiesOf(tx);
  for (const [inboxId, row] of known.inboxes)
    if (!byInbox.has(inboxId)) byInbox.set(inboxId, Promise.resolve(availabilityOf(row)));
  const states = channelStatesOf(tx);
  for (const conversation of known.conversations) {
    if (!states.has(conversation.id)) states.set(conversation.id, conversation.channelState);
  }
};

/**
 * A contact writes while the inbox is closed (outside business hours, or nobody online): they get
 * the inbox's away message once per conversation, and the conversation is kept for an email follow-up.
 */
export const awayMessageHandler: DomainEventHandler = async (tx, event, _services, initialEvents) => {
  if (event.type !== "message.created" || event.senderType !== "contact") return undefined;
  const inbox = await inboxAvailability(tx, event.workspaceId, event.inboxId);
  if (!inbox || inbox.isOpen) return undefined;
  const states = await channelStates(tx, event.conversationId, initialEvents);
  const state = states.get(event.conversationId);
  if (!state) return undefined;
  const awayText = inbox.awayMessage.trim();
  const hasAwayToSend = awayText !== "" && state.awayMessageSent !== true;
  if (state.followUpByEmail === true && !hasAwayToSend) return undefined;
  const change = { followUpByEmail: true, ...(hasAwayToSend ? { awayMessageSent: true } : {}) };
  states.set(event.conversationId, { ...state, ...change });
  await tx
    .update(conversations)
    .set({ channelState: sql`${conversations.channelState} || ${JSON.stringify(change)}::jsonb` })
    .where(eq(conversations.id, event.conversationId));
  if (!hasAwayToSend) {
    return [
      {
        type: "conversation.updated",
        workspaceId: event.workspaceId,
        conversationId: event.conversationId,
        changes: ["channelState"],
      },
    ];
  }
  // A system message: it reaches the visitor but does not count as the first reply or end the wait.
  const appended = await appendMessage(tx, {
    workspaceId: event.workspaceId,
    conversationId: event.conversationId,
    senderType: "system",
    senderId: null,
    contentType: "system",
    text: awayText,
    content: { event: "away" },
  });
  return appended.events;
};

/** A visitor's identity, or placeholders for it in a prepared statement. */
type VisitorKey = { [Key in keyof VisitorIdentity]: VisitorIdentity[Key] | Placeholder };

/** The visitor's conversations on this inbox that wait for a first answer, not yet counted as missed. */
const unansweredConversationsOf = (db: DatabaseOrTransaction, visitor: VisitorKey) => {
  const identities = db
    .select({ id: contactIdentities.id })
    .from(contactIdentities)
    .where(and(eq(contactIdentities.inboxId, visitor.inboxId), eq(contactIdentities.sourceId, visitor.visitorId)));
  return and(
    eq(conversations.workspaceId, visitor.workspaceId),
    eq(conversations.inboxId, visitor.inboxId),
    inArray(conversations.contactIdentityId, identities),
    isNull(conversations.firstReplyAt),
    eq(conversations.isMissed, false),
    inArray(conversations.status, ["pending", "open"]),
    gt(conversations.lastMessageSeq, 0),
  );
};

/**
 * Whether a visitor has a conversation waiting for a first answer. Every closing widget asks it, so
 * its SQL is built once per connection rather than for each of a reconnect storm's thousands.
 */
const selectFirstUnanswered = preparedPerConnection((db: DatabaseOrTransaction) =>
  db
    .select({ id: conversations.id })
    .from(conversations)
    .where(
      unansweredConversationsOf(db, {
        workspaceId: sql.placeholder("workspaceId"),
        inboxId: sql.placeholder("inboxId"),
        visitorId: sql.placeholder("visitorId"),
      }),
    )
    .limit(1)
    .prepare("visitor_first_unanswered_conversation"),
);

/**
 * The visitor left before any agent answered: their waiting conversations on this inbox count as
 * missed. Called when their last widget socket closed. Most widgets close without a conversation:
 * for them it is one read and no transaction (a reconnect storm closes thousands at once).
 */
export const markVisitorConversationsMissed = async (
  services: ConversationServices,
  visitor: VisitorIdentity,
): Promise<number> => {
  const [waiting] = await selectFirstUnanswered(services.db, visitor);
  if (!waiting) return 0;
  return commitConversationChange(services, async (tx) => {
    const missed = await tx
      .update(conversations)
      .set({ isMissed: true, updatedAt: new Date() })
      .where(unansweredConversationsOf(tx, visitor))
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
};
