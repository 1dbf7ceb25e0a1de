import type { TConversation, TMessage } from "@parley/shared";
import { and, asc, eq, isNull, sql } from "drizzle-orm";
import { type DatabaseOrTransaction, preparedPerConnection } from "../../platform/db.ts";
import type { DomainEvent } from "../../platform/domain-events.ts";
import { AppError } from "../../platform/errors.ts";
import type { VisitorIdentity } from "../../platform/realtime.ts";
import { contactIdentities, contacts } from "../contacts/contacts.tables.ts";
import {
  type ConversationServices,
  commitConversationChange,
  conversationOfVisitor,
  publishConversationChange,
  writeConversationChange,
} from "../conversations/commit-change.ts";
import {
  type ConversationRecord,
  type ConversationVisitor,
  conversationDtoJoins,
  lastMessageSummary,
  toConversationDto,
} from "../conversations/conversation-dto.ts";
import { conversations } from "../conversations/conversations.tables.ts";
import { createConversation, findContinuableConversation, resolveContact } from "../conversations/start-conversation.ts";
import { inboxes } from "../inboxes/inboxes.tables.ts";
import {
  type AppendMessageInput,
  type AppendMessageResult,
  appendMessage,
  appendMessagesToLocked,
  type ConversationRow,
} from "../messages/append-message.ts";
import { type MessageRow, toMessageDtos } from "../messages/message-dto.ts";
import { messagesAfter } from "../messages/messages.service.ts";
import { hasOnlineAgentSql, type InboxAvailabilityRow, primeAwayHandler } from "../routing/away.ts";
import { teams } from "../teams/teams.tables.ts";
import { enabledSubscriptionsSql, primeWebhookSubscriptions } from "../webhooks/webhook-events.ts";
import { findOpenGreeting, markFiringEngaged } from "./trigger-firings.ts";

type VisitorSend = { clientId: string; text: string; attachmentIds: string[]; triggerFiringId?: string | undefined };
type SendOutcome = { message: TMessage; conversationId: string; isDuplicate: boolean };
type WaitingSend = {
  visitor: VisitorIdentity;
  request: VisitorSend;
  resolve: (outcome: SendOutcome) => void;
  reject: (error: unknown) => void;
};

/** The most messages one transaction writes; more wait for the next. */
const MAX_GROUP = 200;

/**
 * Groups in their transactions at once. One: the process and PostgreSQL already share the CPU, and
 * two measured slower on 2 cores (B1 1,650 against 2,020 msg/s, B2 no better); the next group
 * starts as soon as this one commits, while this one reaches sockets.
 */
const MAX_GROUPS_WRITING = 1;

/**
 * A visitor writes from the widget: their contact and conversation are created on the first
 * message, a resolved conversation reopens, a closed one is followed by a new one.
 *
 * Messages are written in groups (group commit): a message that finds no group in its transaction
 * goes at once, and while one is, those that arrive wait and go together in the next group, so a
 * busy site costs a handful of statements per group instead of per message. Plain text
 * in a conversation that exists goes in a group; the rest (a first message, files, an answered
 * greeting) takes the one-message path below. A visitor's messages keep their order end to end:
 * while one of theirs is written or sent, their next ones wait.
 */
export const sendVisitorMessage = (
  services: ConversationServices,
  visitor: VisitorIdentity,
  request: VisitorSend,
): Promise<SendOutcome> => {
  let writer = groupWriters.get(services.db);
  if (!writer) {
    writer = createGroupWriter(services);
    groupWriters.set(services.db, writer);
  }
  return writer(visitor, request);
};

const groupWriters = new WeakMap<object, (visitor: VisitorIdentity, request: VisitorSend) => Promise<SendOutcome>>();

const visitorKey = (visitor: VisitorIdentity) => `${visitor.inboxId}:${visitor.visitorId}`;

const isPlain = (send: WaitingSend) => send.request.attachmentIds.length === 0 && send.request.triggerFiringId === undefined;

