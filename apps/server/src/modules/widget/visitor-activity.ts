import { randomUUID } from "node:crypto";
import { and, desc, eq, gt, inArray, isNull, ne, or, sql } from "drizzle-orm";
import type { Socket } from "socket.io";
import type { DatabaseOrTransaction } from "../../platform/db.ts";
import type { DomainEventHandler } from "../../platform/domain-events.ts";
import { AppError } from "../../platform/errors.ts";
import { renderMail } from "../../platform/mail/templates.ts";
import type { VisitorIdentity } from "../../platform/realtime.ts";
import { users } from "../auth/auth.tables.ts";
import { contacts } from "../contacts/contacts.tables.ts";
import { type ConversationServices, commitConversationChange } from "../conversations/commit-change.ts";
import { conversations } from "../conversations/conversations.tables.ts";
import { createConversation, findContinuableConversation } from "../conversations/start-conversation.ts";
import { inboxes } from "../inboxes/inboxes.tables.ts";
import { appendMessage } from "../messages/append-message.ts";
import { messages } from "../messages/messages.tables.ts";
import { workspaces } from "../workspaces/workspaces.tables.ts";
import { findCompiledTrigger, recordFiring } from "./trigger-firings.ts";
import { isIpInRange, socketClientIp } from "./visitor-context.ts";
import { applyProfile, isVerifiedContact, validateFormAnswers, visitorContact, visitorInbox } from "./visitor-identity.ts";
import { findVisitorContact } from "./visitor-session.ts";
import { visitorBans } from "./visitors.tables.ts";
import { announceVisit, latestVisit, recordPageView, recordTrackedEvent, toVisitDto, type VisitRow } from "./visits.ts";

const BANS_TTL_MS = 5_000;
const bansByWorkspace = new Map<
  string,
  { bans: Array<{ contactId: string | null; ipRange: string | null }>; expiresAt: number }
>();

/** Bans changed on this node: the next event re-reads them (other nodes within BANS_TTL_MS). */
export const forgetCachedBans = (workspaceId: string) => bansByWorkspace.delete(workspaceId);

const activeBans = async (services: ConversationServices, workspaceId: string) => {
  const cached = bansByWorkspace.get(workspaceId);
  if (cached && cached.expiresAt > Date.now()) return cached.bans;
  const bans = await services.db
    .select({ contactId: visitorBans.contactId, ipRange: visitorBans.ipRange })
    .from(visitorBans)
    .where(
      and(eq(visitorBans.workspaceId, workspaceId), or(isNull(visitorBans.expiresAt), gt(visitorBans.expiresAt, new Date()))),
    );
  if (bansByWorkspace.size > 10_000) bansByWorkspace.clear();
  bansByWorkspace.set(workspaceId, { bans, expiresAt: Date.now() + BANS_TTL_MS });
  return bans;
};

const contactOfSocket = new WeakMap<Socket, string | null>();

/**
 * Every widget event first checks that the visitor (their contact or the address of this very
 * socket) is not banned. The workspace's bans are read at most every few seconds and the socket's
 * contact once, so a chatting visitor costs no query here.
 */
export const assertVisitorAllowed = async (services: ConversationServices, visitor: VisitorIdentity, socket: Socket) => {
  const bans = await activeBans(services, visitor.workspaceId);
  if (bans.length === 0) return;
  let contactId = contactOfSocket.get(socket);
  if (contactId === undefined) {
    contactId = (await findVisitorContact(services.db, visitor))?.contactId ?? null;
    if (contactId !== null) contactOfSocket.set(socket, contactId);
  }
  const ip = socketClientIp(socket, services.config.trustProxy);
  if (
    bans.some(
      (ban) => (ban.contactId !== null && ban.contactId === contactId) || (ban.ipRange !== null && isIpInRange(ip, ban.ipRange)),
    )
  ) {
    throw new AppError("visitor_banned", "This chat is not available to you.");
  }
};

const currentVisit = async (
  db: DatabaseOrTransaction,
  visitor: VisitorIdentity,
): Promise<{ contactId: string; visit: VisitRow }> => {
  const contact = await findVisitorContact(db, visitor);
  const visit = contact ? await latestVisit(db, visitor.inboxId, contact.contactId) : null;
  if (!contact || !visit) throw new AppError("not_found", "Start a widget session first.");
  return { contactId: contact.contactId, visit };
};

