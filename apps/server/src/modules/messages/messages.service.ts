import type { TMessage, TMessagePage, TSendMessageRequest, ZMessageHistoryQuery } from "@parley/shared";
import { and, asc, desc, eq, gt, gte, lt } from "drizzle-orm";
import type { z } from "zod";
import type { DatabaseOrTransaction } from "../../platform/db.ts";
import { AppError } from "../../platform/errors.ts";
import type { RequestIdentity } from "../../platform/identity.ts";
import { type AuditActor, publishAudit } from "../audit/audit.service.ts";
import { type ConversationServices, commitConversationChange } from "../conversations/commit-change.ts";
import { findVisibleConversation } from "../conversations/visibility.ts";
import { takeOnReply } from "../routing/assignment.service.ts";
import { appendMessage } from "./append-message.ts";
import { toMessageDtos } from "./message-dto.ts";
import { messages } from "./messages.tables.ts";

/**
 * An agent (or an API key, as a bot) writes in a conversation they can see. Sending again with
 * the same clientId returns the stored message and changes nothing. A member's reply to an
 * unassigned conversation makes it theirs, so nobody else answers it too.
 */
export const sendAgentMessage = async (
  services: ConversationServices,
  identity: RequestIdentity,
  conversationId: string,
  request: TSendMessageRequest,
  actor: AuditActor,
): Promise<{ message: TMessage; isDuplicate: boolean }> => {
  if (request.text.trim() === "" && request.attachmentIds.length === 0 && Object.keys(request.content).length === 0) {
    throw new AppError("validation_failed", "Write a message or attach a file.", [{ path: "text", message: "empty message" }]);
  }
  const outcome = await commitConversationChange(services, async (tx) => {
    await findVisibleConversation(tx, identity, conversationId);
    const appended = await appendMessage(tx, {
      workspaceId: identity.workspaceId,
      conversationId,
      senderType: identity.kind === "api_key" ? "bot" : "agent",
      senderId: identity.userId,
      contentType: request.attachmentIds.length > 0 && request.contentType === "text" ? "file" : request.contentType,
      text: request.text,
      content: request.content,
      isPrivate: request.isPrivate,
      replyToId: request.replyToId,
      clientId: request.clientId,
      attachmentIds: request.attachmentIds,
      attachmentOwnerId: identity.userId,
    });
    const taken = !appended.isDuplicate && !request.isPrivate ? await takeOnReply(tx, identity, conversationId, actor) : null;
    return { result: { ...appended, audit: taken?.entry ?? null }, events: [...appended.events, ...(taken?.events ?? [])] };
  });
  if (outcome.audit) publishAudit(services.realtime, identity.workspaceId, outcome.audit);
  // Read back: handlers in the transaction may have moved it on (a channel reply is "pending" until sent).
  const stored = await services.db.select().from(messages).where(eq(messages.id, outcome.message.id));
  const [message] = await toMessageDtos(services.db, services, stored, { areNew: !outcome.isDuplicate });
  if (!message) throw new Error("stored message could not be read back");
  return { message, isDuplicate: outcome.isDuplicate };
};

/** Messages of one conversation after a seq, oldest first: what a reconnecting client missed. */
export const messagesAfter = async (
  db: DatabaseOrTransaction,
  services: Pick<ConversationServices, "config" | "secrets">,
  input: { conversationId: string; afterSeq: number; limit: number; includePrivate: boolean },
): Promise<{ items: TMessage[]; hasMore: boolean }> => {
  const rows = await db
    .select()
    .from(messages)
    .where(
      and(
        eq(messages.conversationId, input.conversationId),
        gt(messages.seq, input.afterSeq),
        input.includePrivate ? undefined : eq(messages.isPrivate, false),
      ),
    )
    .orderBy(asc(messages.seq))
    .limit(input.limit + 1);
  return { items: await toMessageDtos(db, services, rows.slice(0, input.limit)), hasMore: rows.length > input.limit };
};

const existsWhere = async (db: DatabaseOrTransaction, condition: ReturnType<typeof and>): Promise<boolean> =>
  (await db.select({ seq: messages.seq }).from(messages).where(condition).limit(1)).length > 0;

/**
 * A page of history, oldest first: the newest messages by default, those older than `before`,
 * newer than `after`, or centred on the message `around` (jump to a search result).
 */
export const listMessages = async (
  services: ConversationServices,
  identity: RequestIdentity,
  conversationId: string,
  query: z.infer<typeof ZMessageHistoryQuery>,
): Promise<TMessagePage> => {
  const { db } = services;
  await findVisibleConversation(db, identity, conversationId);
  const inConversation = eq(messages.conversationId, conversationId);
  const older = (beforeSeq: number | undefined, limit: number) =>
    db
      .select()
      .from(messages)
      .where(and(inConversation, beforeSeq === undefined ? undefined : lt(messages.seq, beforeSeq)))
      .orderBy(desc(messages.seq))
      .limit(limit + 1);
  const newer = (fromSeq: number, limit: number) =>
    db
      .select()
      .from(messages)
      .where(and(inConversation, gte(messages.seq, fromSeq)))
      .orderBy(asc(messages.seq))
      .limit(limit + 1);
  const page = async (
    olderRows: (typeof messages.$inferSelect)[],
    olderLimit: number,
    newerRows: (typeof messages.$inferSelect)[],
    newerLimit: number,
  ) => ({
    items: await toMessageDtos(db, services, [...olderRows.slice(0, olderLimit).reverse(), ...newerRows.slice(0, newerLimit)]),
    hasOlder: olderRows.length > olderLimit,
    hasNewer: newerRows.length > newerLimit,
  });

  if (query.around !== undefined) {
    const [anchor] = await db
      .select()
      .from(messages)
      .where(and(inConversation, eq(messages.id, query.around)));
    if (!anchor) throw new AppError("not_found", "No message with this id in this conversation.");
    const olderLimit = Math.floor(query.limit / 2);
    const newerLimit = query.limit - olderLimit;
    return page(await older(anchor.seq, olderLimit), olderLimit, await newer(anchor.seq, newerLimit), newerLimit);
  }
  if (query.after !== undefined) {
    const result = await page([], 0, await newer(query.after + 1, query.limit), query.limit);
    return { ...result, hasOlder: await existsWhere(db, and(inConversation, lt(messages.seq, query.after + 1))) };
  }
  const result = await page(await older(query.before, query.limit), query.limit, [], 0);
  return {
    ...result,
    hasNewer: query.before === undefined ? false : await existsWhere(db, and(inConversation, gte(messages.seq, query.before))),
  };
};
