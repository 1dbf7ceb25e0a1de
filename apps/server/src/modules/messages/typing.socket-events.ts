import { ZSneakPeekRequest, ZTypingEvent, ZVisitorTypingRequest } from "@parley/shared";
import { and, desc, eq, ne } from "drizzle-orm";
import type { Socket } from "socket.io";
import { z } from "zod";
import { AppError } from "../../platform/errors.ts";
import type { RequestIdentity } from "../../platform/identity.ts";
import { rooms, type VisitorIdentity } from "../../platform/realtime.ts";
import { allowVisitor, defineSocketEvent, requireSocketPermission } from "../../platform/socket-events.ts";
import { users } from "../auth/auth.tables.ts";
import { contactIdentities, contacts } from "../contacts/contacts.tables.ts";
import { type ConversationServices, conversationOfVisitor } from "../conversations/commit-change.ts";
import { conversations } from "../conversations/conversations.tables.ts";
import { findVisibleConversation } from "../conversations/visibility.ts";
import { inboxes } from "../inboxes/inboxes.tables.ts";

/** Agent rooms that may see a conversation (same rule as the fan-out after commits). */
const agentRoomsOf = (conversation: { workspaceId: string; inboxId: string; assigneeId: string | null }): string[] => [
  rooms.inbox(conversation.inboxId),
  rooms.allConversations(conversation.workspaceId),
  ...(conversation.assigneeId ? [rooms.user(conversation.assigneeId)] : []),
];

/** The agent-side typing payload; `isPrivate` means a note is being written (agents only are told). */
const ZAgentTyping = ZTypingEvent.extend({ isPrivate: z.boolean().default(false) });

/** The visitor's conversation a typing event is about: the one named, else their latest open one. */
const visitorConversation = async (services: ConversationServices, visitor: VisitorIdentity, conversationId?: string) => {
  if (conversationId) {
    const own = await conversationOfVisitor(services.db, { ...visitor, conversationId });
    if (!own) throw new AppError("not_found", "No conversation of yours with this id.");
  }
  const [row] = await services.db
    .select({
      id: conversations.id,
      workspaceId: conversations.workspaceId,
      inboxId: conversations.inboxId,
      assigneeId: conversations.assigneeId,
      contactId: conversations.contactId,
      contactName: contacts.name,
    })
    .from(conversations)
    .innerJoin(contactIdentities, eq(contactIdentities.id, conversations.contactIdentityId))
    .innerJoin(contacts, eq(contacts.id, conversations.contactId))
    .where(
      and(
        eq(conversations.workspaceId, visitor.workspaceId),
        eq(contactIdentities.inboxId, visitor.inboxId),
        eq(contactIdentities.sourceId, visitor.visitorId),
        conversationId ? eq(conversations.id, conversationId) : ne(conversations.status, "closed"),
      ),
    )
    .orderBy(desc(conversations.createdAt))
    .limit(1);
  return row ?? null;
};

/** Agent typing indicators: to the visitor (public replies only) and the conversation's other agents. */
export const agentTypingEvents = (services: ConversationServices) => [
  defineSocketEvent({
    name: "typing",
    authorize: requireSocketPermission("authenticated"),
    payload: ZAgentTyping,
    ratePerSecond: 5,
    handle: async (identity: RequestIdentity, request, socket: Socket) => {
      if (identity.userId === null) throw new AppError("forbidden", "API keys have no typing indicator.");
      const conversation = await findVisibleConversation(services.db, identity, request.conversationId);
      const [user] = await services.db.select({ name: users.name }).from(users).where(eq(users.id, identity.userId));
      const name = user?.name ?? null;
      // socket.to(...) reaches every other agent socket in those rooms, never the sender's own.
      socket.to(agentRoomsOf(conversation)).emit("typing", {
        conversationId: conversation.id,
        actor: { type: "agent", id: identity.userId, name },
        isTyping: request.isTyping,
      });
      if (!request.isPrivate && conversation.contactIdentityId) {
        const [visitor] = await services.db
          .select({ inboxId: contactIdentities.inboxId, sourceId: contactIdentities.sourceId, inboxType: inboxes.type })
          .from(contactIdentities)
          .innerJoin(inboxes, eq(inboxes.id, contactIdentities.inboxId))
          .where(eq(contactIdentities.id, conversation.contactIdentityId));
        if (visitor?.inboxType === "website") {
          services.realtime.emitToVisitors(rooms.visitor(visitor.inboxId, visitor.sourceId), "typing", {
            conversationId: conversation.id,
            agentName: name,
            isTyping: request.isTyping,
          });
        }
      }
      return { conversationId: conversation.id };
    },
  }),
];

/** Visitor typing and sneak peek (the draft as it is typed): to agents only. */
export const visitorTypingEvents = (services: ConversationServices) => [
  defineSocketEvent({
    name: "typing",
    authorize: allowVisitor,
    payload: ZVisitorTypingRequest,
    ratePerSecond: 5,
    handle: async (visitor: VisitorIdentity, request) => {
      const conversation = await visitorConversation(services, visitor, request.conversationId);
      if (!conversation) return { conversationId: null };
      services.realtime.emitToAgents(agentRoomsOf(conversation), "typing", {
        conversationId: conversation.id,
        actor: { type: "contact", id: conversation.contactId, name: conversation.contactName },
        isTyping: request.isTyping,
      });
      return { conversationId: conversation.id };
    },
  }),
  defineSocketEvent({
    name: "sneak_peek",
    authorize: allowVisitor,
    payload: ZSneakPeekRequest,
    // At most two drafts a second per socket; more get rate_limited acks.
    ratePerSecond: 2,
    handle: async (visitor: VisitorIdentity, request) => {
      const conversation = await visitorConversation(services, visitor, request.conversationId);
      if (!conversation) return { conversationId: null };
      services.realtime.emitToAgents(agentRoomsOf(conversation), "sneak_peek", {
        conversationId: conversation.id,
        text: request.text,
      });
      return { conversationId: conversation.id };
    },
  }),
];
