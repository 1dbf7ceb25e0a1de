import { createHmac } from "node:crypto";
import http from "node:http";
import https from "node:https";
import type { LookupFunction } from "node:net";
import { and, eq, sql } from "drizzle-orm";
import { z } from "zod";
import type { DatabaseOrTransaction } from "../../platform/db.ts";
import { isAppError } from "../../platform/errors.ts";
import { renderMail } from "../../platform/mail/templates.ts";
import { defineTask, type TaskContext } from "../../platform/queue/tasks.ts";
import { publishAudit, recordAudit, SYSTEM_ACTOR } from "../audit/audit.service.ts";
import { users } from "../auth/auth.tables.ts";
import { memberships, roles } from "../workspaces/workspaces.tables.ts";
import { assertPublicTarget, ForbiddenTargetError, type ResolvedAddress, resolveTarget } from "./ssrf-guard.ts";
import { webhookDeliveries, webhookSubscriptions } from "./webhooks.tables.ts";

export const WEBHOOK_DELIVERY_TASK = "webhooks.deliver";
const TIMEOUT_MS = 10_000;
const EXCERPT_BYTES = 1_024;
/** Failed attempts in a row (across deliveries and retries) after which a subscription is switched off. */
export const AUTO_DISABLE_AFTER_FAILURES = 10;

/**
 * The `parley-signature` header: `t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>`.
 * A receiver verifies it by recomputing the HMAC over the timestamp, a dot and the raw request
 * body (before any JSON parsing) with the subscription's `whsec_…` secret, comparing with
 * `timingSafeEqual`, and refusing timestamps older than a few minutes (replay protection).
 */
export const signWebhookBody = (secret: string, body: string, timestamp: number): string =>
  `t=${timestamp},v1=${createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex")}`;

export type HttpOutcome = { status: number; excerpt: string };

/** Connects only to the address the SSRF guard approved, so a DNS answer cannot change in between. */
const pinnedLookup =
  (target: ResolvedAddress): LookupFunction =>
  (_hostname, options, callback) => {
    if (options.all) callback(null, [{ address: target.address, family: target.family }]);
    else callback(null, target.address, target.family);
  };

export const postJson = (
  url: URL,
  body: string,
  headers: Record<string, string>,
  target: ResolvedAddress,
  signal: AbortSignal,
): Promise<HttpOutcome> =>
  new Promise((resolve, reject) => {
    const client = url.protocol === "https:" ? https : http;
    const request = client.request(
      url,
      {
        method: "POST",
        headers: { ...headers, "content-length": String(Buffer.byteLength(body)) },
        lookup: pinnedLookup(target),
        signal,
      },
      (response) => {
        const chunks: Buffer[] = [];
        let size = 0;
        response.on("data", (chunk: Buffer) => {
          if (size < EXCERPT_BYTES) chunks.push(chunk);
          size += chunk.length;
        });
        response.on("end", () =>
          resolve({
            status: response.statusCode ?? 0,
            excerpt: Buffer.concat(chunks).subarray(0, EXCERPT_BYTES).toString("utf8"),
          }),
        );
        response.on("error", reject);
      },
    );
    request.on("error", reject);
    request.end(body);
  });

const errorMessage = (error: unknown): string =>
  (error instanceof Error ? (error.name === "AbortError" ? "timed out after 10 s" : error.message) : String(error)).slice(
    0,
    1_000,
  );

/** Emails of the workspace's active members allowed to manage its settings (and so its webhooks). */
const settingsAdminEmails = async (db: TaskContext["db"], workspaceId: string): Promise<string[]> => {
  const rows = await db
    .select({ email: users.email })
    .from(memberships)
    .innerJoin(roles, eq(roles.id, memberships.roleId))
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(
      and(
        eq(memberships.workspaceId, workspaceId),
        eq(memberships.status, "active"),
        sql`'settings.manage' = any(${roles.permissions})`,
      ),
    );
  return rows.map((row) => row.email);
};