const createGroupWriter = (services: ConversationServices) => {
  let waiting: WaitingSend[] = [];
  /** Visitors with messages being written or sent. */
  const busyVisitors = new Set<string>();
  let groupsWriting = 0;

  const sendAlone = (send: WaitingSend) =>
    sendVisitorMessageAlone(services, send.visitor, send.request).then(send.resolve, send.reject);

  /** One send after another for each visitor, visitors side by side. */
  const sendEachAlone = async (sends: readonly WaitingSend[]) => {
    const byVisitor = new Map<string, WaitingSend[]>();
    for (const send of sends) {
      const key = visitorKey(send.visitor);
      const ofVisitor = byVisitor.get(key);
      if (ofVisitor) ofVisitor.push(send);
      else byVisitor.set(key, [send]);
    }
    await Promise.all(
      [...byVisitor.values()].map(async (ofVisitor) => {
        for (const send of ofVisitor) await sendAlone(send);
      }),
    );
  };

  const release = (sends: readonly WaitingSend[]) => {
    for (const send of sends) busyVisitors.delete(visitorKey(send.visitor));
    schedule();
  };

  const writeGroup = async (group: WaitingSend[], onCommitted: () => void) => {
    let written: GroupWritten;
    try {
      written = await writeTogether(services, group);
    } catch (error) {
      // Nothing of the group was written: each goes alone, and gets its own answer.
      services.logger.warn({ err: error, messages: group.length }, "a group of visitor messages failed; sending each alone");
      onCommitted();
      await sendEachAlone(group);
      return;
    }
    // Committed: the next group may start its transaction while this one reaches sockets.
    onCommitted();
    const alone: WaitingSend[] = [];
    for (const [index, send] of group.entries()) {
      const outcome = written.outcomes[index];
      if (outcome === undefined || outcome === "alone") alone.push(send);
      else if (outcome instanceof AppError) send.reject(outcome);
    }
    try {
      await publishGroup(services, group, written);
    } catch (error) {
      // Stored but not answered: a retry with the same clientId gets the stored message.
      for (const send of group) send.reject(error);
    }
    // After the group reached sockets, so a visitor's later message never overtakes one the group held.
    await sendEachAlone(alone);
  };

  /** Starts whatever may go now: a group if none is in its transaction, and one-message sends; the rest keeps waiting. */
  const schedule = () => {
    const stillWaiting: WaitingSend[] = [];
    const group: WaitingSend[] = [];
    const alone: WaitingSend[] = [];
    /** Visitors met in this pass whose later sends must wait (one of theirs waits or goes alone). */
    const heldVisitors = new Set<string>();
    const groupedVisitors = new Set<string>();
    const canGroup = groupsWriting < MAX_GROUPS_WRITING;
    for (const send of waiting) {
      const key = visitorKey(send.visitor);
      const isFree = !busyVisitors.has(key) && !heldVisitors.has(key);
      if (isFree && isPlain(send) && canGroup && group.length < MAX_GROUP) {
        group.push(send);
        groupedVisitors.add(key);
      } else if (isFree && !isPlain(send) && !groupedVisitors.has(key)) {
        alone.push(send);
        heldVisitors.add(key);
      } else {
        stillWaiting.push(send);
        heldVisitors.add(key);
      }
    }
    waiting = stillWaiting;
    for (const send of [...group, ...alone]) busyVisitors.add(visitorKey(send.visitor));
    for (const send of alone) void sendAlone(send).finally(() => release([send]));
    if (group.length > 0) {
      groupsWriting += 1;
      let isCommitted = false;
      const onCommitted = () => {
        if (isCommitted) return;
        isCommitted = true;
        groupsWriting -= 1;
        schedule();
      };
      void writeGroup(group, onCommitted).finally(() => {
        onCommitted();
        release(group);
      });
    }
  };

  return (visitor: VisitorIdentity, request: VisitorSend) =>
    new Promise<SendOutcome>((resolve, reject) => {
      const send = { visitor, request, resolve, reject };
      waiting.push(send);
      // While a group is in its transaction, a plain message can only wait: no pass over the queue for it.
      if (groupsWriting < MAX_GROUPS_WRITING || !isPlain(send)) schedule();
    });
};

