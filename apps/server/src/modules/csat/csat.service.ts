import type { TCsatReport, TCsatResponse, TCsatSubmit } from "@parley/shared";
import { CSAT_SCALE } from "@parley/shared";
import { and, desc, eq, gt, gte, lte, sql } from "drizzle-orm";
import type { DatabaseOrTransaction } from "../../platform/db.ts";
import type { DomainEventHandler } from "../../platform/domain-events.ts";
import { AppError } from "../../platform/errors.ts";
import type { RequestIdentity } from "../../platform/identity.ts";
import type { VisitorIdentity } from "../../platform/realtime.ts";
import type { AppServices } from "../../platform/services.ts";
import { type AuditActor, publishAudit, recordAudit } from "../audit/audit.service.ts";
import { auditLog } from "../audit/audit.tables.ts";
import { contacts } from "../contacts/contacts.tables.ts";
import { type ConversationServices, commitConversationChange, conversationOfVisitor } from "../conversations/commit-change.ts";
import { conversations } from "../conversations/conversations.tables.ts";
import { findVisibleConversation } from "../conversations/visibility.ts";
import { inboxes } from "../inboxes/inboxes.tables.ts";
import { appendMessage } from "../messages/append-message.ts";
import { messages } from "../messages/messages.tables.ts";
import { csatResponses } from "./csat.tables.ts";
import { queueTranscriptMail } from "./transcript.ts";

const toDto = (row: typeof csatResponses.$inferSelect): TCsatResponse => ({
  id: row.id,
  conversationId: row.conversationId,
  assigneeId: row.assigneeId,
  rating: row.rating,
  comment: row.comment,
  createdAt: row.createdAt.toISOString(),
});

/**
 * On each resolution: asks the contact for a rating when the inbox wants CSAT (a bot "form"
 * message), and mails the transcript when the inbox's channelConfig has sendTranscriptOnResolve.
 */
export const onConversationResolved: DomainEventHandler = async (tx, event, services) => {
  if (event.type !== "conversation.status_changed" || event.to !== "resolved") return undefined;
  const [row] = await tx
    .select({
      isCsatEnabled: inboxes.isCsatEnabled,
      channelConfig: inboxes.channelConfig,
      contactEmail: contacts.email,
    })
    .from(conversations)
    .innerJoin(inboxes, eq(inboxes.id, conversations.inboxId))
    .innerJoin(contacts, eq(contacts.id, conversations.contactId))
    .where(and(eq(conversations.id, event.conversationId), eq(conversations.workspaceId, event.workspaceId)));
  if (!row) return undefined;
  if (row.channelConfig.sendTranscriptOnResolve === true && row.contactEmail) {
    await queueTranscriptMail(tx, services.mailer, {
      workspaceId: event.workspaceId,
      conversationId: event.conversationId,
      to: row.contactEmail,
    });
  }
  if (!row.isCsatEnabled) return undefined;
  const asked = await appendMessage(tx, {
    workspaceId: event.workspaceId,
    conversationId: event.conversationId,
    senderType: "bot",
    senderId: null,
    contentType: "form",
    text: "How would you rate this conversation?",
    content: { kind: "csat", scale: CSAT_SCALE },
  });
  return asked.events;
};

/**
 * The visitor's rating, once per rating request (one per resolution). The conversation row is
 * locked first so two answers sent at once cannot both be stored.
 */
export const submitCsat = async (
  services: ConversationServices,
  visitor: VisitorIdentity,
  input: TCsatSubmit,
): Promise<{ response: TCsatResponse }> => {
  const own = await conversationOfVisitor(services.db, { ...visitor, conversationId: input.conversationId });
  if (!own) throw new AppError("not_found", "No conversation with this id.");
  return commitConversationChange(services, async (tx) => {
    const [conversation] = await tx.select().from(conversations).where(eq(conversations.id, own.id)).for("update");
    if (!conversation) throw new AppError("not_found", "No conversation with this id.");
    const [request] = await tx
      .select({ createdAt: messages.createdAt })
      .from(messages)
      .where(
        and(
          eq(messages.conversationId, conversation.id),
          eq(messages.senderType, "bot"),
          eq(messages.contentType, "form"),
          sql`${messages.content}->>'kind' = 'csat'`,
        ),
      )
      .orderBy(desc(messages.seq))
      .limit(1);
    if (!request) throw new AppError("conflict", "No rating was asked for in this conversation.");
    const [answered] = await tx
      .select({ id: csatResponses.id })
      .from(csatResponses)
      .where(and(eq(csatResponses.conversationId, conversation.id), gt(csatResponses.createdAt, request.createdAt)));
    if (answered) throw new AppError("conflict", "This conversation was already rated.");
    const [stored] = await tx
      .insert(csatResponses)
      .values({
        workspaceId: conversation.workspaceId,
        conversationId: conversation.id,
        assigneeId: conversation.assigneeId,
        rating: input.rating,
        comment: input.comment ?? "",
      })
      .returning();
    if (!stored) throw new Error("csat insert returned no row");
    // A line in the agents' timeline; private, since the visitor already knows their answer.
    const note = await appendMessage(tx, {
      workspaceId: conversation.workspaceId,
      conversationId: conversation.id,
      senderType: "system",
      senderId: null,
      contentType: "system",
      isPrivate: true,
      text: `The contact rated this conversation ${stored.rating}/${CSAT_SCALE}${stored.comment ? `: ${stored.comment}` : "."}`,
      content: { kind: "csat_response", rating: stored.rating, comment: stored.comment, csatResponseId: stored.id },
    });
    return { result: { response: toDto(stored) }, events: note.events };
  });
};

