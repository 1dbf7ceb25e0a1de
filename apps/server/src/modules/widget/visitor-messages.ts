import type { TMessage } from "@parley/shared";
import { and, eq, sql } from "drizzle-orm";
import type { DatabaseOrTransaction } from "../../platform/db.ts";
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
import { conversations } from "../conversations/conversations.tables.ts";
import { createConversation, findContinuableConversation, resolveContact } from "../conversations/start-conversation.ts";
import { inboxes } from "../inboxes/inboxes.tables.ts";
import { type AppendMessageInput, type AppendMessageResult, appendMessage, appendMessages } from "../messages/append-message.ts";
import { toMessageDtos } from "../messages/message-dto.ts";
import { messagesAfter } from "../messages/messages.service.ts";
import { teams } from "../teams/teams.tables.ts";
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
 * A visitor writes from the widget: their contact and conversation are created on the first
 * message, a resolved conversation reopens, a closed one is followed by a new one.
 *
 * Messages are written in groups (group commit): while one group is in its transaction, those
 * that arrive wait and go together in the next, so a busy site costs a handful of statements per
 * group instead of per message, and a quiet one waits for nothing. Plain text in a conversation
 * that exists goes in the group; the rest (a first message, files, an answered greeting) takes the
 * one-message path below. A visitor's messages keep their order either way.
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

const createGroupWriter = (services: ConversationServices) => {
  const waiting: WaitingSend[] = [];
  let isWriting = false;
  /** Per visitor, the one-message sends still running: their next messages queue behind them. */
  const aloneChains = new Map<string, Promise<void>>();
  /**
   * Groups reach sockets in the order they committed; the next group's transaction does not wait
   * for this one's sockets.
   */
  let lastPublish: Promise<unknown> = Promise.resolve();

  const sendAlone = (send: WaitingSend, after: Promise<unknown>) => {
    const key = visitorKey(send.visitor);
    const run = Promise.all([aloneChains.get(key), after.catch(() => undefined)])
      .then(() => sendVisitorMessageAlone(services, send.visitor, send.request))
      .then(send.resolve, send.reject);
    aloneChains.set(key, run);
    void run.finally(() => {
      if (aloneChains.get(key) === run) aloneChains.delete(key);
    });
  };

  const writeGroup = async (group: WaitingSend[]) => {
    const grouped: WaitingSend[] = [];
    const alone = new Set<WaitingSend>();
    const aloneVisitors = new Set<string>();
    for (const send of group) {
      const key = visitorKey(send.visitor);
      const isPlain = send.request.attachmentIds.length === 0 && send.request.triggerFiringId === undefined;
      if (isPlain && !aloneChains.has(key) && !aloneVisitors.has(key)) grouped.push(send);
      else {
        aloneVisitors.add(key);
        alone.add(send);
      }
    }
    let published: Promise<unknown> = lastPublish;
    if (grouped.length > 0) {
      try {
        const written = await writeTogether(services, grouped);
        for (const [index, send] of grouped.entries()) {
          const outcome = written.outcomes[index];
          if (outcome === undefined || outcome === "alone") alone.add(send);
          else if (outcome instanceof AppError) send.reject(outcome);
        }
        published = lastPublish.then(() => publishGroup(services, grouped, written));
        lastPublish = published;
      } catch (error) {
        // Nothing of the group was written: each goes alone, and gets its own answer.
        services.logger.warn({ err: error, messages: grouped.length }, "a group of visitor messages failed; sending each alone");
        for (const send of grouped) alone.add(send);
      }
    }
    // In arrival order and after the group reached sockets, so a visitor's later message never overtakes one the group held.
    for (const send of group) if (alone.has(send)) sendAlone(send, published);
  };

  const drain = async () => {
    isWriting = true;
    try {
      while (waiting.length > 0) {
        const earlierPublish = lastPublish;
        await writeGroup(waiting.splice(0, MAX_GROUP));
        // At most one group waits for its sockets while the next is written.
        await earlierPublish.catch(() => undefined);
      }
    } finally {
      isWriting = false;
    }
  };

  return (visitor: VisitorIdentity, request: VisitorSend) =>
    new Promise<SendOutcome>((resolve, reject) => {
      waiting.push({ visitor, request, resolve, reject });
      if (!isWriting) void drain();
    });
};

