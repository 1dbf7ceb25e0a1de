import { randomBytes } from "node:crypto";
import type {
  TCreateWebhookRequest,
  TUpdateWebhookRequest,
  TWebhook,
  TWebhookDelivery,
  TWebhookEvent,
  TWebhookWithSecret,
} from "@parley/shared";
import { WEBHOOK_EVENTS } from "@parley/shared";
import { and, desc, eq, lt } from "drizzle-orm";
import { AppError } from "../../platform/errors.ts";
import { enqueueJob } from "../../platform/queue/enqueue.ts";
import type { AppServices } from "../../platform/services.ts";
import { type AuditActor, changedFields, publishAudit, recordAudit } from "../audit/audit.service.ts";
import { resolvePublicTarget } from "./ssrf-guard.ts";
import { webhookDeliveryTask } from "./webhook-delivery.ts";
import { webhookDeliveries, webhookSubscriptions } from "./webhooks.tables.ts";

type Services = Pick<AppServices, "db" | "realtime" | "secrets" | "config">;
type SubscriptionRow = typeof webhookSubscriptions.$inferSelect;
type TargetOptions = { isPrivateTargetAllowed: boolean };
/** Private targets only where the operator allowed them (WEBHOOKS_ALLOW_PRIVATE_TARGETS). */
const targetsFor = (services: Pick<Services, "config">): TargetOptions => ({
  isPrivateTargetAllowed: services.config.webhooksAllowPrivateTargets,
});

const isWebhookEvent = (value: string): value is TWebhookEvent => (WEBHOOK_EVENTS as readonly string[]).includes(value);

const toDto = (row: SubscriptionRow): TWebhook => ({
  id: row.id,
  url: row.url,
  events: row.events.filter(isWebhookEvent),
  isEnabled: row.isEnabled,
  consecutiveFailures: row.consecutiveFailures,
  disabledAt: row.disabledAt?.toISOString() ?? null,
  disabledReason: row.disabledReason,
  createdAt: row.createdAt.toISOString(),
  updatedAt: row.updatedAt.toISOString(),
});

const toDeliveryDto = (row: typeof webhookDeliveries.$inferSelect): TWebhookDelivery => ({
  id: row.id,
  eventId: row.eventId,
  event: row.event,
  status: row.status,
  attempt: row.attempt,
  responseStatus: row.responseStatus,
  responseExcerpt: row.responseExcerpt,
  latencyMs: row.latencyMs,
  error: row.error,
  createdAt: row.createdAt.toISOString(),
  deliveredAt: row.deliveredAt?.toISOString() ?? null,
});

const newSecret = (): string => `whsec_${randomBytes(24).toString("base64url")}`;

const findSubscription = async (db: Services["db"], workspaceId: string, id: string): Promise<SubscriptionRow> => {
  const [row] = await db
    .select()
    .from(webhookSubscriptions)
    .where(and(eq(webhookSubscriptions.id, id), eq(webhookSubscriptions.workspaceId, workspaceId)));
  if (!row) throw new AppError("not_found", "No webhook with this id.");
  return row;
};

export const listWebhooks = async (db: Services["db"], workspaceId: string): Promise<TWebhook[]> => {
  const rows = await db
    .select()
    .from(webhookSubscriptions)
    .where(eq(webhookSubscriptions.workspaceId, workspaceId))
    .orderBy(webhookSubscriptions.createdAt);
  return rows.map(toDto);
};

export const createWebhook = async (
  services: Services,
  workspaceId: string,
  input: TCreateWebhookRequest,
  actor: AuditActor,
  targets: TargetOptions = targetsFor(services),
): Promise<TWebhookWithSecret> => {
  await resolvePublicTarget(input.url, targets);
  const secret = newSecret();
  const { row, entry } = await services.db.transaction(async (tx) => {
    const [created] = await tx
      .insert(webhookSubscriptions)
      .values({ workspaceId, url: input.url, events: [...new Set(input.events)], secret: services.secrets.encrypt(secret) })
      .returning();
    if (!created) throw new Error("webhook insert returned no row");
    const audited = await recordAudit(tx, {
      workspaceId,
      actor,
      action: "webhook.created",
      target: { type: "webhook", id: created.id, label: created.url },
      after: { url: created.url, events: created.events },
    });
    return { row: created, entry: audited };
  });
  publishAudit(services.realtime, workspaceId, entry);
  return { ...toDto(row), secret };
};