/** What the group's fan-out needs beside the conversation row: its DTO's inbox and contact, and the visitor's room. */
type Addressing = { inbox: TConversation["inbox"]; contact: TConversation["contact"]; visitor: ConversationVisitor | null };

type Resolution = { contactId: string; conversation: ConversationRow; addressing: Addressing };

/**
 * For each visitor who can write into a conversation now (inbox live, contact known and not
 * blocked, a conversation not closed): that conversation, locked FOR UPDATE in id order, read in
 * one statement with what the transaction's handlers will ask (the inbox's availability, the
 * workspace's webhook subscriptions), which primes them. Anyone else gets no row and takes the
 * one-message path, which answers them.
 */
const selectVisitorConversationsForUpdate = preparedPerConnection((db: DatabaseOrTransaction) =>
  db
    .select({
      ord: sql<string>`v.ord`,
      contactId: contactIdentities.contactId,
      conversation: conversations,
      ...conversationDtoJoins,
      sourceId: contactIdentities.sourceId,
      awayMessage: inboxes.awayMessage,
      businessHours: inboxes.businessHours,
      hasOnlineAgent: hasOnlineAgentSql(sql`v.workspace_id`, sql`v.inbox_id`),
      subscriptions: enabledSubscriptionsSql(sql`v.workspace_id`),
    })
    .from(
      sql`unnest(${sql.placeholder("workspaceIds")}::uuid[], ${sql.placeholder("inboxIds")}::uuid[], ${sql.placeholder("visitorIds")}::text[])
        with ordinality as v(workspace_id, inbox_id, source_id, ord)`,
    )
    .innerJoin(
      inboxes,
      and(eq(inboxes.id, sql`v.inbox_id`), eq(inboxes.workspaceId, sql`v.workspace_id`), isNull(inboxes.deletedAt)),
    )
    .innerJoin(
      contactIdentities,
      and(eq(contactIdentities.inboxId, inboxes.id), eq(contactIdentities.sourceId, sql`v.source_id`)),
    )
    .innerJoin(contacts, and(eq(contacts.id, contactIdentities.contactId), isNull(contacts.blockedAt)))
    .innerJoinLateral(
      sql`(select c.id from ${conversations} c
          where c.workspace_id = v.workspace_id and c.inbox_id = v.inbox_id and c.contact_id = ${contactIdentities.contactId}
            and c.status <> 'closed'
          order by c.created_at desc limit 1) as latest`,
      sql`true`,
    )
    .innerJoin(conversations, eq(conversations.id, sql`latest.id`))
    .orderBy(asc(conversations.id))
    .for("update", { of: conversations })
    .prepare("visitor_conversations_for_update"),
);

/** Runs selectVisitorConversationsForUpdate, and primes the handlers with what it read. */
const lockVisitorConversations = async (
  tx: DatabaseOrTransaction,
  visitors: readonly VisitorIdentity[],
): Promise<Array<Resolution | undefined>> => {
  const rows = await selectVisitorConversationsForUpdate(tx, {
    workspaceIds: visitors.map((visitor) => visitor.workspaceId),
    inboxIds: visitors.map((visitor) => visitor.inboxId),
    visitorIds: visitors.map((visitor) => visitor.visitorId),
  });
  const inboxesSeen = new Map<string, InboxAvailabilityRow>();
  const subscriptionsSeen = new Map<string, Array<{ id: string; events: string[] }>>();
  const resolutions: Array<Resolution | undefined> = visitors.map(() => undefined);
  for (const row of rows) {
    const { conversation } = row;
    inboxesSeen.set(conversation.inboxId, row);
    subscriptionsSeen.set(conversation.workspaceId, row.subscriptions);
    const visitor = row.inbox.type === "website" ? { inboxId: row.inbox.id, visitorId: row.sourceId } : null;
    resolutions[Number(row.ord) - 1] = {
      contactId: row.contactId,
      conversation,
      addressing: { inbox: row.inbox, contact: row.contact, visitor },
    };
  }
  primeAwayHandler(tx, { inboxes: inboxesSeen, conversations: rows.map((row) => row.conversation) });
  primeWebhookSubscriptions(tx, subscriptionsSeen);
  return resolutions;
};

