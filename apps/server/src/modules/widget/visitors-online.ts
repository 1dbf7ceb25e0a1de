import type { TMessage } from "@parley/shared";
import { and, desc, eq, inArray, isNull, like } from "drizzle-orm";
import type { Socket } from "socket.io";
import { AppError, isAppError } from "../../platform/errors.ts";
import type { RequestIdentity } from "../../platform/identity.ts";
import { rooms, type VisitorIdentity } from "../../platform/realtime.ts";
import { contactIdentities, contacts } from "../contacts/contacts.tables.ts";
import { type ConversationServices, commitConversationChange } from "../conversations/commit-change.ts";
import { createConversation, findContinuableConversation } from "../conversations/start-conversation.ts";
import { inboxRoomsFor } from "../conversations/visibility.ts";
import { inboxes } from "../inboxes/inboxes.tables.ts";
import { appendMessage } from "../messages/append-message.ts";
import { toMessageDtos } from "../messages/message-dto.ts";
import { assertVisitorAllowed } from "./visitor-activity.ts";
import { VERIFIED_SOURCE_PREFIX } from "./visitor-session.ts";
import { visitorVisits } from "./visitors.tables.ts";
import { toVisitDto } from "./visits.ts";

const NO_INBOX = "00000000-0000-0000-0000-000000000000";

const announce = async (services: ConversationServices, visitor: VisitorIdentity): Promise<void> => {
  const visitors = await services.realtime.countVisitors(visitor.inboxId);
  services.realtime.emitToAgents([rooms.inbox(visitor.inboxId), rooms.allConversations(visitor.workspaceId)], "visitors.online", {
    inboxId: visitor.inboxId,
    visitors,
  });
};

/**
 * A banned visitor may still hold a visitor token from before the ban: their reopened widget is
 * told and closed at once (each event is also checked, for the moment in between).
 */
export const closeBannedWidget = (socket: Socket, visitor: VisitorIdentity, services: ConversationServices): void => {
  void assertVisitorAllowed(services, visitor, socket).catch((error: unknown) => {
    if (isAppError(error) && error.code === "visitor_banned") {
      socket.emit("visitor.banned", { code: "visitor_banned" });
      socket.disconnect(true);
      return;
    }
    services.logger.warn({ err: error }, "could not check a widget socket against bans");
  });
};

/** The least time between two counts of one inbox's visitors: a reconnect storm costs a few counts, not one per socket. */
const ANNOUNCE_EVERY_MS = 250;

/** Per realtime gateway and inbox: a count window is open, and whether a change waits for its end. */
const announceWindows = new WeakMap<object, Map<string, { hasChangeWaiting: boolean }>>();

/**
 * Counts and announces at once when the inbox was quiet, else once at the end of the window;
 * counting walks every widget socket of the inbox, so it must not run once per connection.
 */
const scheduleAnnounce = (services: ConversationServices, visitor: VisitorIdentity): void => {
  let windows = announceWindows.get(services.realtime);
  if (!windows) {
    windows = new Map();
    announceWindows.set(services.realtime, windows);
  }
  const open = windows.get(visitor.inboxId);
  if (open) {
    open.hasChangeWaiting = true;
    return;
  }
  const countWindow = { hasChangeWaiting: false };
  windows.set(visitor.inboxId, countWindow);
  const report = () =>
    announce(services, visitor).catch((error: unknown) =>
      services.logger.warn({ err: error }, "could not count visitors online"),
    );
  const closeWindow = () => {
    if (countWindow.hasChangeWaiting) {
      countWindow.hasChangeWaiting = false;
      void report();
      setTimeout(closeWindow, ANNOUNCE_EVERY_MS).unref();
    } else windows.delete(visitor.inboxId);
  };
  void report();
  setTimeout(closeWindow, ANNOUNCE_EVERY_MS).unref();
};

/** Agents of an inbox hear its visitor count change as widgets open and close. */
export const announceVisitorsOnline = (socket: Socket, visitor: VisitorIdentity, services: ConversationServices): void => {
  scheduleAnnounce(services, visitor);
  socket.on("disconnect", () => scheduleAnnounce(services, visitor));
};

const visibleWebsiteInboxes = async (services: ConversationServices, identity: RequestIdentity) => {
  const visible = await inboxRoomsFor(services.db, identity);
  return services.db
    .select({ id: inboxes.id, name: inboxes.name })
    .from(inboxes)
    .where(
      and(
        eq(inboxes.workspaceId, identity.workspaceId),
        eq(inboxes.type, "website"),
        isNull(inboxes.deletedAt),
        visible === "all" ? undefined : inArray(inboxes.id, visible.length > 0 ? visible : [NO_INBOX]),
      ),
    );
};

