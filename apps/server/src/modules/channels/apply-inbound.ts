import { and, desc, eq, gte, inArray, isNull, lte, sql } from "drizzle-orm";
import type { DatabaseOrTransaction } from "../../platform/db.ts";
import type { DomainEvent } from "../../platform/domain-events.ts";
import type { FileStorage } from "../../platform/storage.ts";
import { contactIdentities, contacts } from "../contacts/contacts.tables.ts";
import { type ConversationServices, commitConversationChange } from "../conversations/commit-change.ts";
import { conversations } from "../conversations/conversations.tables.ts";
import { createConversation, findContinuableConversation, resolveContact } from "../conversations/start-conversation.ts";
import type { ConversationRow } from "../conversations/visibility.ts";
import { appendMessage } from "../messages/append-message.ts";
import { storeUpload } from "../messages/attachments.service.ts";
import { CHANNEL_PARTS_KEY } from "../messages/message-dto.ts";
import { type DeliveryStatus, messageEdits, messageReactions, messages } from "../messages/messages.tables.ts";
import { type ChannelInbox, ChannelSendError, type NormalizedEvent } from "./channel-adapter.ts";
import { applyProfilePicture } from "./profile-picture.ts";

type MessageEvent = Extract<NormalizedEvent, { kind: "message" }>;

/** Delivery only moves forward: a late "delivered" never undoes a "read". */
const DELIVERY_RANK: Record<DeliveryStatus, number> = { pending: 0, sent: 1, delivered: 2, read: 3, failed: 1 };

const messageByExternalId = async (tx: DatabaseOrTransaction, inboxId: string, externalId: string) => {
  const [row] = await tx
    .select()
    .from(messages)
    .where(and(eq(messages.inboxId, inboxId), eq(messages.externalId, externalId)));
  return row ?? null;
};

/** Statuses, reactions and quotes of a part come within days of the send; older parts are not searched. */
const PART_LOOKBACK_DAYS = 7;

/**
 * The message a platform id names, also when it is a part of a message sent as several platform
 * messages (only one part's id is the message's external id; the others are in its content).
 * The part search runs only when the direct match finds nothing, over the workspace's recent messages.
 */
const messageByPlatformId = async (
  tx: DatabaseOrTransaction,
  inbox: Pick<ChannelInbox, "id" | "workspaceId">,
  externalId: string,
) => {
  const direct = await messageByExternalId(tx, inbox.id, externalId);
  if (direct) return direct;
  const [part] = await tx
    .select()
    .from(messages)
    .where(
      and(
        eq(messages.workspaceId, inbox.workspaceId),
        gte(messages.createdAt, sql`now() - make_interval(days => ${PART_LOOKBACK_DAYS})`),
        eq(messages.inboxId, inbox.id),
        inArray(messages.senderType, ["agent", "bot"]),
        sql`${messages.content} -> ${CHANNEL_PARTS_KEY}::text @> ${JSON.stringify([{ externalId }])}::jsonb`,
      ),
    )
    .limit(1);
  return part ?? null;
};

const updatedEvent = (message: { workspaceId: string; conversationId: string; id: string }): DomainEvent => ({
  type: "message.updated",
  workspaceId: message.workspaceId,
  conversationId: message.conversationId,
  messageId: message.id,
});

/** Email threads and reply tokens pick their conversation; everything else continues the contact's latest. */
const conversationFor = async (
  tx: DatabaseOrTransaction,
  inbox: ChannelInbox,
  event: MessageEvent,
  contact: { contactId: string; contactIdentityId: string },
): Promise<{ conversation: ConversationRow; events: DomainEvent[] }> => {
  const inThisInbox = and(eq(conversations.inboxId, inbox.id), eq(conversations.workspaceId, inbox.workspaceId));
  if (event.conversationIdHint) {
    const [hinted] = await tx
      .select()
      .from(conversations)
      .where(and(inThisInbox, eq(conversations.id, event.conversationIdHint)));
    if (hinted && hinted.status !== "closed") return { conversation: hinted, events: [] };
  }
  if (event.threadExternalIds && event.threadExternalIds.length > 0) {
    const [threaded] = await tx
      .select({ conversation: conversations })
      .from(messages)
      .innerJoin(conversations, eq(conversations.id, messages.conversationId))
      .where(and(eq(messages.inboxId, inbox.id), inArray(messages.externalId, event.threadExternalIds)))
      .orderBy(desc(messages.seq))
      .limit(1);
    if (threaded && threaded.conversation.status !== "closed") return { conversation: threaded.conversation, events: [] };
    // A reply to a closed thread starts a new conversation rather than reviving the old one.
    if (threaded) return createConversation(tx, { workspaceId: inbox.workspaceId, inboxId: inbox.id, ...contact });
  }
  const continued = await findContinuableConversation(tx, {
    workspaceId: inbox.workspaceId,
    inboxId: inbox.id,
    contactId: contact.contactId,
  });
  if (continued) return { conversation: continued, events: [] };
  return createConversation(tx, { workspaceId: inbox.workspaceId, inboxId: inbox.id, ...contact });
};