/**
 * Counts a failed attempt; the one that reaches the limit switches the subscription off, audits it
 * and mails the admins. `settleDelivery` writes the delivery's own outcome in the same transaction,
 * so nobody sees a disabled webhook whose last delivery still looks pending. Returns true when the
 * subscription is now disabled.
 */
const recordFailure = async (
  context: TaskContext,
  subscriptionId: string,
  reason: string,
  settleDelivery: (tx: DatabaseOrTransaction, isDisabled: boolean) => Promise<unknown>,
): Promise<boolean> => {
  const { db, realtime, mailer, config } = context;
  const published = await db.transaction(async (tx) => {
    const outcome = await countFailure(tx);
    await settleDelivery(tx, outcome?.isDisabled ?? false);
    return outcome;
  });
  if (published?.entry) publishAudit(realtime, published.workspaceId, published.entry);
  return published?.isDisabled ?? false;

  async function countFailure(tx: DatabaseOrTransaction) {
    const [counted] = await tx
      .update(webhookSubscriptions)
      .set({ consecutiveFailures: sql`${webhookSubscriptions.consecutiveFailures} + 1` })
      .where(eq(webhookSubscriptions.id, subscriptionId))
      .returning();
    if (!counted || counted.consecutiveFailures < AUTO_DISABLE_AFTER_FAILURES) return null;
    const disabledReason = `Disabled after ${counted.consecutiveFailures} failed deliveries in a row; last error: ${reason}`;
    const [disabled] = await tx
      .update(webhookSubscriptions)
      .set({ isEnabled: false, disabledAt: new Date(), disabledReason, updatedAt: new Date() })
      .where(and(eq(webhookSubscriptions.id, subscriptionId), eq(webhookSubscriptions.isEnabled, true)))
      .returning();
    // Another worker disabled it first: it audited and mailed already.
    if (!disabled) return { entry: null, workspaceId: counted.workspaceId, isDisabled: true };
    const entry = await recordAudit(tx, {
      workspaceId: disabled.workspaceId,
      actor: SYSTEM_ACTOR,
      action: "webhook.auto_disabled",
      target: { type: "webhook", id: disabled.id, label: disabled.url },
      before: { isEnabled: true },
      after: { isEnabled: false, disabledReason },
    });
    for (const to of await settingsAdminEmails(tx, disabled.workspaceId)) {
      await mailer.queue(tx, {
        to,
        workspaceId: disabled.workspaceId,
        ...renderMail({
          subject: "A Parley webhook was disabled",
          heading: "Webhook disabled after repeated failures",
          paragraphs: [
            `Parley stopped sending events to ${disabled.url} because its last ${counted.consecutiveFailures} deliveries failed.`,
            `Last error: ${reason}`,
            "Fix the receiver, then enable the webhook again in the workspace settings; failed deliveries can be redelivered from its log.",
          ],
          action: { label: "Open webhook settings", url: `${config.publicUrl}/settings/webhooks` },
          footer: "You receive this because you manage this workspace's settings.",
        }),
      });
    }
    return { entry, workspaceId: disabled.workspaceId, isDisabled: true };
  }
};

export type DeliveryOptions = {
  /**
   * Allows loopback and private targets whatever WEBHOOKS_ALLOW_PRIVATE_TARGETS says; tests inject
   * true to reach a receiver on 127.0.0.1.
   */
  isPrivateTargetAllowed: boolean;
};

/**
 * One attempt at one delivery. Throws on a non-2xx answer or a network error so the queue retries
 * with exponential backoff; refused targets, disabled subscriptions and the last attempt end the
 * delivery as failed without a retry.
 */
