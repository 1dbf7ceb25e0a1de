import { and, asc, eq, getTableColumns, inArray, isNull } from "drizzle-orm";
import type { PgColumn } from "drizzle-orm/pg-core";
import { type DatabaseOrTransaction, queryOnConnection } from "../../platform/db.ts";
import type { DomainEvent } from "../../platform/domain-events.ts";
import { AppError } from "../../platform/errors.ts";
import { newId } from "../../platform/ids.ts";
import type { ConversationStatus } from "../conversations/conversations.tables.ts";
import { conversations } from "../conversations/conversations.tables.ts";
import type { MessageRow } from "./message-dto.ts";
import { attachments, type ContentType, type DeliveryStatus, messages, type SenderType } from "./messages.tables.ts";

export type AppendMessageInput = {
  workspaceId: string;
  conversationId: string;
  senderType: SenderType;
  senderId: string | null;
  contentType: ContentType;
  text: string;
  content?: Record<string, unknown>;
  isPrivate?: boolean;
  replyToId?: string | null;
  /** The sender's id for an idempotent send. */
  clientId?: string | null;
  /** The platform's id for an idempotent webhook. */
  externalId?: string | null;
  attachmentIds?: readonly string[];
  /** Whose uploads the attachments must be (an agent's user id or the contact's id). */
  attachmentOwnerId?: string | null;
  deliveryStatus?: DeliveryStatus;
};

export type AppendMessageResult = {
  message: MessageRow;
  /** True when this clientId/externalId was already stored: nothing new happened. */
  isDuplicate: boolean;
  events: DomainEvent[];
};

const findDuplicate = async (
  tx: DatabaseOrTransaction,
  input: AppendMessageInput,
  inboxId: string,
): Promise<MessageRow | undefined> => {
  if (input.clientId) {
    const [existing] = await tx
      .select()
      .from(messages)
      .where(and(eq(messages.conversationId, input.conversationId), eq(messages.clientId, input.clientId)));
    if (existing) return existing;
  }
  if (input.externalId) {
    const [existing] = await tx
      .select()
      .from(messages)
      .where(and(eq(messages.inboxId, inboxId), eq(messages.externalId, input.externalId)));
    if (existing) return existing;
  }
  return undefined;
};

/** The status a conversation moves to when the contact writes: closed ones reopen, snoozed ones wake. */
const statusAfterContactMessage = (status: ConversationStatus, hasAssignee: boolean): ConversationStatus => {
  if (status === "resolved" || status === "closed") return hasAssignee ? "open" : "pending";
  if (status === "snoozed") return "open";
  return status;
};

export type ConversationRow = typeof conversations.$inferSelect;

/** The columns a message changes on its conversation, folded message by message while the row is locked. */
type ConversationCounters = Pick<
  ConversationRow,
  | "status"
  | "assigneeId"
  | "waitingSince"
  | "firstReplyAt"
  | "lastMessageAt"
  | "lastMessageSeq"
  | "unreadByAgentsCount"
  | "unreadByContactCount"
  | "snoozedUntil"
  | "resolvedAt"
  | "closedAt"
>;

/** What one stored message does to its conversation's counters and status, and the events that says. */
const applyMessage = (
  state: ConversationCounters,
  conversation: ConversationRow,
  input: AppendMessageInput,
  message: Pick<MessageRow, "id" | "seq" | "isPrivate" | "senderType">,
  now: Date,
): DomainEvent[] => {
  const statusBefore = state.status;
  const isFromContact = input.senderType === "contact";
  const isPublicReply = !message.isPrivate && (input.senderType === "agent" || input.senderType === "bot");
  state.lastMessageSeq = message.seq;
  if (!message.isPrivate && input.senderType !== "system") state.lastMessageAt = now;
  if (isFromContact) {
    state.waitingSince ??= now;
    state.unreadByAgentsCount += 1;
    const nextStatus = statusAfterContactMessage(state.status, state.assigneeId !== null);
    if (nextStatus !== state.status) {
      state.status = nextStatus;
      state.snoozedUntil = null;
      state.resolvedAt = null;
      state.closedAt = null;
    }
  }
  if (isPublicReply) {
    state.waitingSince = null;
    if (state.firstReplyAt === null && input.senderType === "agent") state.firstReplyAt = now;
    state.unreadByContactCount += 1;
    // An agent answering a waiting conversation takes it out of "pending".
    if (state.status === "pending" && input.senderType === "agent") state.status = "open";
  }

  const events: DomainEvent[] = [
    {
      type: "message.created",
      workspaceId: input.workspaceId,
      conversationId: conversation.id,
      messageId: message.id,
      inboxId: conversation.inboxId,
      senderType: message.senderType,
      isPrivate: message.isPrivate,
    },
  ];
  if (state.status !== statusBefore) {
    events.push({
      type: "conversation.status_changed",
      workspaceId: input.workspaceId,
      conversationId: conversation.id,
      from: statusBefore,
      to: state.status,
      cause: isFromContact ? "contact" : "agent",
    });
  }
  events.push({
    type: "conversation.updated",
    workspaceId: input.workspaceId,
    conversationId: conversation.id,
    changes: ["lastMessage"],
  });
  return events;
};