export const conversationCsat = async (
  db: DatabaseOrTransaction,
  identity: RequestIdentity,
  conversationId: string,
): Promise<TCsatResponse[]> => {
  const conversation = await findVisibleConversation(db, identity, conversationId);
  const rows = await db
    .select()
    .from(csatResponses)
    .where(eq(csatResponses.conversationId, conversation.id))
    .orderBy(desc(csatResponses.createdAt));
  return rows.map(toDto);
};

const REPORT_LIMIT = 1_000;

/** The workspace's ratings in a period (newest first, at most 1,000 listed) with their count and mean. */
export const csatReport = async (
  db: DatabaseOrTransaction,
  workspaceId: string,
  query: { from?: string | undefined; to?: string | undefined; inboxId?: string | undefined },
): Promise<TCsatReport> => {
  const condition = and(
    eq(csatResponses.workspaceId, workspaceId),
    query.from ? gte(csatResponses.createdAt, new Date(query.from)) : undefined,
    query.to ? lte(csatResponses.createdAt, new Date(query.to)) : undefined,
    query.inboxId ? eq(conversations.inboxId, query.inboxId) : undefined,
  );
  const [rows, [summary]] = await Promise.all([
    db
      .select({ response: csatResponses })
      .from(csatResponses)
      .innerJoin(conversations, eq(conversations.id, csatResponses.conversationId))
      .where(condition)
      .orderBy(desc(csatResponses.createdAt))
      .limit(REPORT_LIMIT),
    db
      .select({
        count: sql<number>`count(*)`.mapWith(Number),
        average: sql<number | null>`round(avg(${csatResponses.rating}), 2)`.mapWith((value) =>
          value === null ? null : Number(value),
        ),
      })
      .from(csatResponses)
      .innerJoin(conversations, eq(conversations.id, csatResponses.conversationId))
      .where(condition),
  ]);
  return { items: rows.map((row) => toDto(row.response)), count: summary?.count ?? 0, average: summary?.average ?? null };
};

/** Mails the transcript to the given address or the contact's, for an agent who can see the conversation. */
export const sendTranscriptByAgent = async (
  services: Pick<AppServices, "db" | "mailer" | "realtime">,
  identity: RequestIdentity,
  conversationId: string,
  email: string | undefined,
  actor: AuditActor,
): Promise<{ email: string }> => {
  const conversation = await findVisibleConversation(services.db, identity, conversationId);
  const [contact] = await services.db
    .select({ email: contacts.email })
    .from(contacts)
    .where(eq(contacts.id, conversation.contactId));
  const to = email ?? contact?.email ?? null;
  if (!to) {
    throw new AppError("validation_failed", "The contact has no email address; give one.", [
      { path: "email", message: "required: the contact has no email" },
    ]);
  }
  const entry = await services.db.transaction(async (tx) => {
    await queueTranscriptMail(tx, services.mailer, {
      workspaceId: conversation.workspaceId,
      conversationId: conversation.id,
      to,
    });
    return recordAudit(tx, {
      workspaceId: conversation.workspaceId,
      actor,
      action: "conversation.transcript_sent",
      target: { type: "conversation", id: conversation.id, label: `#${conversation.number}` },
      after: { email: to },
    });
  });
  publishAudit(services.realtime, conversation.workspaceId, entry);
  return { email: to };
};

/** Each visitor request mails an address the visitor chooses: a few per conversation and hour at most. */
const VISITOR_TRANSCRIPTS_PER_HOUR = 3;

/** A visitor asking for a copy of their own conversation. */
export const sendTranscriptToVisitor = async (
  services: Pick<AppServices, "db" | "mailer" | "realtime">,
  visitor: VisitorIdentity,
  input: { conversationId: string; email: string },
): Promise<{ email: string }> => {
  const own = await conversationOfVisitor(services.db, { ...visitor, conversationId: input.conversationId });
  if (!own) throw new AppError("not_found", "No conversation with this id.");
  const entry = await services.db.transaction(async (tx) => {
    // Serialises requests for one conversation so the hourly cap holds under concurrency.
    await tx.select({ id: conversations.id }).from(conversations).where(eq(conversations.id, own.id)).for("update");
    const [recent] = await tx
      .select({ count: sql<number>`count(*)`.mapWith(Number) })
      .from(auditLog)
      .where(
        and(
          eq(auditLog.workspaceId, visitor.workspaceId),
          eq(auditLog.targetType, "conversation"),
          eq(auditLog.targetId, own.id),
          eq(auditLog.action, "conversation.transcript_requested"),
          gte(auditLog.createdAt, new Date(Date.now() - 3_600_000)),
        ),
      );
    if ((recent?.count ?? 0) >= VISITOR_TRANSCRIPTS_PER_HOUR) {
      throw new AppError("rate_limited", "Too many transcript requests for this conversation; try again later.");
    }
    await queueTranscriptMail(tx, services.mailer, { workspaceId: visitor.workspaceId, conversationId: own.id, to: input.email });
    return recordAudit(tx, {
      workspaceId: visitor.workspaceId,
      actor: { type: "system", id: null, label: "Website visitor", ip: null, userAgent: null },
      action: "conversation.transcript_requested",
      target: { type: "conversation", id: own.id },
      after: { email: input.email },
    });
  });
  publishAudit(services.realtime, visitor.workspaceId, entry);
  return { email: input.email };
};
