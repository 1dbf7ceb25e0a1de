import type { TMessage } from "@parley/shared";
import { and, eq } from "drizzle-orm";
import { AppError } from "../../platform/errors.ts";
import type { VisitorIdentity } from "../../platform/realtime.ts";
import { contactIdentities, contacts } from "../contacts/contacts.tables.ts";
import { type ConversationServices, commitConversationChange, conversationOfVisitor } from "../conversations/commit-change.ts";
import { createConversation, findContinuableConversation, resolveContact } from "../conversations/start-conversation.ts";
import { inboxes } from "../inboxes/inboxes.tables.ts";
import { appendMessage } from "../messages/append-message.ts";
import { toMessageDtos } from "../messages/message-dto.ts";
import { messagesAfter } from "../messages/messages.service.ts";

/**
 * A visitor writes from the widget: their contact and conversation are created on the first
 * message, a resolved conversation reopens, a closed one is followed by a new one.
 */
export const sendVisitorMessage = async (
  services: ConversationServices,
  visitor: VisitorIdentity,
  request: { clientId: string; text: string; attachmentIds: string[] },
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
      events: [...contact.events, ...started.events, ...appended.events],
    };
  });
  const [message] = await toMessageDtos(services.db, services, [outcome.message]);
  if (!message) throw new Error("stored message could not be read back");
  return { message, conversationId: outcome.conversationId, isDuplicate: outcome.isDuplicate };
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