/**
 * The conversations' counters a batch computed under the row locks, as absolute values in arrays
 * (unnest), from parameter `first` on; `seqFrom` says where each conversation's last seq comes from.
 */
const countersUpdate = (first: number, seqFrom: "values" | "inserted") => {
  const at = (offset: number) => `$${first + offset}`;
  return `update conversations as c set
      status = v.status,
      waiting_since = v.waiting_since,
      first_reply_at = v.first_reply_at,
      last_message_at = v.last_message_at,
      last_message_seq = ${
        seqFrom === "values" ? "v.last_message_seq" : "(select max(i.seq) from inserted i where i.conversation_id = c.id)"
      },
      unread_by_agents_count = v.unread_by_agents_count,
      unread_by_contact_count = v.unread_by_contact_count,
      snoozed_until = v.snoozed_until,
      resolved_at = v.resolved_at,
      closed_at = v.closed_at,
      last_activity_at = ${at(11)}::timestamptz,
      updated_at = ${at(11)}::timestamptz
    from unnest(
      ${at(0)}::uuid[], ${at(1)}::text[], ${at(2)}::timestamptz[], ${at(3)}::timestamptz[], ${at(4)}::timestamptz[],
      ${at(5)}::bigint[], ${at(6)}::int[], ${at(7)}::int[], ${at(8)}::timestamptz[], ${at(9)}::timestamptz[], ${at(10)}::timestamptz[]
    ) as v(id, status, waiting_since, first_reply_at, last_message_at, last_message_seq, unread_by_agents_count,
           unread_by_contact_count, snoozed_until, resolved_at, closed_at)
    where c.id = v.id`;
};

/** countersUpdate's twelve values. */
const countersValues = (changed: ReadonlyMap<string, ConversationCounters>, now: Date): unknown[] => {
  const ids = [...changed.keys()];
  const column = <Key extends keyof ConversationCounters>(key: Key) => ids.map((id) => changed.get(id)?.[key] ?? null);
  const timestamps = (key: "waitingSince" | "firstReplyAt" | "lastMessageAt" | "snoozedUntil" | "resolvedAt" | "closedAt") =>
    ids.map((id) => changed.get(id)?.[key]?.toISOString() ?? null);
  return [
    ids,
    column("status"),
    timestamps("waitingSince"),
    timestamps("firstReplyAt"),
    timestamps("lastMessageAt"),
    column("lastMessageSeq"),
    column("unreadByAgentsCount"),
    column("unreadByContactCount"),
    timestamps("snoozedUntil"),
    timestamps("resolvedAt"),
    timestamps("closedAt"),
    now.toISOString(),
  ];
};

/** The counters alone, when the insert could not write them (a duplicate in the batch). */
const SAVE_COUNTERS = { name: "save_conversation_counters", text: countersUpdate(1, "values") };

const messageColumns: Array<[string, PgColumn]> = Object.entries(getTableColumns(messages));

/**
 * The message columns this code knows, named: a prepared statement answering `*` would fail on
 * every connection that prepared it ("cached plan must not change result type") once a migration
 * adds a column, which a rolling deploy does while the previous servers still run.
 */
const knownMessageColumns = messageColumns.map(([, column]) => `"${column.name}"`).join(", ");

/**
 * The batch's messages and, when every one of them is new, the counters with them (the last seq
 * from the rows just inserted): one statement on the common path. A retried send or a redelivered
 * webhook meets the unique clientId/externalId and is skipped; the counters are then left to
 * SAVE_COUNTERS, computed from what was really written.
 */
