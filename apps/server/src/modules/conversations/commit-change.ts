import type { TConversation, TMessage } from "@parley/shared";
import { and, eq, inArray } from "drizzle-orm";
import { allDomainEventHandlers } from "../../domain-event-handlers.ts";
import { parleyModules } from "../../parley-modules.ts";
import type { DatabaseOrTransaction } from "../../platform/db.ts";
import { type DomainEvent, runDomainEventHandlers } from "../../platform/domain-events.ts";
import { rooms } from "../../platform/realtime.ts";
import type { AppServices } from "../../platform/services.ts";
import { contactIdentities } from "../contacts/contacts.tables.ts";
import { type MessageRow, toMessageDtos } from "../messages/message-dto.ts";
import { messages } from "../messages/messages.tables.ts";
import { type ConversationRecord, loadConversationRecords } from "./conversation-dto.ts";
import { conversations } from "./conversations.tables.ts";

export type ConversationServices = Pick<AppServices, "db" | "config" | "secrets" | "mailer" | "realtime" | "logger">;

/**
 * Runs a change to the conversation model in one transaction with every handler its events call
 * for, then, once committed, sends the result to the agents and visitors who may see it.
 */
export const commitConversationChange = async <T>(
  services: ConversationServices,
  work: (tx: DatabaseOrTransaction) => Promise<{ result: T; events: DomainEvent[] }>,
): Promise<T> => {
  const { result, events } = await writeConversationChange(services, work);
  await publishConversationChange(services, events);
  return result;
};

/** The transaction half of commitConversationChange: the change and its handlers, committed. */
export const writeConversationChange = <T>(
  services: ConversationServices,
  work: (tx: DatabaseOrTransaction) => Promise<{ result: T; events: DomainEvent[] }>,
): Promise<{ result: T; events: DomainEvent[] }> =>
  services.db.transaction(async (tx) => {
    const done = await work(tx);
    return { result: done.result, events: await runDomainEventHandlers(tx, allDomainEventHandlers(), done.events, services) };
  });

/**
 * The after-commit half of commitConversationChange: sockets, then after-commit hooks. Returns the
 * messages it sent, by id, for callers that answer with them.
 */
export const publishConversationChange = async (
  services: ConversationServices,
  events: readonly DomainEvent[],
  inHand: ChangeInHand = {},
): Promise<Map<string, TMessage>> => {
  const sent = await fanOut(services, events, inHand);
  await runAfterCommitHooks(services, events);
  return sent;
};

const runAfterCommitHooks = async (services: ConversationServices, events: readonly DomainEvent[]): Promise<void> => {
  if (events.length === 0) return;
  for (const module of parleyModules()) {
    if (!module.afterCommit) continue;
    try {
      await module.afterCommit(services, events);
    } catch (error) {
      services.logger.error({ err: error }, "an after-commit hook failed; the change itself is saved");
    }
  }
};

/** Agent rooms that may see a conversation: its inbox's agents, those who see everything, its assignee. */
const agentRoomsFor = (workspaceId: string, conversation: TConversation): string[] => [
  rooms.inbox(conversation.inbox.id),
  rooms.allConversations(workspaceId),
  ...(conversation.assigneeId ? [rooms.user(conversation.assigneeId)] : []),
];

/**
 * What the caller wrote in this change and holds as committed, so the fan-out sends it without
 * reading it back: messages as stored, without files; conversations as their DTOs now are.
 */
export type ChangeInHand = { messages?: readonly MessageRow[]; conversations?: readonly ConversationRecord[] };

/**
 * Sends committed changes to sockets. Private notes and internal events never reach visitors.
 * Conversations come in one read; messages not in hand in one more, concurrently.
 */