/** Who is on the sites right now, per website inbox the caller works, with each visitor's current visit. */
export const visitorsOnline = async (services: ConversationServices, identity: RequestIdentity) => {
  const websiteInboxes = await visibleWebsiteInboxes(services, identity);
  const online = await Promise.all(
    websiteInboxes.map(async (inbox) => ({ inbox, visitorIds: await services.realtime.onlineVisitorIds(inbox.id) })),
  );
  const visitors = [];
  for (const { inbox, visitorIds } of online) {
    if (visitorIds.length === 0) continue;
    const known = await services.db
      .select({
        visitorId: contactIdentities.sourceId,
        contactId: contacts.id,
        name: contacts.name,
        email: contacts.email,
      })
      .from(contactIdentities)
      .innerJoin(contacts, eq(contacts.id, contactIdentities.contactId))
      .where(and(eq(contactIdentities.inboxId, inbox.id), inArray(contactIdentities.sourceId, visitorIds)));
    const contactIds = known.map((row) => row.contactId);
    const verified = contactIds.length
      ? await services.db
          .select({ contactId: contactIdentities.contactId })
          .from(contactIdentities)
          .where(
            and(inArray(contactIdentities.contactId, contactIds), like(contactIdentities.sourceId, `${VERIFIED_SOURCE_PREFIX}%`)),
          )
      : [];
    const verifiedIds = new Set(verified.map((row) => row.contactId));
    const visits = contactIds.length
      ? await services.db
          .selectDistinctOn([visitorVisits.contactId])
          .from(visitorVisits)
          .where(and(eq(visitorVisits.inboxId, inbox.id), inArray(visitorVisits.contactId, contactIds)))
          .orderBy(visitorVisits.contactId, desc(visitorVisits.startedAt))
      : [];
    const visitByContact = new Map(visits.map((visit) => [visit.contactId, visit]));
    for (const row of known) {
      const visit = visitByContact.get(row.contactId);
      visitors.push({
        visitorId: row.visitorId,
        inboxId: inbox.id,
        contact: { id: row.contactId, name: row.name, email: row.email, isVerified: verifiedIds.has(row.contactId) },
        visit: visit ? toVisitDto(visit) : null,
      });
    }
  }
  const items = online.map(({ inbox, visitorIds }) => ({ inboxId: inbox.id, name: inbox.name, visitors: visitorIds.length }));
  return { items, total: items.reduce((sum, item) => sum + item.visitors, 0), visitors };
};

/**
 * An agent opens a chat with a visitor on the site: the conversation starts (or continues) with
 * the agent's message, which reaches the visitor's open widget live.
 */
export const startChatWithVisitor = async (
  services: ConversationServices,
  identity: RequestIdentity,
  input: { contactId: string; message: string; inboxId?: string | undefined },
): Promise<{ conversationId: string; message: TMessage }> => {
  if (!identity.userId) throw new AppError("forbidden", "Only a member can start a chat with a visitor.");
  const userId = identity.userId;
  const allowed = new Set((await visibleWebsiteInboxes(services, identity)).map((inbox) => inbox.id));
  const identities = await services.db
    .select({ id: contactIdentities.id, inboxId: contactIdentities.inboxId, sourceId: contactIdentities.sourceId })
    .from(contactIdentities)
    .innerJoin(contacts, eq(contacts.id, contactIdentities.contactId))
    .where(
      and(
        eq(contactIdentities.contactId, input.contactId),
        eq(contactIdentities.workspaceId, identity.workspaceId),
        isNull(contacts.mergedIntoId),
      ),
    );
  const candidates = identities.filter(
    (row) =>
      allowed.has(row.inboxId) &&
      !row.sourceId.startsWith(VERIFIED_SOURCE_PREFIX) &&
      (!input.inboxId || row.inboxId === input.inboxId),
  );
  if (candidates.length === 0) throw new AppError("not_found", "No visitor of your website inboxes is this contact.");
  // The visitor whose widget is open now; otherwise the one seen last.
  let chosen = candidates[0];
  for (const candidate of candidates) {
    const online = await services.realtime.onlineVisitorIds(candidate.inboxId);
    if (online.includes(candidate.sourceId)) {
      chosen = candidate;
      break;
    }
  }
  if (!chosen) throw new AppError("not_found", "No visitor of your website inboxes is this contact.");
  const target = chosen;
  const outcome = await commitConversationChange(services, async (tx) => {
    const [contact] = await tx.select({ blockedAt: contacts.blockedAt }).from(contacts).where(eq(contacts.id, input.contactId));
    if (contact?.blockedAt) throw new AppError("conflict", "This contact is blocked.", undefined, { reason: "contact_blocked" });
    const continued = await findContinuableConversation(tx, {
      workspaceId: identity.workspaceId,
      inboxId: target.inboxId,
      contactId: input.contactId,
    });
    const started = continued
      ? { conversation: continued, events: [] }
      : await createConversation(tx, {
          workspaceId: identity.workspaceId,
          inboxId: target.inboxId,
          contactId: input.contactId,
          contactIdentityId: target.id,
        });
    const appended = await appendMessage(tx, {
      workspaceId: identity.workspaceId,
      conversationId: started.conversation.id,
      senderType: "agent",
      senderId: userId,
      contentType: "text",
      text: input.message,
      content: { proactive: true },
    });
    return {
      result: { conversationId: started.conversation.id, message: appended.message },
      events: [...started.events, ...appended.events],
    };
  });
  const [message] = await toMessageDtos(services.db, services, [outcome.message]);
  if (!message) throw new Error("stored message could not be read back");
  return { conversationId: outcome.conversationId, message };
};