const INSERT_MESSAGES_AND_COUNTERS = {
  name: "insert_messages_and_counters",
  text: `with inserted as (
    insert into messages (id, workspace_id, conversation_id, inbox_id, sender_type, sender_id, content_type, text, content,
                          is_private, reply_to_id, client_id, external_id, delivery_status)
    select * from unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::uuid[], $5::text[], $6::uuid[], $7::text[], $8::text[],
                         $9::jsonb[], $10::boolean[], $11::uuid[], $12::text[], $13::text[], $14::text[])
    on conflict do nothing
    returning ${knownMessageColumns}
  ), counted as (
    ${countersUpdate(16, "inserted")} and (select count(*) from inserted) = $15
  )
  select ${knownMessageColumns} from inserted`,
};

type NewMessage = Pick<
  MessageRow,
  | "id"
  | "workspaceId"
  | "conversationId"
  | "inboxId"
  | "senderType"
  | "senderId"
  | "contentType"
  | "text"
  | "content"
  | "isPrivate"
  | "replyToId"
  | "clientId"
  | "externalId"
  | "deliveryStatus"
>;

/** A row as pg returns it (snake_case, driver types), as drizzle would map it. */
const toMessageRow = (raw: Record<string, unknown>): MessageRow =>
  Object.fromEntries(
    messageColumns.map(([key, column]) => {
      const value = raw[column.name];
      return [key, value === null || value === undefined ? null : column.mapFromDriverValue(value)];
    }),
  ) as MessageRow;

/**
 * The one way messages enter conversations, whoever sends them (visitor, agent, bot, channel), one
 * or many at once. Locks the conversation rows first (in id order, so concurrent batches cannot
 * deadlock), so `seq` follows commit order inside a conversation (what resync relies on), stores
 * each message once per clientId/externalId, and keeps the conversations' counters and status in
 * step — in two statements for any number of messages (three when one is a duplicate). Returns,
 * per input and in order, the domain events to run in the same transaction.
 */
export const appendMessages = async (
  tx: DatabaseOrTransaction,
  inputs: readonly AppendMessageInput[],
): Promise<AppendMessageResult[]> => (await appendMessagesToLocked(tx, inputs)).results;

/**
 * appendMessages for a caller that may already hold the inputs' conversations read FOR UPDATE (in id
 * order) in this transaction, and wants them back as they are now.
 */