export const fanOut = async (
  services: ConversationServices,
  events: readonly DomainEvent[],
  inHand: ChangeInHand = {},
): Promise<Map<string, TMessage>> => {
  const conversationIds = [...new Set(events.flatMap((event) => ("conversationId" in event ? [event.conversationId] : [])))];
  if (conversationIds.length === 0) return new Map();
  const { db, realtime } = services;
  const messageEvents = events.filter((event) => event.type === "message.created" || event.type === "message.updated");
  const messageIds = [...new Set(messageEvents.map((event) => ("messageId" in event ? event.messageId : "")))].filter(Boolean);
  const heldById = new Map((inHand.messages ?? []).map((row) => [row.id, row]));
  const toRead = messageIds.filter((id) => !heldById.has(id));
  const heldRecords = new Map((inHand.conversations ?? []).map((record) => [record.dto.id, record]));
  const recordsToRead = conversationIds.filter((id) => !heldRecords.has(id));
  const [readRecords, readRows] = await Promise.all([
    recordsToRead.length > 0 ? loadConversationRecords(db, recordsToRead, null, { withVisitor: true }) : Promise.resolve([]),
    toRead.length > 0 ? db.select().from(messages).where(inArray(messages.id, toRead)) : Promise.resolve([]),
  ]);
  const records = [...heldRecords.values(), ...readRecords];
  const byId = new Map(records.map((record) => [record.dto.id, record]));
  const visitorRoom = (record: (typeof records)[number]) =>
    record.visitor ? rooms.visitor(record.visitor.inboxId, record.visitor.visitorId) : null;

  const changedConversationIds = new Set(
    events
      .filter((event) => event.type.startsWith("conversation."))
      .map((event) => ("conversationId" in event ? event.conversationId : "")),
  );
  const createdIds = new Set(
    events
      .filter((event) => event.type === "conversation.created")
      .map((event) => ("conversationId" in event ? event.conversationId : "")),
  );
  // A visitor is told only the status: a new message or an assignment is no news to them, and
  // skipping it spares a packet per message on every visitor's socket.
  const statusNewsIds = new Set([
    ...createdIds,
    ...events.flatMap((event) => (event.type === "conversation.status_changed" ? [event.conversationId] : [])),
  ]);
  for (const record of records) {
    if (!changedConversationIds.has(record.dto.id)) continue;
    realtime.emitToAgents(
      agentRoomsFor(record.workspaceId, record.dto),
      createdIds.has(record.dto.id) ? "conversation.created" : "conversation.updated",
      { conversation: record.dto },
    );
    const room = visitorRoom(record);
    if (room && statusNewsIds.has(record.dto.id)) {
      realtime.emitToVisitors(room, "conversation.updated", { conversationId: record.dto.id, status: record.dto.status });
    }
  }

  if (messageIds.length === 0) return new Map();
  const areNew = messageEvents.every((event) => event.type === "message.created");
  const held = messageIds.flatMap((id) => heldById.get(id) ?? []);
  const [readDtos, heldDtos] = await Promise.all([
    toMessageDtos(db, services, readRows, { areNew }),
    toMessageDtos(db, services, held, { areNew: true, withoutFiles: true }),
  ]);
  const dtos = new Map([...readDtos, ...heldDtos].map((dto) => [dto.id, dto]));
  for (const event of messageEvents) {
    if (!("messageId" in event)) continue;
    const message = dtos.get(event.messageId);
    const record = byId.get(event.conversationId);
    if (!message || !record) continue;
    const name = event.type === "message.created" ? "message.created" : "message.updated";
    realtime.emitToAgents(agentRoomsFor(record.workspaceId, record.dto), name, { message });
    const room = visitorRoom(record);
    if (room && !message.isPrivate) realtime.emitToVisitors(room, name, { message });
  }
  return dtos;
};

/** A website conversation's visitor id, for checks that a visitor talks only in their own conversation. */
export const conversationOfVisitor = async (
  db: DatabaseOrTransaction,
  input: { workspaceId: string; inboxId: string; visitorId: string; conversationId: string },
) => {
  const [row] = await db
    .select({ id: conversations.id })
    .from(conversations)
    .innerJoin(contactIdentities, eq(contactIdentities.id, conversations.contactIdentityId))
    .where(
      and(
        eq(conversations.id, input.conversationId),
        eq(conversations.workspaceId, input.workspaceId),
        eq(contactIdentities.inboxId, input.inboxId),
        eq(contactIdentities.sourceId, input.visitorId),
      ),
    );
  return row ?? null;
};