type GroupWritten = {
  /** Per send: where its message is in `appended`, the error it gets, or "alone" for the one-message path. */
  outcomes: Array<{ conversationId: string; appended: number } | AppError | "alone">;
  appended: AppendMessageResult[];
  events: DomainEvent[];
  /** The conversations as committed, for those whose change the group knows entirely (no handler followed up). */
  conversationsInHand: ConversationRecord[];
};

/** One transaction for a group of plain messages into existing conversations. */
const writeTogether = async (services: ConversationServices, sends: readonly WaitingSend[]): Promise<GroupWritten> => {
  const { result, events } = await writeConversationChange(services, async (tx) => {
    const resolutions = await lockVisitorConversations(
      tx,
      sends.map((send) => send.visitor),
    );
    const outcomes: GroupWritten["outcomes"] = [];
    const inputs: AppendMessageInput[] = [];
    const heldVisitors = new Set<string>();
    for (const [index, send] of sends.entries()) {
      const resolution = resolutions[index];
      const key = visitorKey(send.visitor);
      if (heldVisitors.has(key) || resolution === undefined) {
        heldVisitors.add(key);
        outcomes.push("alone");
      } else {
        outcomes.push({ conversationId: resolution.conversation.id, appended: inputs.length });
        inputs.push({
          workspaceId: send.visitor.workspaceId,
          conversationId: resolution.conversation.id,
          senderType: "contact",
          senderId: resolution.contactId,
          contentType: "text",
          text: send.request.text,
          clientId: send.request.clientId,
        });
      }
    }
    const locked = [...new Map(resolutions.flatMap((one) => (one ? [[one.conversation.id, one.conversation]] : []))).values()];
    const { results: appended, conversations: written } = await appendMessagesToLocked(tx, inputs, locked);
    const addressing = new Map(resolutions.flatMap((one) => (one ? [[one.conversation.id, one.addressing]] : [])));
    return { result: { outcomes, appended, written, addressing }, events: appended.flatMap((one) => one.events) };
  });
  const initialEventCount = result.appended.reduce((sum, one) => sum + one.events.length, 0);
  return {
    outcomes: result.outcomes,
    appended: result.appended,
    events,
    conversationsInHand: recordsInHand(result.written, result.addressing, result.appended, events.slice(initialEventCount)),
  };
};

/**
 * DTOs of the conversations a group changed, built from the rows it wrote: those that got a new
 * message (the DTO's last message) and that no handler changed after it (a reopening note, an
 * assignment, an away message); the fan-out reads the others.
 */
const recordsInHand = (
  written: readonly ConversationRow[],
  addressing: ReadonlyMap<string, Addressing>,
  appended: readonly AppendMessageResult[],
  followUps: readonly DomainEvent[],
): ConversationRecord[] => {
  const changedByHandlers = new Set(followUps.flatMap((event) => ("conversationId" in event ? [event.conversationId] : [])));
  const latestMessage = new Map<string, MessageRow>();
  for (const { message, isDuplicate } of appended) if (!isDuplicate) latestMessage.set(message.conversationId, message);
  return written.flatMap((conversation) => {
    const message = latestMessage.get(conversation.id);
    const known = addressing.get(conversation.id);
    if (!message || !known || changedByHandlers.has(conversation.id)) return [];
    const dto = toConversationDto({
      conversation,
      inbox: known.inbox,
      contact: known.contact,
      lastReadSeq: 0,
      lastMessage: lastMessageSummary(message),
    });
    return [{ dto, workspaceId: conversation.workspaceId, visitor: known.visitor }];
  });
};