/** Fills in what the platform told us about a contact without overwriting what agents entered. */
const fillContactProfile = async (tx: DatabaseOrTransaction, contactId: string, profile: MessageEvent["profile"]) => {
  if (!profile) return false;
  const [updated] = await tx
    .update(contacts)
    .set({
      name: sql`coalesce(${contacts.name}, ${profile.name ?? null})`,
      email: sql`coalesce(${contacts.email}, ${profile.email ?? null})`,
      phone: sql`coalesce(${contacts.phone}, ${profile.phone ?? null})`,
      avatarUrl: sql`coalesce(${contacts.avatarUrl}, ${profile.avatarUrl ?? null})`,
      updatedAt: new Date(),
    })
    .where(
      and(
        eq(contacts.id, contactId),
        sql`(${contacts.name} is null and ${profile.name ?? null}::text is not null
          or ${contacts.email} is null and ${profile.email ?? null}::text is not null
          or ${contacts.phone} is null and ${profile.phone ?? null}::text is not null
          or ${contacts.avatarUrl} is null and ${profile.avatarUrl ?? null}::text is not null)`,
      ),
    )
    .returning({ id: contacts.id });
  return updated !== undefined;
};

/** Media arrive with the message; they are copied into our storage so links never expire on us. */
const storeInboundMedia = async (
  services: ConversationServices,
  storage: FileStorage,
  inbox: ChannelInbox,
  contactId: string,
  event: MessageEvent,
): Promise<{ attachmentIds: string[]; notes: string[] }> => {
  const attachmentIds: string[] = [];
  const notes: string[] = [];
  for (const media of event.media ?? []) {
    let bytes: Buffer;
    try {
      ({ bytes } = await media.fetch());
    } catch (error) {
      // A file the platform will never serve (deleted, too large) must not hold back the message itself.
      if (!(error instanceof ChannelSendError) || error.retryable) throw error;
      notes.push(`[${media.fileName} was not kept: ${error.message}]`);
      continue;
    }
    if (bytes.length > services.config.maxUploadBytes) {
      notes.push(`[${media.fileName} was not kept: larger than ${Math.round(services.config.maxUploadBytes / 1_048_576)} MB]`);
      continue;
    }
    try {
      const stored = await storeUpload({ ...services, db: services.db }, storage, {
        workspaceId: inbox.workspaceId,
        uploadedByType: "contact",
        uploadedById: contactId,
        fileName: media.fileName,
        bytes,
      });
      attachmentIds.push(stored.id);
    } catch (error) {
      notes.push(`[${media.fileName} was not kept: ${error instanceof Error ? error.message : "unreadable"}]`);
    }
  }
  return { attachmentIds, notes };
};

