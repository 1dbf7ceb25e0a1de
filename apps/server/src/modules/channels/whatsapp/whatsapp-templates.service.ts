import {
  type TWhatsAppTemplate,
  type TWhatsAppTemplateList,
  type TWhatsAppTemplateListQuery,
  ZTemplateContent,
} from "@parley/shared";
import { and, asc, eq, ilike, isNull, lt, sql } from "drizzle-orm";
import { z } from "zod";
import type { DatabaseOrTransaction } from "../../../platform/db.ts";
import type { DomainEventHandler } from "../../../platform/domain-events.ts";
import { AppError } from "../../../platform/errors.ts";
import type { RequestIdentity } from "../../../platform/identity.ts";
import type { AppServices } from "../../../platform/services.ts";
import { type AuditActor, audit } from "../../audit/audit.service.ts";
import { getInbox } from "../../inboxes/inboxes.service.ts";
import { inboxes } from "../../inboxes/inboxes.tables.ts";
import { attachments, messages } from "../../messages/messages.tables.ts";
import { type ChannelInbox, ChannelSendError } from "../channel-adapter.ts";
import { toChannelInbox } from "../channel-inboxes.ts";
import { channelTemplates } from "../channels.tables.ts";
import { markChannelError } from "../outbound.ts";
import { channelContextOf } from "../process-event.task.ts";
import { accessTokenOf, callGraph, wabaIdOf, ZGraphTemplate, ZGraphTemplatePage } from "./whatsapp-graph.ts";

type Services = Pick<AppServices, "db" | "config" | "logger" | "secrets" | "realtime">;
type TemplateRow = typeof channelTemplates.$inferSelect;
type TemplateInsert = typeof channelTemplates.$inferInsert;
type GraphTemplate = z.infer<typeof ZGraphTemplate>;

/** Paging guard: a business account has at most a few thousand templates. */
const MAX_PAGES = 50;
const PAGE_SIZE = 100;

const toTemplateDto = (row: TemplateRow): TWhatsAppTemplate => ({
  id: row.id,
  externalId: row.externalId,
  name: row.name,
  language: row.language,
  category: row.category,
  status: row.status,
  components: row.components,
  syncedAt: row.syncedAt.toISOString(),
});

/** Every template of the business account, following WhatsApp's cursor paging (the cursor, not its next URL, so calls stay on our base URL). */
const fetchTemplates = async (services: Pick<AppServices, "config" | "logger" | "secrets">, inbox: ChannelInbox) => {
  const wabaId = wabaIdOf(inbox);
  if (!wabaId) throw new AppError("channel_not_connected", "Reconnect this WhatsApp inbox: its business account id is missing.");
  const context = channelContextOf(services);
  const token = accessTokenOf(inbox);
  const templates: GraphTemplate[] = [];
  let after: string | null = null;
  for (let page = 0; page < MAX_PAGES; page++) {
    const answer: z.infer<typeof ZGraphTemplatePage> = await callGraph(
      context,
      token,
      {
        path: `${wabaId}/message_templates`,
        query: { fields: "id,name,language,status,category,components", limit: String(PAGE_SIZE), ...(after ? { after } : {}) },
      },
      ZGraphTemplatePage,
    );
    // A template Parley cannot read is skipped rather than failing the whole sync.
    for (const item of answer.data) {
      const parsed = ZGraphTemplate.safeParse(item);
      if (parsed.success) templates.push(parsed.data);
    }
    const next: string | null = answer.paging?.next ? (answer.paging.cursors?.after ?? null) : null;
    if (!next || next === after) break;
    after = next;
  }
  return templates;
};

/** Stores what WhatsApp reports and removes templates deleted there, in one transaction. */
export const syncTemplatesOf = async (
  services: Pick<AppServices, "db" | "config" | "logger" | "secrets">,
  inbox: ChannelInbox,
): Promise<{ synced: number; removed: number }> => {
  const templates = await fetchTemplates(services, inbox);
  return services.db.transaction(async (tx) => {
    const syncedAt = new Date();
    for (const template of templates) {
      const values: Pick<TemplateInsert, "externalId" | "category" | "status" | "components" | "syncedAt"> = {
        externalId: template.id ?? null,
        category: (template.category ?? "").toLowerCase(),
        status: (template.status ?? "unknown").toLowerCase(),
        components: template.components ?? [],
        syncedAt,
      };
      await tx
        .insert(channelTemplates)
        .values({
          workspaceId: inbox.workspaceId,
          inboxId: inbox.id,
          name: template.name,
          language: template.language,
          ...values,
        })
        .onConflictDoUpdate({
          target: [channelTemplates.inboxId, channelTemplates.name, channelTemplates.language],
          set: values,
        });
    }
    const removed = await tx
      .delete(channelTemplates)
      .where(and(eq(channelTemplates.inboxId, inbox.id), lt(channelTemplates.syncedAt, syncedAt)))
      .returning({ id: channelTemplates.id });
    return { synced: templates.length, removed: removed.length };
  });
};