export const updateWebhook = async (
  services: Services,
  workspaceId: string,
  id: string,
  input: TUpdateWebhookRequest,
  actor: AuditActor,
): Promise<TWebhook> => {
  if (input.url !== undefined) await resolvePublicTarget(input.url, targetsFor(services));
  const { row, entry } = await services.db.transaction(async (tx) => {
    const before = await findSubscription(tx, workspaceId, id);
    const isReenabled = input.isEnabled === true && !before.isEnabled;
    const [after] = await tx
      .update(webhookSubscriptions)
      .set({
        ...(input.url === undefined ? {} : { url: input.url }),
        ...(input.events === undefined ? {} : { events: [...new Set(input.events)] }),
        ...(input.isEnabled === undefined ? {} : { isEnabled: input.isEnabled }),
        ...(isReenabled ? { consecutiveFailures: 0, disabledAt: null, disabledReason: null } : {}),
        updatedAt: new Date(),
      })
      .where(eq(webhookSubscriptions.id, before.id))
      .returning();
    if (!after) throw new AppError("not_found", "No webhook with this id.");
    const pick = (value: SubscriptionRow) => ({ url: value.url, events: value.events, isEnabled: value.isEnabled });
    const changes = changedFields(pick(before), pick(after));
    const audited = changes
      ? await recordAudit(tx, {
          workspaceId,
          actor,
          action: "webhook.updated",
          target: { type: "webhook", id: after.id, label: after.url },
          ...changes,
        })
      : null;
    return { row: after, entry: audited };
  });
  if (entry) publishAudit(services.realtime, workspaceId, entry);
  return toDto(row);
};

export const enableWebhook = (services: Services, workspaceId: string, id: string, actor: AuditActor) =>
  updateWebhook(services, workspaceId, id, { isEnabled: true }, actor);

export const deleteWebhook = async (services: Services, workspaceId: string, id: string, actor: AuditActor): Promise<void> => {
  const entry = await services.db.transaction(async (tx) => {
    const row = await findSubscription(tx, workspaceId, id);
    await tx.delete(webhookSubscriptions).where(eq(webhookSubscriptions.id, row.id));
    return recordAudit(tx, {
      workspaceId,
      actor,
      action: "webhook.deleted",
      target: { type: "webhook", id: row.id, label: row.url },
      before: { url: row.url, events: row.events },
    });
  });
  publishAudit(services.realtime, workspaceId, entry);
};

export const rotateWebhookSecret = async (
  services: Services,
  workspaceId: string,
  id: string,
  actor: AuditActor,
): Promise<TWebhookWithSecret> => {
  const secret = newSecret();
  const { row, entry } = await services.db.transaction(async (tx) => {
    const before = await findSubscription(tx, workspaceId, id);
    const [after] = await tx
      .update(webhookSubscriptions)
      .set({ secret: services.secrets.encrypt(secret), updatedAt: new Date() })
      .where(eq(webhookSubscriptions.id, before.id))
      .returning();
    if (!after) throw new AppError("not_found", "No webhook with this id.");
    const audited = await recordAudit(tx, {
      workspaceId,
      actor,
      action: "webhook.secret_rotated",
      target: { type: "webhook", id: after.id, label: after.url },
    });
    return { row: after, entry: audited };
  });
  publishAudit(services.realtime, workspaceId, entry);
  return { ...toDto(row), secret };
};

/** Newest first; the cursor is the last id of the previous page (ids are time-ordered). */
export const listWebhookDeliveries = async (
  db: Services["db"],
  workspaceId: string,
  id: string,
  query: { cursor?: string | undefined; limit: number },
): Promise<{ items: TWebhookDelivery[]; nextCursor: string | null }> => {
  const subscription = await findSubscription(db, workspaceId, id);
  const rows = await db
    .select()
    .from(webhookDeliveries)
    .where(
      and(
        eq(webhookDeliveries.subscriptionId, subscription.id),
        query.cursor ? lt(webhookDeliveries.id, query.cursor) : undefined,
      ),
    )
    .orderBy(desc(webhookDeliveries.id))
    .limit(query.limit + 1);
  const page = rows.slice(0, query.limit);
  return { items: page.map(toDeliveryDto), nextCursor: rows.length > query.limit ? (page.at(-1)?.id ?? null) : null };
};

/** Sends the same event (same event id and payload) again as a new delivery. */
export const redeliverWebhook = async (
  services: Services,
  workspaceId: string,
  id: string,
  deliveryId: string,
  actor: AuditActor,
): Promise<TWebhookDelivery> => {
  const { row, entry } = await services.db.transaction(async (tx) => {
    const subscription = await findSubscription(tx, workspaceId, id);
    if (!subscription.isEnabled) {
      throw new AppError("conflict", "Enable the webhook before redelivering to it.", undefined, { reason: "webhook_disabled" });
    }
    const [original] = await tx
      .select()
      .from(webhookDeliveries)
      .where(and(eq(webhookDeliveries.id, deliveryId), eq(webhookDeliveries.subscriptionId, subscription.id)));
    if (!original) throw new AppError("not_found", "No delivery with this id for this webhook.");
    const [copy] = await tx
      .insert(webhookDeliveries)
      .values({
        workspaceId,
        subscriptionId: subscription.id,
        eventId: original.eventId,
        event: original.event,
        payload: original.payload,
      })
      .returning();
    if (!copy) throw new Error("delivery insert returned no row");
    await enqueueJob(tx, webhookDeliveryTask, { deliveryId: copy.id, workspaceId });
    const audited = await recordAudit(tx, {
      workspaceId,
      actor,
      action: "webhook.redelivered",
      target: { type: "webhook", id: subscription.id, label: subscription.url },
      after: { deliveryId: copy.id, of: original.id, event: original.event },
    });
    return { row: copy, entry: audited };
  });
  publishAudit(services.realtime, workspaceId, entry);
  return toDeliveryDto(row);
};
