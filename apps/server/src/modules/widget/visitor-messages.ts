import type { TMessage } from "@parley/shared";
import { and, eq } from "drizzle-orm";
import type { DatabaseOrTransaction } from "../../platform/db.ts";
import type { DomainEvent } from "../../platform/domain-events.ts";
import { AppError } from "../../platform/errors.ts";
import type { VisitorIdentity } from "../../platform/realtime.ts";
import { contactIdentities, contacts } from "../contacts/contacts.tables.ts";
import { type ConversationServices, commitConversationChange, conversationOfVisitor } from "../conversations/commit-change.ts";
import { conversations } from "../conversations/conversations.tables.ts";
import { createConversation, findContinuableConversation, resolveContact } from "../conversations/start-conversation.ts";
import { inboxes } from "../inboxes/inboxes.tables.ts";
import { appendMessage } from "../messages/append-message.ts";
import { toMessageDtos } from "../messages/message-dto.ts";
import { messagesAfter } from "../messages/messages.service.ts";
import { teams } from "../teams/teams.tables.ts";
import { findOpenGreeting, markFiringEngaged } from "./trigger-firings.ts";

/**
 * A visitor writes from the widget: their contact and conversation are created on the first
 * message, a resolved conversation reopens, a closed one is followed by a new one.
 */
export const sendVisitorMessage = async (
  services: ConversationServices,
  visitor: VisitorIdentity,
  request: { clientId: string; text: string; attachmentIds: string[]; triggerFiringId?: string | undefined },
): Promise<{ message: TMessage; conversationId: string; isDuplicate: boolean }> => {
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