const whatsappInbox = async (db: DatabaseOrTransaction, workspaceId: string, inboxId: string) => {
  const [row] = await db
    .select()
    .from(inboxes)
    .where(and(eq(inboxes.workspaceId, workspaceId), eq(inboxes.id, inboxId), isNull(inboxes.deletedAt)));
  if (!row) throw new AppError("not_found", "No inbox with this id.");
  if (row.type !== "whatsapp") throw new AppError("bad_request", "Only WhatsApp inboxes have message templates.");
  return row;
};

/** An admin asks for the templates now (after creating one in WhatsApp Manager, say). */
export const syncWhatsAppTemplates = async (services: Services, workspaceId: string, inboxId: string, actor: AuditActor) => {
  const row = await whatsappInbox(services.db, workspaceId, inboxId);
  if (row.channelStatus !== "connected" && row.channelStatus !== "expiring") {
    throw new AppError("channel_not_connected", `Connect the ${row.name} inbox to WhatsApp before syncing its templates.`);
  }
  let outcome: { synced: number; removed: number };
  try {
    outcome = await syncTemplatesOf(services, toChannelInbox(services, row));
  } catch (error) {
    if (!(error instanceof ChannelSendError)) throw error;
    if (error.code === "channel_auth") await markChannelError(services, row.id, error.message);
    throw new AppError(error.retryable ? "platform_unavailable" : "channel_rejected", error.message);
  }
  await audit(services.db, services.realtime, {
    workspaceId,
    actor,
    action: "inbox.whatsapp_templates_synced",
    target: { type: "inbox", id: row.id, label: row.name },
    after: outcome,
  });
  return outcome;
};

/** Templates of an inbox the agent works, by name, for picking one to send. */
export const listWhatsAppTemplates = async (
  db: DatabaseOrTransaction,
  identity: RequestIdentity,
  inboxId: string,
  query: TWhatsAppTemplateListQuery,
): Promise<TWhatsAppTemplateList> => {
  const inbox = await getInbox(db, identity, inboxId);
  if (inbox.type !== "whatsapp") throw new AppError("bad_request", "Only WhatsApp inboxes have message templates.");
  const conditions = [eq(channelTemplates.inboxId, inboxId), eq(channelTemplates.workspaceId, identity.workspaceId)];
  if (query.status) conditions.push(eq(channelTemplates.status, query.status));
  if (query.q) conditions.push(ilike(channelTemplates.name, `%${query.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`));
  if (query.cursor) {
    conditions.push(
      sql`(${channelTemplates.name}, ${channelTemplates.language}, ${channelTemplates.id}) > (select name, language, id from channel_templates where id = ${query.cursor} and inbox_id = ${inboxId})`,
    );
  }
  const rows = await db
    .select()
    .from(channelTemplates)
    .where(and(...conditions))
    .orderBy(asc(channelTemplates.name), asc(channelTemplates.language), asc(channelTemplates.id))
    .limit(query.limit + 1);
  const page = rows.slice(0, query.limit);
  return { items: page.map(toTemplateDto), nextCursor: rows.length > query.limit ? (page.at(-1)?.id ?? null) : null };
};

/** Regular sync for every connected WhatsApp inbox, so review outcomes show up without anyone asking. */
export const syncAllWhatsAppTemplates = async (services: Services) => {
  const rows = await services.db
    .select()
    .from(inboxes)
    .where(
      and(eq(inboxes.type, "whatsapp"), isNull(inboxes.deletedAt), sql`${inboxes.channelStatus} in ('connected', 'expiring')`),
    );
  for (const row of rows) {
    try {
      await syncTemplatesOf(services, toChannelInbox(services, row));
    } catch (error) {
      if (error instanceof ChannelSendError && error.code === "channel_auth")
        await markChannelError(services, row.id, error.message);
      services.logger.warn({ err: error, inboxId: row.id }, "WhatsApp template sync failed");
    }
  }
};

/** The parts of WhatsApp's component definitions a send is checked against. */
const ZTemplateComponents = z
  .array(z.looseObject({ type: z.string().optional(), format: z.string().optional(), text: z.string().optional() }))
  .catch([]);