/** A single-page app's navigation: agents watching the visitor see the new page at once. */
export const recordVisitorPage = async (
  services: ConversationServices,
  visitor: VisitorIdentity,
  page: { url: string; title: string; referrer?: string | undefined },
) => {
  const { contactId, visit } = await currentVisit(services.db, visitor);
  const updated = await services.db.transaction((tx) => recordPageView(tx, visit.id, page));
  announceVisit(services, visitor, contactId, updated);
  return { visit: toVisitDto(updated) };
};

export const trackVisitorEvent = async (
  services: ConversationServices,
  visitor: VisitorIdentity,
  event: { event: string; data?: Record<string, unknown> | undefined },
) => {
  const { contactId, visit } = await currentVisit(services.db, visitor);
  const updated = await services.db.transaction((tx) => recordTrackedEvent(tx, visit.id, event));
  announceVisit(services, visitor, contactId, updated);
  return { tracked: true };
};

/** The widget ran a trigger's actions: recorded once per the trigger's frequency; a repeat is refused. */
export const fireTrigger = async (services: ConversationServices, visitor: VisitorIdentity, triggerId: string) => {
  const { inbox, settings } = await visitorInbox(services.db, visitor);
  const found = await findCompiledTrigger(services.db, {
    workspaceId: visitor.workspaceId,
    inboxId: inbox.id,
    inboxName: inbox.name,
    settings,
    triggerId,
  });
  if (!found) throw new AppError("not_found", "No enabled trigger with this id for this widget.");
  const firingId = await services.db.transaction(async (tx) => {
    const { contactId, visit } = await currentVisit(tx, visitor);
    return recordFiring(tx, { workspaceId: visitor.workspaceId, trigger: found.row, contactId, visitId: visit.id });
  });
  return { firingId, actions: found.trigger.actions };
};

/** The visitor's conversations on this inbox, newest first, with their last public message. */
export const listVisitorConversations = async (services: ConversationServices, visitor: VisitorIdentity) => {
  const contact = await findVisitorContact(services.db, visitor);
  if (!contact) return { items: [] };
  const rows = await services.db
    .select({ id: conversations.id, status: conversations.status, lastActivityAt: conversations.lastActivityAt })
    .from(conversations)
    .where(
      and(
        eq(conversations.workspaceId, visitor.workspaceId),
        eq(conversations.inboxId, visitor.inboxId),
        eq(conversations.contactId, contact.contactId),
      ),
    )
    .orderBy(desc(conversations.lastActivityAt))
    .limit(50);
  const ids = rows.map((row) => row.id);
  const lastMessages =
    ids.length === 0
      ? []
      : await services.db
          .selectDistinctOn([messages.conversationId], {
            conversationId: messages.conversationId,
            text: messages.text,
            senderType: messages.senderType,
            createdAt: messages.createdAt,
          })
          .from(messages)
          .where(and(inArray(messages.conversationId, ids), eq(messages.isPrivate, false), isNull(messages.deletedAt)))
          .orderBy(messages.conversationId, desc(messages.seq));
  const byConversation = new Map(lastMessages.map((message) => [message.conversationId, message]));
  return {
    items: rows.map((row) => {
      const last = byConversation.get(row.id);
      return {
        id: row.id,
        status: row.status,
        lastMessage: last
          ? { text: last.text.slice(0, 200), senderType: last.senderType, createdAt: last.createdAt.toISOString() }
          : null,
        lastActivityAt: row.lastActivityAt.toISOString(),
      };
    }),
  };
};

/**
 * The offline form: the visitor's message opens (or continues) a conversation kept for an email
 * follow-up, and a line in the chat promises the reply by email.
 */