/** Sends a committed group to agents and visitors, then acknowledges each message with what was sent. */
const publishGroup = async (services: ConversationServices, sends: readonly WaitingSend[], written: GroupWritten) => {
  let sent = new Map<string, TMessage>();
  try {
    // Plain text just written: the fan-out needs no read-back (a duplicate's stored original might have files).
    const freshMessages = written.appended.filter((one) => !one.isDuplicate).map((one) => one.message);
    sent = await publishConversationChange(services, written.events, {
      messages: freshMessages,
      conversations: written.conversationsInHand,
    });
  } catch (error) {
    // The messages are stored; a visitor may still read them after a resync. Their senders get their acks.
    services.logger.error({ err: error }, "a group of visitor messages was stored but not sent to sockets");
  }
  const unsent = written.appended.filter((one) => !sent.has(one.message.id)).map((one) => one.message);
  for (const message of await toMessageDtos(services.db, services, unsent)) sent.set(message.id, message);
  for (const [index, send] of sends.entries()) {
    const outcome = written.outcomes[index];
    if (outcome === undefined || outcome === "alone" || outcome instanceof AppError) continue;
    const result = written.appended[outcome.appended];
    const message = result && sent.get(result.message.id);
    if (!result || !message) send.reject(new Error("a grouped message could not be read back"));
    else send.resolve({ message, conversationId: outcome.conversationId, isDuplicate: result.isDuplicate });
  }
};

/** One message in its own transaction: creates the contact and conversation when needed. */
const sendVisitorMessageAlone = async (
  services: ConversationServices,
  visitor: VisitorIdentity,
  request: VisitorSend,
): Promise<SendOutcome> => {
  const outcome = await commitConversationChange(services, async (tx) => {
    // One read for what every message needs: the inbox still live, the visitor's contact and whether it is blocked.
    const [known] = await tx
      .select({
        deletedAt: inboxes.deletedAt,
        contactIdentityId: contactIdentities.id,
        contactId: contactIdentities.contactId,
        blockedAt: contacts.blockedAt,
      })
      .from(inboxes)
      .leftJoin(
        contactIdentities,
        and(eq(contactIdentities.inboxId, inboxes.id), eq(contactIdentities.sourceId, visitor.visitorId)),
      )
      .leftJoin(contacts, eq(contacts.id, contactIdentities.contactId))
      .where(and(eq(inboxes.id, visitor.inboxId), eq(inboxes.workspaceId, visitor.workspaceId)));
    // A socket opened before its inbox was deleted must not keep writing into it.
    if (!known || known.deletedAt !== null) throw new AppError("not_found", "This chat is no longer available.");
    if (known.blockedAt) throw new AppError("forbidden", "This conversation is not accepting messages.");
    const contact =
      known.contactId && known.contactIdentityId
        ? { contactId: known.contactId, contactIdentityId: known.contactIdentityId, events: [] }
        : await resolveContact(tx, {
            workspaceId: visitor.workspaceId,
            inboxId: visitor.inboxId,
            sourceId: visitor.visitorId,
            isAnonymous: true,
          });
    const continued = await findContinuableConversation(tx, {
      workspaceId: visitor.workspaceId,
      inboxId: visitor.inboxId,
      contactId: contact.contactId,
    });
    const started = continued
      ? { conversation: continued, events: [] }
      : await createConversation(tx, {
          workspaceId: visitor.workspaceId,
          inboxId: visitor.inboxId,
          contactId: contact.contactId,
          contactIdentityId: contact.contactIdentityId,
        });
    if (!continued) await routeToChosenDepartment(tx, visitor.workspaceId, contact.contactId, started.conversation.id);
    const greeting = request.triggerFiringId
      ? await storeAnsweredGreeting(tx, {
          workspaceId: visitor.workspaceId,
          contactId: contact.contactId,
          firingId: request.triggerFiringId,
          conversationId: started.conversation.id,
        })
      : [];
    const appended = await appendMessage(tx, {
      workspaceId: visitor.workspaceId,
      conversationId: started.conversation.id,
      senderType: "contact",
      senderId: contact.contactId,
      contentType: request.attachmentIds.length > 0 ? "file" : "text",
      text: request.text,
      clientId: request.clientId,
      attachmentIds: request.attachmentIds,
      attachmentOwnerId: contact.contactId,
    });
    return {
      result: { message: appended.message, conversationId: started.conversation.id, isDuplicate: appended.isDuplicate },
      events: [...contact.events, ...started.events, ...greeting, ...appended.events],
    };
  });
  const [message] = await toMessageDtos(services.db, services, [outcome.message]);
  if (!message) throw new Error("stored message could not be read back");
  return { message, conversationId: outcome.conversationId, isDuplicate: outcome.isDuplicate };
};