const placeholdersIn = (text: string | undefined): number =>
  new Set([...(text ?? "").matchAll(/\{\{\s*([^{}\s]+)\s*\}\}/g)].map((match) => match[1])).size;

const fillPlaceholders = (text: string, values: readonly string[]) =>
  text.replace(/\{\{\s*(\d+)\s*\}\}/g, (whole, index: string) => values[Number(index) - 1] ?? whole);

/**
 * A template message is checked against the synced templates before it is queued: an unknown,
 * unapproved or wrongly filled template is refused to the agent at once with the reason, instead
 * of failing later at WhatsApp. An empty text becomes the filled-in body, so the conversation shows what was sent.
 */
export const checkWhatsAppTemplate: DomainEventHandler = async (tx, event) => {
  if (event.type !== "message.created" || event.isPrivate) return;
  if (event.senderType !== "agent" && event.senderType !== "bot") return;
  const [row] = await tx
    .select({
      id: messages.id,
      text: messages.text,
      content: messages.content,
      externalId: messages.externalId,
      type: inboxes.type,
      inboxId: inboxes.id,
    })
    .from(messages)
    .innerJoin(inboxes, eq(inboxes.id, messages.inboxId))
    .where(eq(messages.id, event.messageId));
  if (row?.type !== "whatsapp" || row.externalId !== null || row.content.template === undefined) return;
  const parsed = ZTemplateContent.safeParse(row.content);
  if (!parsed.success) throw new AppError("validation_failed", "The template content is not valid.");
  const wanted = parsed.data.template;
  const [template] = await tx
    .select()
    .from(channelTemplates)
    .where(
      and(
        eq(channelTemplates.inboxId, row.inboxId),
        eq(channelTemplates.name, wanted.name),
        eq(channelTemplates.language, wanted.language),
      ),
    );
  if (!template) {
    throw new AppError(
      "channel_rejected",
      `WhatsApp has no template "${wanted.name}" in ${wanted.language} for this number. Sync the templates or pick another one.`,
    );
  }
  if (template.status !== "approved") {
    throw new AppError(
      "channel_rejected",
      `The template "${wanted.name}" (${wanted.language}) is ${template.status} at WhatsApp; only approved templates can be sent.`,
    );
  }
  const components = ZTemplateComponents.parse(template.components);
  const body = components.find((component) => component.type?.toUpperCase() === "BODY");
  const header = components.find((component) => component.type?.toUpperCase() === "HEADER");
  const problems: Array<{ path: string; message: string }> = [];
  const bodyCount = placeholdersIn(body?.text);
  if (wanted.bodyParameters.length !== bodyCount) {
    problems.push({
      path: "content.template.bodyParameters",
      message: `The template's body takes ${bodyCount} parameter${bodyCount === 1 ? "" : "s"}; ${wanted.bodyParameters.length} were given.`,
    });
  }
  const headerFormat = header?.format?.toUpperCase();
  if (headerFormat === "IMAGE" || headerFormat === "VIDEO" || headerFormat === "DOCUMENT") {
    if (wanted.headerMedia?.kind.toUpperCase() !== headerFormat) {
      problems.push({
        path: "content.template.headerMedia",
        message: `The template's header needs a ${headerFormat.toLowerCase()}.`,
      });
    } else if (!wanted.headerMedia.attachmentId && !wanted.headerMedia.link) {
      problems.push({ path: "content.template.headerMedia", message: "Give the header's file or link." });
    }
  } else if (wanted.headerMedia) {
    problems.push({ path: "content.template.headerMedia", message: "This template has no media header." });
  } else if (headerFormat === "TEXT" && placeholdersIn(header?.text) > 0 && !wanted.headerText?.length) {
    problems.push({ path: "content.template.headerText", message: "The template's header takes a parameter." });
  }
  // A header file must be this workspace's: its signed link would otherwise hand out another tenant's file.
  const attachmentId = wanted.headerMedia?.attachmentId;
  if (attachmentId) {
    const [file] = await tx
      .select({ id: attachments.id })
      .from(attachments)
      .where(and(eq(attachments.id, attachmentId), eq(attachments.workspaceId, event.workspaceId)));
    if (!file) problems.push({ path: "content.template.headerMedia.attachmentId", message: "No uploaded file with this id." });
  }
  if (problems.length > 0)
    throw new AppError("validation_failed", `The template "${wanted.name}" is not filled in as WhatsApp expects.`, problems);
  if (row.text.trim() === "" && body?.text) {
    await tx
      .update(messages)
      .set({ text: fillPlaceholders(body.text, wanted.bodyParameters) })
      .where(eq(messages.id, row.id));
  }
  return undefined;
};