export const submitOfflineForm = async (
  services: ConversationServices,
  visitor: VisitorIdentity,
  request: { fields: Record<string, string | boolean>; message: string; clientId?: string | undefined },
) => {
  const { settings } = await visitorInbox(services.db, visitor);
  if (!settings.offlineForm.isEnabled) throw new AppError("bad_request", "This widget has no offline form.");
  const { profile } = await validateFormAnswers(services.db, visitor.workspaceId, settings.offlineForm, request.fields);
  return commitConversationChange(services, async (tx) => {
    const own = await visitorContact(tx, visitor);
    const [contact] = await tx.select().from(contacts).where(eq(contacts.id, own.contactId)).for("update");
    if (!contact) throw new AppError("not_found", "This visitor's contact no longer exists.");
    if (contact.blockedAt) throw new AppError("visitor_banned", "This chat is not available to you.");
    const isVerified = await isVerifiedContact(tx, contact.id);
    const profileEvents = await applyProfile(tx, contact, profile, { isAuthoritative: false, isVerified });
    const [updated] = await tx.select({ email: contacts.email }).from(contacts).where(eq(contacts.id, contact.id));
    // The reply goes by email: without an address of the visitor's own there is nobody to write to.
    const replyTo = updated?.email ?? null;
    if (!replyTo) {
      throw new AppError("validation_failed", "Leave an email address for the reply.", [
        { path: "fields.email", message: "An email address is needed for the reply." },
      ]);
    }
    const continued = await findContinuableConversation(tx, {
      workspaceId: visitor.workspaceId,
      inboxId: visitor.inboxId,
      contactId: contact.id,
    });
    const started = continued
      ? { conversation: continued, events: [] }
      : await createConversation(tx, {
          workspaceId: visitor.workspaceId,
          inboxId: visitor.inboxId,
          contactId: contact.id,
          contactIdentityId: own.contactIdentityId,
        });
    const appended = await appendMessage(tx, {
      workspaceId: visitor.workspaceId,
      conversationId: started.conversation.id,
      senderType: "contact",
      senderId: contact.id,
      contentType: "text",
      text: request.message,
      clientId: request.clientId ?? `offline-${randomUUID()}`,
    });
    await tx
      .update(conversations)
      .set({
        channelState: sql`${conversations.channelState} || ${JSON.stringify({ followUpByEmail: true, offlineForm: true })}::jsonb`,
      })
      .where(eq(conversations.id, started.conversation.id));
    // A system line: it reaches the visitor without counting as an answer or ending the wait.
    const promise = await appendMessage(tx, {
      workspaceId: visitor.workspaceId,
      conversationId: started.conversation.id,
      senderType: "system",
      senderId: null,
      contentType: "system",
      text: `Thanks! We're away right now and will reply to ${replyTo} by email.`,
      content: { event: "offline_form", email: replyTo },
    });
    return {
      result: { conversationId: started.conversation.id, email: replyTo },
      events: [...own.events, ...profileEvents, ...started.events, ...appended.events, ...promise.events],
    };
  });
};

/**
 * An agent's public reply in a conversation kept for an email follow-up (offline form, or written
 * while nobody was online) also goes to the contact's email, in the same transaction.
 */
export const emailFollowUpHandler: DomainEventHandler = async (tx, event, services) => {
  if (event.type !== "message.created" || event.senderType !== "agent" || event.isPrivate) return undefined;
  const [row] = await tx
    .select({
      channelState: conversations.channelState,
      number: conversations.number,
      inboxType: inboxes.type,
      inboxName: inboxes.name,
      email: contacts.email,
      workspaceName: workspaces.name,
    })
    .from(conversations)
    .innerJoin(inboxes, eq(inboxes.id, conversations.inboxId))
    .innerJoin(contacts, eq(contacts.id, conversations.contactId))
    .innerJoin(workspaces, eq(workspaces.id, conversations.workspaceId))
    .where(and(eq(conversations.id, event.conversationId), eq(conversations.workspaceId, event.workspaceId)));
  if (row?.inboxType !== "website" || row.channelState.followUpByEmail !== true || !row.email) return undefined;
  const [message] = await tx
    .select({ text: messages.text, agentName: users.name })
    .from(messages)
    .leftJoin(users, eq(users.id, messages.senderId))
    .where(and(eq(messages.id, event.messageId), ne(messages.text, "")));
  if (!message) return undefined;
  await services.mailer.queue(tx, {
    to: row.email,
    workspaceId: event.workspaceId,
    ...renderMail({
      subject: `Re: your message to ${row.workspaceName} (#${row.number})`,
      heading: `${message.agentName ?? row.inboxName} replied`,
      paragraphs: [message.text],
      footer: `You receive this because you wrote to ${row.workspaceName} through the chat on their website while they were away.`,
    }),
  });
  return undefined;
};