/**
 * The department the visitor picked in the pre-chat form (a team id) takes their new conversation;
 * set before the creation events run, so team auto-assignment sees it.
 */
const routeToChosenDepartment = async (
  tx: DatabaseOrTransaction,
  workspaceId: string,
  contactId: string,
  conversationId: string,
): Promise<void> => {
  const [contact] = await tx.select({ attributes: contacts.customAttributes }).from(contacts).where(eq(contacts.id, contactId));
  const department = contact?.attributes.department;
  if (typeof department !== "string" || !/^[0-9a-f-]{36}$/i.test(department)) return;
  const [team] = await tx
    .select({ id: teams.id })
    .from(teams)
    .where(and(eq(teams.id, department), eq(teams.workspaceId, workspaceId)));
  if (team) await tx.update(conversations).set({ teamId: team.id }).where(eq(conversations.id, conversationId));
};

/**
 * The visitor answers a proactive greeting: the greeting they saw is stored first, from the agent
 * or bot it named, then marked engaged. It is not a reply to the visitor, so the conversation keeps
 * waiting and its first-response time is untouched.
 */
const storeAnsweredGreeting = async (
  tx: DatabaseOrTransaction,
  input: { workspaceId: string; contactId: string; firingId: string; conversationId: string },
): Promise<DomainEvent[]> => {
  const open = await findOpenGreeting(tx, input);
  // An unknown or already answered firing does not hold the visitor's message back.
  if (!open) return [];
  const [before] = await tx.select().from(conversations).where(eq(conversations.id, input.conversationId));
  if (!before) return [];
  const { greeting } = open;
  const appended = await appendMessage(tx, {
    workspaceId: input.workspaceId,
    conversationId: input.conversationId,
    senderType: greeting.senderType,
    senderId: greeting.senderType === "agent" ? (greeting.agentId ?? null) : null,
    contentType: "text",
    text: greeting.text,
    content: { proactive: true, firingId: open.firingId, ...(greeting.botName ? { botName: greeting.botName } : {}) },
    clientId: `greeting-${open.firingId}`,
  });
  await tx
    .update(conversations)
    .set({
      status: before.status,
      firstReplyAt: before.firstReplyAt,
      waitingSince: before.waitingSince,
      unreadByContactCount: before.unreadByContactCount,
    })
    .where(eq(conversations.id, before.id));
  await markFiringEngaged(tx, open.firingId, input.conversationId);
  return appended.events.filter((event) => event.type !== "conversation.status_changed");
};

/** What a visitor missed in one of their conversations; private notes are never included. */
export const resyncVisitor = async (
  services: ConversationServices,
  visitor: VisitorIdentity,
  request: { conversationId: string; afterSeq: number },
) => {
  const conversation = await conversationOfVisitor(services.db, { ...visitor, conversationId: request.conversationId });
  if (!conversation) throw new AppError("not_found", "No conversation of yours with this id.");
  return messagesAfter(services.db, services, {
    conversationId: conversation.id,
    afterSeq: request.afterSeq,
    limit: 500,
    includePrivate: false,
  });
};
