import { and, desc, eq, isNotNull, isNull, max, ne, sql } from "drizzle-orm";
import { z } from "zod";
import type { DatabaseOrTransaction } from "../../platform/db.ts";
import type { DomainEvent, DomainEventHandler } from "../../platform/domain-events.ts";
import { AppError } from "../../platform/errors.ts";
import { enqueueJob } from "../../platform/queue/enqueue.ts";
import { defineTask, type TaskContext } from "../../platform/queue/tasks.ts";
import { users } from "../auth/auth.tables.ts";
import { contactIdentities } from "../contacts/contacts.tables.ts";
import { commitConversationChange } from "../conversations/commit-change.ts";
import { conversations } from "../conversations/conversations.tables.ts";
import { inboxes } from "../inboxes/inboxes.tables.ts";
import { signedAttachmentUrl } from "../messages/attachment-urls.ts";
import { CHANNEL_PARTS_KEY, publicContentOf } from "../messages/message-dto.ts";
import { attachments, messages } from "../messages/messages.tables.ts";
import { ChannelSendError, type NormalizedOutbound, type SentPart } from "./channel-adapter.ts";
import { toChannelInbox } from "./channel-inboxes.ts";
import { adapterForInboxType } from "./channel-registry.ts";
import { channelContextOf } from "./process-event.task.ts";

export const SEND_MESSAGE_TASK = "channels.send_message";
const SEND_MAX_ATTEMPTS = 6;
/** Where the send records delivered parts in the message's content, as a bound parameter. */
const partsKey = sql`${CHANNEL_PARTS_KEY}::text`;

const lastInboundAt = async (tx: DatabaseOrTransaction, conversationId: string): Promise<Date | null> => {
  const [row] = await tx
    .select({ at: max(messages.createdAt) })
    .from(messages)
    .where(and(eq(messages.conversationId, conversationId), eq(messages.senderType, "contact")));
  return row?.at ?? null;
};

/**
 * An agent's or bot's public reply in a platform inbox leaves through the platform: checked now
 * (so a message the platform would refuse is refused to the agent at once), marked pending and
 * queued in the same transaction. Messages that came from the platform (echoes) carry an external
 * id already and are not sent back.
 */
export const queueChannelSend: DomainEventHandler = async (tx, event) => {
  if (event.type !== "message.created" || event.isPrivate) return;
  if (event.senderType !== "agent" && event.senderType !== "bot") return;
  const [row] = await tx
    .select({ message: messages, inbox: inboxes })
    .from(messages)
    .innerJoin(inboxes, eq(inboxes.id, messages.inboxId))
    .where(eq(messages.id, event.messageId));
  if (!row || row.message.externalId !== null) return;
  const adapter = adapterForInboxType(row.inbox.type);
  if (!adapter) return;
  if (row.inbox.channelStatus !== "connected" && row.inbox.channelStatus !== "expiring") {
    throw new AppError(
      "channel_not_connected",
      `The ${row.inbox.name} inbox is not connected to its platform, so this reply could not be sent. Reconnect it in the inbox settings.`,
    );
  }
  adapter.checkSendable?.(
    {
      contentType: row.message.contentType,
      content: row.message.content,
      lastInboundAt: await lastInboundAt(tx, row.message.conversationId),
    },
    {
      id: row.inbox.id,
      workspaceId: row.inbox.workspaceId,
      type: row.inbox.type,
      name: row.inbox.name,
      channelKey: row.inbox.channelKey,
      config: row.inbox.channelConfig,
      secrets: {},
    },
  );
  // Parts are recorded by the send job alone; whatever a client put under that key is not a record of ours.
  await tx
    .update(messages)
    .set({ deliveryStatus: "pending", deliveryError: null, content: sql`${messages.content} - ${partsKey}` })
    .where(eq(messages.id, row.message.id));
  await enqueueJob(tx, sendChannelMessageTask, { messageId: row.message.id });
  return undefined;
};

const updatedEvent = (message: { workspaceId: string; conversationId: string; id: string }): DomainEvent => ({
  type: "message.updated",
  workspaceId: message.workspaceId,
  conversationId: message.conversationId,
  messageId: message.id,
});

const ZSentParts = z.array(z.object({ index: z.number().int().nonnegative(), externalId: z.string().min(1) }));

/** The parts an earlier attempt delivered, as recorded in the message's content. */
const sentPartsOf = (content: Record<string, unknown>): SentPart[] => {
  const parsed = ZSentParts.safeParse(content[CHANNEL_PARTS_KEY]);
  return parsed.success ? parsed.data : [];
};