export const deliverWebhook = async (deliveryId: string, context: TaskContext, options: DeliveryOptions): Promise<void> => {
  const { db } = context;
  const [row] = await db
    .select({ delivery: webhookDeliveries, subscription: webhookSubscriptions })
    .from(webhookDeliveries)
    .innerJoin(webhookSubscriptions, eq(webhookSubscriptions.id, webhookDeliveries.subscriptionId))
    .where(eq(webhookDeliveries.id, deliveryId));
  if (row?.delivery.status !== "pending") return;
  const { delivery, subscription } = row;
  const finish = (values: Partial<typeof webhookDeliveries.$inferInsert>, executor: DatabaseOrTransaction = db) =>
    executor
      .update(webhookDeliveries)
      .set({ attempt: context.attempt, ...values })
      .where(eq(webhookDeliveries.id, delivery.id));

  if (!subscription.isEnabled) {
    await finish({ status: "failed", error: "The webhook is disabled." });
    return;
  }

  // Resolved again at each attempt: DNS may point elsewhere than when the webhook was saved.
  let addresses: ResolvedAddress[] = [];
  let failure: string | null = null;
  try {
    addresses = await resolveTarget(subscription.url);
    assertPublicTarget(addresses, {
      isPrivateTargetAllowed: options.isPrivateTargetAllowed || context.config.webhooksAllowPrivateTargets,
    });
  } catch (error) {
    if (error instanceof ForbiddenTargetError) {
      // A refused target is not retried: it will not become acceptable by waiting.
      const reason = error.message;
      await recordFailure(context, subscription.id, reason, (tx) => finish({ status: "failed", error: reason }, tx));
      return;
    }
    // Not resolving may be temporary: retried like a network error.
    failure = isAppError(error) ? error.message : errorMessage(error);
  }
  const [target] = addresses;
  if (!target && failure === null) failure = "The webhook host has no address.";

  const body = JSON.stringify(delivery.payload);
  const timestamp = Math.floor(Date.now() / 1_000);
  const secret = context.secrets.decrypt(subscription.secret);
  const headers = {
    "content-type": "application/json",
    "user-agent": "Parley-Webhooks/1",
    "parley-event": delivery.event,
    "parley-delivery": delivery.id,
    "parley-timestamp": String(timestamp),
    "parley-signature": signWebhookBody(secret, body, timestamp),
  };
  const startedAt = performance.now();
  let outcome: HttpOutcome | null = null;
  if (target) {
    try {
      outcome = await postJson(new URL(subscription.url), body, headers, target, AbortSignal.timeout(TIMEOUT_MS));
      if (outcome.status < 200 || outcome.status >= 300) failure = `The receiver answered HTTP ${outcome.status}.`;
    } catch (error) {
      failure = errorMessage(error);
    }
  }
  const latencyMs = Math.round(performance.now() - startedAt);
  const recorded = {
    responseStatus: outcome?.status ?? null,
    responseExcerpt: outcome?.excerpt ?? null,
    latencyMs,
  };

  if (failure === null) {
    await finish({ ...recorded, status: "succeeded", error: null, deliveredAt: new Date() });
    await db.update(webhookSubscriptions).set({ consecutiveFailures: 0 }).where(eq(webhookSubscriptions.id, subscription.id));
    return;
  }
  const isLastAttempt = context.attempt >= context.maxAttempts;
  const reason = failure;
  const isDisabled = await recordFailure(context, subscription.id, reason, (tx, disabled) =>
    finish({ ...recorded, status: disabled || isLastAttempt ? "failed" : "pending", error: reason }, tx),
  );
  if (!isDisabled && !isLastAttempt) throw new Error(`webhook delivery ${delivery.id} failed: ${failure}`);
};

/**
 * The delivery job. Built by a factory so the private-target switch is injected, never read from
 * the environment inside the task; the module registers it with private targets refused.
 */
export const createWebhookDeliveryTask = (options: DeliveryOptions) =>
  defineTask({
    name: WEBHOOK_DELIVERY_TASK,
    payload: z.object({ deliveryId: z.uuid(), workspaceId: z.uuid() }),
    maxAttempts: 8,
    run: ({ deliveryId }, context) => deliverWebhook(deliveryId, context, options),
  });

export const webhookDeliveryTask = createWebhookDeliveryTask({ isPrivateTargetAllowed: false });