export const appendMessagesToLocked = async (
  tx: DatabaseOrTransaction,
  inputs: readonly AppendMessageInput[],
  lockedByCaller?: readonly ConversationRow[],
): Promise<{ results: AppendMessageResult[]; conversations: ConversationRow[] }> => {
  if (inputs.length === 0) return { results: [], conversations: [] };
  const conversationIds = [...new Set(inputs.map((input) => input.conversationId))].sort();
  const locked =
    lockedByCaller ??
    (await tx
      .select()
      .from(conversations)
      .where(inArray(conversations.id, conversationIds))
      .orderBy(asc(conversations.id))
      .for("update"));
  const lockedById = new Map(locked.map((row) => [row.id, row]));
  const conversationOf = (input: AppendMessageInput): ConversationRow => {
    const conversation = lockedById.get(input.conversationId);
    if (!conversation || conversation.workspaceId !== input.workspaceId) {
      throw new AppError("not_found", "No conversation with this id.");
    }
    return conversation;
  };
  for (const input of inputs) conversationOf(input);

  const replyToIds = inputs.flatMap((input) => (input.replyToId ? [input.replyToId] : []));
  if (replyToIds.length > 0) {
    const replied = await tx
      .select({ id: messages.id, conversationId: messages.conversationId })
      .from(messages)
      .where(inArray(messages.id, replyToIds));
    for (const input of inputs) {
      if (input.replyToId && !replied.some((row) => row.id === input.replyToId && row.conversationId === input.conversationId)) {
        throw new AppError("validation_failed", "The message you reply to is not in this conversation.", [
          { path: "replyToId", message: "not in this conversation" },
        ]);
      }
    }
  }

  const rows: NewMessage[] = inputs.map((input) => ({
    id: newId(),
    workspaceId: input.workspaceId,
    conversationId: input.conversationId,
    inboxId: conversationOf(input).inboxId,
    senderType: input.senderType,
    senderId: input.senderId,
    contentType: input.contentType,
    text: input.text,
    content: input.content ?? {},
    isPrivate: input.isPrivate ?? false,
    replyToId: input.replyToId ?? null,
    clientId: input.clientId ?? null,
    externalId: input.externalId ?? null,
    deliveryStatus: input.deliveryStatus ?? "sent",
  }));
  const now = new Date();
  /** What the messages do to their conversations, folded in order; a message's seq is filled in once stored. */
  const fold = (stored: ReadonlyMap<string, MessageRow | NewMessage>) => {
    const changed = new Map<string, ConversationCounters>();
    const events = inputs.map((input, index) => {
      const message = stored.get(rows[index]?.id ?? "");
      if (!message) return [];
      const conversation = conversationOf(input);
      let state = changed.get(conversation.id);
      if (!state) {
        state = { ...conversation };
        changed.set(conversation.id, state);
      }
      return applyMessage(state, conversation, input, { seq: 0, ...message }, now);
    });
    return { changed, events };
  };

  // The common case first: every message is new, and the counters go in the insert's statement.
  const assumed = fold(new Map(rows.map((row) => [row.id, row])));
  const insertedRaw = await queryOnConnection<Record<string, unknown>>(tx, INSERT_MESSAGES_AND_COUNTERS, [
    ...insertValues(rows),
    rows.length,
    ...countersValues(assumed.changed, now),
  ]);
  const insertedById = new Map(insertedRaw.map((raw) => [raw.id as string, toMessageRow(raw)]));
  let { changed, events } = assumed;
  if (insertedById.size < rows.length) {
    // A duplicate among them: the counters were not written; fold what was.
    ({ changed, events } = fold(insertedById));
    await queryOnConnection(tx, SAVE_COUNTERS, countersValues(changed, now));
  }
  for (const message of insertedById.values()) {
    const state = changed.get(message.conversationId);
    if (state && message.seq > state.lastMessageSeq) state.lastMessageSeq = message.seq;
  }

  const results: AppendMessageResult[] = [];
  for (const [index, input] of inputs.entries()) {
    const message = insertedById.get(rows[index]?.id ?? "");
    if (!message) {
      const duplicate = await findDuplicate(tx, input, conversationOf(input).inboxId);
      if (!duplicate) {
        throw new AppError("conflict", "This message collided with another one; send it again.", undefined, {
          reason: "message_collided",
        });
      }
      results.push({ message: duplicate, isDuplicate: true, events: [] });
      continue;
    }
    await attach(tx, input, message.id);
    results.push({ message, isDuplicate: false, events: events[index] ?? [] });
  }
  const conversationsNow = locked.map((row) => {
    const state = changed.get(row.id);
    return state ? { ...row, ...state, lastActivityAt: now, updatedAt: now } : row;
  });
  return { results, conversations: conversationsNow };
};

/** INSERT_MESSAGES_AND_COUNTERS's first fourteen values, one array per column. */
const insertValues = (rows: readonly NewMessage[]): unknown[] => [
  rows.map((row) => row.id),
  rows.map((row) => row.workspaceId),
  rows.map((row) => row.conversationId),
  rows.map((row) => row.inboxId),
  rows.map((row) => row.senderType),
  rows.map((row) => row.senderId),
  rows.map((row) => row.contentType),
  rows.map((row) => row.text),
  rows.map((row) => JSON.stringify(row.content)),
  rows.map((row) => row.isPrivate),
  rows.map((row) => row.replyToId),
  rows.map((row) => row.clientId),
  rows.map((row) => row.externalId),
  rows.map((row) => row.deliveryStatus),
];

/** Links uploaded files to their message; each must be unsent and, when an owner is given, theirs. */
const attach = async (tx: DatabaseOrTransaction, input: AppendMessageInput, messageId: string): Promise<void> => {
  const attachmentIds = input.attachmentIds ?? [];
  if (attachmentIds.length === 0) return;
  const attached = await tx
    .update(attachments)
    .set({ messageId })
    .where(
      and(
        inArray(attachments.id, [...attachmentIds]),
        eq(attachments.workspaceId, input.workspaceId),
        isNull(attachments.messageId),
        input.attachmentOwnerId ? eq(attachments.uploadedById, input.attachmentOwnerId) : undefined,
      ),
    )
    .returning({ id: attachments.id });
  if (attached.length !== attachmentIds.length) {
    throw new AppError("validation_failed", "An attachment is unknown, already sent, or not yours.", [
      { path: "attachmentIds", message: "not attachable" },
    ]);
  }
};

/** One message: see appendMessages. */
export const appendMessage = async (tx: DatabaseOrTransaction, input: AppendMessageInput): Promise<AppendMessageResult> => {
  const [result] = await appendMessages(tx, [input]);
  if (!result) throw new Error("appendMessages returned no result for its input");
  return result;
};