/** Records one delivered part at once (outside any transaction), so a failure of the next part cannot lose it. */
const recordSentPart = async (context: TaskContext, messageId: string, part: SentPart) => {
  await context.db
    .update(messages)
    .set({
      content: sql`jsonb_set(${messages.content}, array[${partsKey}], coalesce(${messages.content} -> ${partsKey}, '[]'::jsonb) || ${JSON.stringify([part])}::jsonb)`,
    })
    .where(eq(messages.id, messageId));
};

/** Everything an adapter needs to send one message, read in a handful of queries. */
const loadOutbound = async (context: TaskContext, messageId: string) => {
  const { db } = context;
  const [row] = await db
    .select({ message: messages, conversation: conversations, inbox: inboxes, sourceId: contactIdentities.sourceId })
    .from(messages)
    .innerJoin(conversations, eq(conversations.id, messages.conversationId))
    .innerJoin(inboxes, eq(inboxes.id, messages.inboxId))
    .leftJoin(
      contactIdentities,
      and(eq(contactIdentities.contactId, conversations.contactId), eq(contactIdentities.inboxId, conversations.inboxId)),
    )
    .where(eq(messages.id, messageId))
    .limit(1);
  if (!row) return null;
  const files = await db.select().from(attachments).where(eq(attachments.messageId, messageId));
  const [replyTo] = row.message.replyToId
    ? await db.select({ externalId: messages.externalId }).from(messages).where(eq(messages.id, row.message.replyToId))
    : [];
  // The newest 100, oldest first: a long thread's In-Reply-To must name its latest message.
  const thread = (
    await db
      .select({ externalId: messages.externalId, content: messages.content })
      .from(messages)
      .where(and(eq(messages.conversationId, row.conversation.id), isNotNull(messages.externalId), isNull(messages.deletedAt)))
      .orderBy(desc(messages.seq))
      .limit(100)
  ).reverse();
  const [sender] = row.message.senderId
    ? await db.select({ name: users.name }).from(users).where(eq(users.id, row.message.senderId))
    : [];
  const storage = channelContextOf(context).storage;
  const subject = thread.map((message) => message.content.subject).find((value) => typeof value === "string");
  const outbound: NormalizedOutbound = {
    messageId,
    recipientId: row.sourceId ?? "",
    contentType: row.message.contentType,
    text: row.message.text,
    content: publicContentOf(row.message.content),
    attachments: files.map((file) => ({
      fileName: file.fileName,
      contentType: file.contentType,
      byteSize: file.byteSize,
      url: signedAttachmentUrl(context, file.id, "original"),
      read: async () => {
        const stored = await storage.get(file.storageKey);
        if (!stored) throw new ChannelSendError({ message: `The file ${file.fileName} is no longer stored.`, retryable: false });
        const chunks: Buffer[] = [];
        for await (const chunk of stored.body) chunks.push(Buffer.from(chunk as Uint8Array));
        return Buffer.concat(chunks);
      },
    })),
    replyToExternalId: replyTo?.externalId ?? null,
    lastInboundAt: await lastInboundAt(db, row.conversation.id),
    conversation: {
      id: row.conversation.id,
      number: row.conversation.number,
      subject: typeof subject === "string" ? subject : null,
    },
    threadExternalIds: thread.flatMap((message) => (message.externalId ? [message.externalId] : [])),
    sender: { type: row.message.senderType === "bot" ? "bot" : "agent", name: sender?.name ?? null },
    partsAlreadySent: sentPartsOf(row.message.content),
    onPartSent: (part) => recordSentPart(context, messageId, part),
  };
  return { row, outbound };
};