const applyMessage = async (
  services: ConversationServices,
  storage: FileStorage,
  inbox: ChannelInbox,
  event: MessageEvent,
): Promise<void> => {
  // Redeliveries are common; checking first avoids fetching their media again.
  if (await messageByExternalId(services.db, inbox.id, event.externalId)) return;
  const contact = await services.db.transaction((tx) =>
    resolveContact(tx, {
      workspaceId: inbox.workspaceId,
      inboxId: inbox.id,
      sourceId: event.sourceId,
      profile: event.profile ?? {},
    }),
  );
  const [contactRow] = await services.db
    .select({ blockedAt: contacts.blockedAt })
    .from(contacts)
    .where(eq(contacts.id, contact.contactId));
  // A blocked contact's messages are not stored: blocking is how a business stops abuse.
  if (contactRow?.blockedAt) return;
  const { attachmentIds, notes } = await storeInboundMedia(services, storage, inbox, contact.contactId, event);
  const text = [event.text, ...notes].filter((part) => part !== "").join("\n");

  await commitConversationChange(services, async (tx) => {
    const profileChanged = contact.events.length === 0 && (await fillContactProfile(tx, contact.contactId, event.profile));
    const started = await conversationFor(tx, inbox, event, contact);
    const replyTo = event.replyToExternalId ? await messageByPlatformId(tx, inbox, event.replyToExternalId) : null;
    const isEcho = event.direction === "echo";
    const appended = await appendMessage(tx, {
      workspaceId: inbox.workspaceId,
      conversationId: started.conversation.id,
      senderType: isEcho ? "agent" : "contact",
      senderId: isEcho ? null : contact.contactId,
      contentType: event.contentType,
      text,
      content: { ...(event.content ?? {}), ...(isEcho ? { sentFromPlatform: true } : {}) },
      externalId: event.externalId,
      replyToId: replyTo && replyTo.conversationId === started.conversation.id ? replyTo.id : null,
      attachmentIds,
      attachmentOwnerId: contact.contactId,
      deliveryStatus: "sent",
    });
    const events: DomainEvent[] = [...contact.events, ...started.events, ...appended.events];
    if (profileChanged) events.push({ type: "contact.updated", workspaceId: inbox.workspaceId, contactId: contact.contactId });
    return { result: undefined, events };
  });
};

/** How long a status may wait for its message: a platform can report "sent" before our send job records the id. */
const STATUS_WAIT_MS = 5 * 60_000;

export class StatusBeforeMessage extends Error {
  constructor(externalId: string) {
    super(`no message with platform id ${externalId} yet; the status is applied once the send is recorded`);
    this.name = "StatusBeforeMessage";
  }
}

const applyStatus = async (
  services: ConversationServices,
  inbox: ChannelInbox,
  event: Extract<NormalizedEvent, { kind: "status" }>,
  receivedAt: Date,
) =>
  commitConversationChange(services, async (tx) => {
    const message = await messageByPlatformId(tx, inbox, event.externalId);
    if (!message) {
      // Young: retried by the job. Old: a message sent from elsewhere (another tool on the number); nothing to update.
      if (Date.now() - receivedAt.getTime() < STATUS_WAIT_MS) throw new StatusBeforeMessage(event.externalId);
      return { result: undefined, events: [] };
    }
    const moves =
      event.status === "failed"
        ? message.deliveryStatus === "pending" || message.deliveryStatus === "sent"
        : message.deliveryStatus !== "failed" && DELIVERY_RANK[event.status] > DELIVERY_RANK[message.deliveryStatus];
    if (!moves) return { result: undefined, events: [] };
    await tx
      .update(messages)
      .set({
        deliveryStatus: event.status,
        deliveryError: event.status === "failed" ? (event.error ?? "The platform could not deliver it.") : null,
      })
      .where(eq(messages.id, message.id));
    return { result: undefined, events: [updatedEvent(message)] };
  });

const identityOf = async (tx: DatabaseOrTransaction, inboxId: string, sourceId: string) => {
  const [identity] = await tx
    .select({ contactId: contactIdentities.contactId })
    .from(contactIdentities)
    .where(and(eq(contactIdentities.inboxId, inboxId), eq(contactIdentities.sourceId, sourceId)));
  return identity ?? null;
};

/** The contact read everything sent before `at`: our replies up to then become "read". */
const applyReadUpTo = async (
  services: ConversationServices,
  inbox: ChannelInbox,
  event: Extract<NormalizedEvent, { kind: "read_up_to" }>,
) =>
  commitConversationChange(services, async (tx) => {
    const identity = await identityOf(tx, inbox.id, event.sourceId);
    if (!identity) return { result: undefined, events: [] };
    const read = await tx
      .update(messages)
      .set({ deliveryStatus: "read" })
      .where(
        and(
          eq(messages.inboxId, inbox.id),
          inArray(messages.senderType, ["agent", "bot"]),
          eq(messages.isPrivate, false),
          inArray(messages.deliveryStatus, ["sent", "delivered"]),
          lte(messages.createdAt, event.at),
          inArray(
            messages.conversationId,
            tx
              .select({ id: conversations.id })
              .from(conversations)
              .where(and(eq(conversations.inboxId, inbox.id), eq(conversations.contactId, identity.contactId))),
          ),
        ),
      )
      .returning({ id: messages.id, workspaceId: messages.workspaceId, conversationId: messages.conversationId });
    return { result: undefined, events: read.map(updatedEvent) };
  });