type Resolution = { isInboxLive: boolean; contactId: string | null; isBlocked: boolean; conversationId: string | null };

/** For each visitor: their inbox still live, their contact (and whether it is blocked), the conversation they continue. */
const resolveVisitors = async (tx: DatabaseOrTransaction, visitors: readonly VisitorIdentity[]): Promise<Resolution[]> => {
  const { rows } = await tx.execute<{
    ord: string;
    is_inbox_live: boolean;
    contact_id: string | null;
    is_blocked: boolean;
    conversation_id: string | null;
  }>(sql`
    select v.ord, (i.id is not null and i.deleted_at is null) as is_inbox_live, ci.contact_id,
           (ct.blocked_at is not null) as is_blocked, cv.id as conversation_id
    from unnest(
      ${sql.param(visitors.map((visitor) => visitor.workspaceId))}::uuid[],
      ${sql.param(visitors.map((visitor) => visitor.inboxId))}::uuid[],
      ${sql.param(visitors.map((visitor) => visitor.visitorId))}::text[]
    ) with ordinality as v(workspace_id, inbox_id, source_id, ord)
    left join ${inboxes} i on i.id = v.inbox_id and i.workspace_id = v.workspace_id
    left join ${contactIdentities} ci on ci.inbox_id = i.id and ci.source_id = v.source_id
    left join ${contacts} ct on ct.id = ci.contact_id
    left join lateral (
      select c.id from ${conversations} c
      where c.workspace_id = v.workspace_id and c.inbox_id = v.inbox_id and c.contact_id = ci.contact_id and c.status <> 'closed'
      order by c.created_at desc limit 1
    ) cv on true
    order by v.ord`);
  return rows.map((row) => ({
    isInboxLive: row.is_inbox_live,
    contactId: row.contact_id,
    isBlocked: row.is_blocked,
    conversationId: row.conversation_id,
  }));
};

type GroupWritten = {
  /** Per send: where its message is in `appended`, the error it gets, or "alone" for the one-message path. */
  outcomes: Array<{ conversationId: string; appended: number } | AppError | "alone">;
  appended: AppendMessageResult[];
  events: DomainEvent[];
};

/** One transaction for a group of plain messages into existing conversations. */
const writeTogether = async (services: ConversationServices, sends: readonly WaitingSend[]): Promise<GroupWritten> => {
  const { result, events } = await writeConversationChange(services, async (tx) => {
    const resolutions = await resolveVisitors(
      tx,
      sends.map((send) => send.visitor),
    );
    const outcomes: GroupWritten["outcomes"] = [];
    const inputs: AppendMessageInput[] = [];
    const heldVisitors = new Set<string>();
    for (const [index, send] of sends.entries()) {
      const resolution = resolutions[index];
      const key = visitorKey(send.visitor);
      if (!resolution?.isInboxLive) outcomes.push(new AppError("not_found", "This chat is no longer available."));
      else if (resolution.isBlocked) outcomes.push(new AppError("forbidden", "This conversation is not accepting messages."));
      else if (heldVisitors.has(key) || resolution.contactId === null || resolution.conversationId === null) {
        heldVisitors.add(key);
        outcomes.push("alone");
      } else {
        outcomes.push({ conversationId: resolution.conversationId, appended: inputs.length });
        inputs.push({
          workspaceId: send.visitor.workspaceId,
          conversationId: resolution.conversationId,
          senderType: "contact",
          senderId: resolution.contactId,
          contentType: "text",
          text: send.request.text,
          clientId: send.request.clientId,
        });
      }
    }
    const appended = await appendMessages(tx, inputs);
    return { result: { outcomes, appended }, events: appended.flatMap((one) => one.events) };
  });
  return { ...result, events };
};

/** Sends a committed group to agents and visitors, then acknowledges each message with what was sent. */
const publishGroup = async (services: ConversationServices, sends: readonly WaitingSend[], written: GroupWritten) => {
  let sent = new Map<string, TMessage>();
  try {
    // Plain text just written: the fan-out needs no read-back (a duplicate's stored original might have files).
    const freshMessages = written.appended.filter((one) => !one.isDuplicate).map((one) => one.message);
    sent = await publishConversationChange(services, written.events, freshMessages);
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
        : await resolveContact(tx, { workspaceId: visitor.workspaceId, inboxId: visitor.inboxId, sourceId: visitor.visitorId });
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