const settle = async (
  context: TaskContext,
  message: { id: string; workspaceId: string; conversationId: string; inboxId: string },
  change: { externalId: string } | { error: string },
) =>
  commitConversationChange(context, async (tx) => {
    const events: DomainEvent[] = [];
    if ("externalId" in change) {
      // The platform's echo of this very send may have been stored first, as a copy from the
      // platform's app: the copy steps aside so the message is shown once, as ours.
      const echoes = await tx
        .update(messages)
        .set({ externalId: null, deletedAt: new Date() })
        .where(
          and(
            eq(messages.inboxId, message.inboxId),
            eq(messages.externalId, change.externalId),
            ne(messages.id, message.id),
            sql`${messages.content} ->> 'sentFromPlatform' = 'true'`,
          ),
        )
        .returning({ id: messages.id, workspaceId: messages.workspaceId, conversationId: messages.conversationId });
      events.push(...echoes.map(updatedEvent));
    }
    const [updated] = await tx
      .update(messages)
      .set(
        "externalId" in change
          ? {
              externalId: change.externalId,
              deliveryStatus: "sent",
              deliveryError: null,
              // A one-part message's only part is its external id; several stay, so statuses of each part find it.
              content: sql`case when jsonb_typeof(${messages.content} -> ${partsKey}) = 'array'
                then case when jsonb_array_length(${messages.content} -> ${partsKey}) > 1 then ${messages.content} else ${messages.content} - ${partsKey} end
                else ${messages.content} - ${partsKey} end`,
            }
          : { deliveryStatus: "failed", deliveryError: change.error.slice(0, 1000) },
      )
      // A status webhook may already have moved it on (delivered, read); never move it back.
      .where(and(eq(messages.id, message.id), eq(messages.deliveryStatus, "pending")))
      .returning({ id: messages.id });
    if (updated) events.push(updatedEvent(message));
    return { result: undefined, events };
  });

/** Sends one queued message; platform refusals fail it with the platform's reason for the agent to see. */
export const sendChannelMessageTask = defineTask({
  name: SEND_MESSAGE_TASK,
  payload: z.object({ messageId: z.uuid() }),
  maxAttempts: SEND_MAX_ATTEMPTS,
  run: async ({ messageId }, context) => {
    const loaded = await loadOutbound(context, messageId);
    if (!loaded) return;
    const { row, outbound } = loaded;
    if (row.message.deliveryStatus !== "pending" || row.message.deletedAt) return;
    const adapter = adapterForInboxType(row.inbox.type);
    if (!adapter) return settle(context, row.message, { error: "This inbox's platform is no longer supported." });
    if (!outbound.recipientId) return settle(context, row.message, { error: "The contact has no address on this channel." });
    try {
      const sent = await adapter.send(outbound, toChannelInbox(context, row.inbox), channelContextOf(context));
      await settle(context, row.message, { externalId: sent.externalId });
    } catch (error) {
      const sendError =
        error instanceof ChannelSendError
          ? error
          : new ChannelSendError({ message: "Sending failed unexpectedly.", retryable: true });
      if (!(error instanceof ChannelSendError)) context.logger.error({ err: error, messageId }, "channel send failed");
      if (sendError.code === "channel_auth") await markChannelError(context, row.inbox.id, sendError.message);
      if (sendError.retryable && context.attempt < context.maxAttempts) throw sendError;
      await settle(context, row.message, { error: sendError.message });
    }
  },
});

/** The platform refused our credentials: admins see the inbox in error with the platform's words. */
export const markChannelError = async (context: Pick<TaskContext, "db">, inboxId: string, reason: string) => {
  await context.db
    .update(inboxes)
    .set({ channelStatus: "error", channelError: reason.slice(0, 1000), updatedAt: new Date() })
    .where(eq(inboxes.id, inboxId));
};

/** An agent retries a failed message: it goes back to pending and is queued again. */
export const retryChannelMessage = async (
  context: Parameters<typeof commitConversationChange>[0],
  workspaceId: string,
  message: { id: string; conversationId: string },
) =>
  commitConversationChange(context, async (tx) => {
    const [row] = await tx
      .update(messages)
      .set({ deliveryStatus: "pending", deliveryError: null })
      .where(
        and(
          eq(messages.id, message.id),
          eq(messages.workspaceId, workspaceId),
          eq(messages.deliveryStatus, "failed"),
          isNull(messages.externalId),
          sql`${messages.senderType} in ('agent', 'bot')`,
        ),
      )
      .returning({ id: messages.id, inboxId: messages.inboxId });
    if (!row) {
      throw new AppError("conflict", "Only a failed reply that never reached the platform can be retried.", undefined, {
        reason: "reply_not_retryable",
      });
    }
    const [inbox] = await tx.select().from(inboxes).where(eq(inboxes.id, row.inboxId));
    if (!inbox || !adapterForInboxType(inbox.type)) {
      throw new AppError("conflict", "This message was not sent through a platform.", undefined, {
        reason: "reply_not_retryable",
      });
    }
    if (inbox.channelStatus !== "connected" && inbox.channelStatus !== "expiring") {
      throw new AppError("channel_not_connected", `Reconnect the ${inbox.name} inbox to its platform first.`);
    }
    await enqueueJob(tx, sendChannelMessageTask, { messageId: row.id });
    return { result: undefined, events: [updatedEvent({ id: row.id, workspaceId, conversationId: message.conversationId })] };
  });
