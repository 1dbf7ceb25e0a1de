import { eq, sql } from "drizzle-orm";
import { z } from "zod";
import { defineTask, type TaskContext } from "../../platform/queue/tasks.ts";
import { storageFor } from "../../platform/storage.ts";
import { applyInboundEvent } from "./apply-inbound.ts";
import type { ChannelContext } from "./channel-adapter.ts";
import { findChannelInbox } from "./channel-inboxes.ts";
import { adapterForPlatform } from "./channel-registry.ts";
import { channelEvents } from "./channels.tables.ts";
import { PROCESS_EVENT_MAX_ATTEMPTS, PROCESS_EVENT_TASK } from "./ingest.ts";
import { platformHttp } from "./platform-http.ts";

export const channelContextOf = (context: Pick<TaskContext, "config" | "logger" | "secrets">): ChannelContext => ({
  config: context.config,
  logger: context.logger,
  secrets: context.secrets,
  http: platformHttp,
  storage: storageFor(context.config),
});

/**
 * Turns one stored webhook into messages, statuses and reactions. Each event applies idempotently,
 * so a retry after a partial failure (a media download that timed out) repeats nothing.
 */
const processEvent = async (eventId: string, context: TaskContext): Promise<void> => {
  const [stored] = await context.db.select().from(channelEvents).where(eq(channelEvents.id, eventId));
  if (!stored || stored.processedAt) return;
  const adapter = adapterForPlatform(stored.platform);
  const found = await findChannelInbox(context, stored.inboxId);
  if (!adapter || !found) {
    await context.db
      .update(channelEvents)
      .set({ processedAt: new Date(), lastError: "the inbox or its platform no longer exists" })
      .where(eq(channelEvents.id, eventId));
    return;
  }
  const channelContext = channelContextOf(context);
  try {
    const events = await adapter.parse(stored.payload, found.inbox, channelContext);
    for (const event of events) await applyInboundEvent(context, channelContext.storage, found.inbox, event, stored.receivedAt);
    await context.db
      .update(channelEvents)
      .set({ processedAt: new Date(), attempts: sql`${channelEvents.attempts} + 1`, lastError: null })
      .where(eq(channelEvents.id, eventId));
  } catch (error) {
    await context.db
      .update(channelEvents)
      .set({
        attempts: sql`${channelEvents.attempts} + 1`,
        lastError: error instanceof Error ? error.message.slice(0, 1000) : String(error),
      })
      .where(eq(channelEvents.id, eventId));
    throw error;
  }
};

/**
 * Processes a few stored webhooks in arrival order. One job per handful of events (not one each)
 * keeps the queue's work per webhook small at ingest; processed events are skipped on a retry.
 * Every event is attempted even when one fails, and the job fails (to be retried) if any did.
 */
export const processChannelEventTask = defineTask({
  name: PROCESS_EVENT_TASK,
  payload: z.object({ eventIds: z.array(z.uuid()).min(1).max(100) }),
  maxAttempts: PROCESS_EVENT_MAX_ATTEMPTS,
  run: async ({ eventIds }, context) => {
    let failure: unknown;
    for (const eventId of eventIds) {
      try {
        await processEvent(eventId, context);
      } catch (error) {
        failure ??= error;
      }
    }
    if (failure !== undefined) throw failure;
  },
});