const applyReaction = async (
  services: ConversationServices,
  inbox: ChannelInbox,
  event: Extract<NormalizedEvent, { kind: "reaction" }>,
) =>
  commitConversationChange(services, async (tx) => {
    const message = await messageByPlatformId(tx, inbox, event.targetExternalId);
    const identity = await identityOf(tx, inbox.id, event.sourceId);
    if (!message || !identity) return { result: undefined, events: [] };
    const byContact = and(
      eq(messageReactions.messageId, message.id),
      eq(messageReactions.reactorType, "contact"),
      eq(messageReactions.reactorId, identity.contactId),
    );
    // Platforms allow one reaction per person: a new one replaces the old, none removes it.
    await tx.delete(messageReactions).where(byContact);
    if (event.emoji) {
      await tx
        .insert(messageReactions)
        .values({ messageId: message.id, reactorType: "contact", reactorId: identity.contactId, emoji: event.emoji })
        .onConflictDoNothing();
    }
    return { result: undefined, events: [updatedEvent(message)] };
  });

const applyEdit = async (
  services: ConversationServices,
  inbox: ChannelInbox,
  event: Extract<NormalizedEvent, { kind: "edit" }>,
) =>
  commitConversationChange(services, async (tx) => {
    const message = await messageByExternalId(tx, inbox.id, event.externalId);
    if (!message || message.deletedAt || message.text === event.text) return { result: undefined, events: [] };
    await tx.insert(messageEdits).values({
      messageId: message.id,
      previousText: message.text,
      previousContent: message.content,
      editedByUserId: null,
    });
    await tx
      .update(messages)
      .set({ text: event.text, ...(event.content ? { content: event.content } : {}), editedAt: new Date() })
      .where(eq(messages.id, message.id));
    return { result: undefined, events: [updatedEvent(message)] };
  });

const applyDelete = async (
  services: ConversationServices,
  inbox: ChannelInbox,
  event: Extract<NormalizedEvent, { kind: "delete" }>,
) =>
  commitConversationChange(services, async (tx) => {
    const message = await messageByExternalId(tx, inbox.id, event.externalId);
    if (!message) return { result: undefined, events: [] };
    const [deleted] = await tx
      .update(messages)
      .set({ deletedAt: new Date() })
      .where(and(eq(messages.id, message.id), isNull(messages.deletedAt)))
      .returning({ id: messages.id });
    return { result: undefined, events: deleted ? [updatedEvent(message)] : [] };
  });

const applyProfile = async (
  services: ConversationServices,
  storage: FileStorage,
  inbox: ChannelInbox,
  event: Extract<NormalizedEvent, { kind: "profile" }>,
) => {
  await commitConversationChange(services, async (tx) => {
    const identity = await identityOf(tx, inbox.id, event.sourceId);
    if (!identity || !(await fillContactProfile(tx, identity.contactId, event.profile))) return { result: undefined, events: [] };
    return {
      result: undefined,
      events: [{ type: "contact.updated", workspaceId: inbox.workspaceId, contactId: identity.contactId }],
    };
  });
  if (event.picture) await applyProfilePicture(services, storage, inbox, event.sourceId, event.picture);
};

/** Applies one platform event to the conversation model; every kind is idempotent. */
export const applyInboundEvent = async (
  services: ConversationServices,
  storage: FileStorage,
  inbox: ChannelInbox,
  event: NormalizedEvent,
  receivedAt: Date = new Date(),
): Promise<void> => {
  switch (event.kind) {
    case "message":
      return applyMessage(services, storage, inbox, event);
    case "status":
      return applyStatus(services, inbox, event, receivedAt);
    case "read_up_to":
      return applyReadUpTo(services, inbox, event);
    case "reaction":
      return applyReaction(services, inbox, event);
    case "edit":
      return applyEdit(services, inbox, event);
    case "delete":
      return applyDelete(services, inbox, event);
    case "profile":
      return applyProfile(services, storage, inbox, event);
  }
};
