import { and, eq, inArray, isNull, sql } from "drizzle-orm";
import { z } from "zod";
import { defineTask, type TaskContext } from "../../../platform/queue/tasks.ts";
import { audit, SYSTEM_ACTOR } from "../../audit/audit.service.ts";
import { inboxes } from "../../inboxes/inboxes.tables.ts";
import { ChannelSendError } from "../channel-adapter.ts";
import { encryptChannelSecrets, inboxLookupFor, toChannelInbox } from "../channel-inboxes.ts";
import { channelContextOf } from "../process-event.task.ts";
import { LONG_LIVED_TOKEN_MS, refreshLongLivedToken } from "./instagram-graph.ts";

/**
 * Instagram Login tokens last 60 days and can be renewed once they are a day old: a daily run
 * renews those with less than 10 days left. A token Instagram refuses to renew (revoked, expired,
 * the account made private) puts the inbox in error with Instagram's words, so an admin signs in again.
 */

export const INSTAGRAM_TOKEN_REFRESH_TASK = "channels.instagram_token_refresh";
const DAY_MS = 24 * 60 * 60 * 1000;
/** Instagram refuses to refresh a token younger than 24 hours. */
const MIN_TOKEN_AGE_MS = DAY_MS;
const REFRESH_WINDOW_MS = 10 * DAY_MS;

type InboxRow = typeof inboxes.$inferSelect;

const timeOf = (value: unknown): number | null => {
  if (typeof value !== "string") return null;
  const time = Date.parse(value);
  return Number.isNaN(time) ? null : time;
};

/** True when the token is old enough to renew and close enough to its end to need it. */
export const isDueForRefresh = (config: Record<string, unknown>, now = Date.now()): boolean => {
  const refreshedAt = timeOf(config.tokenRefreshedAt) ?? 0;
  const expiresAt = timeOf(config.tokenExpiresAt) ?? refreshedAt + LONG_LIVED_TOKEN_MS;
  return now - refreshedAt >= MIN_TOKEN_AGE_MS && expiresAt - now <= REFRESH_WINDOW_MS;
};

const recordStatusChange = async (context: TaskContext, row: InboxRow, after: { status: string; error: string | null }) =>
  audit(context.db, context.realtime, {
    workspaceId: row.workspaceId,
    actor: SYSTEM_ACTOR,
    action: "inbox.channel_status_changed",
    target: { type: "inbox", id: row.id, label: row.name },
    before: { status: row.channelStatus, error: row.channelError },
    after,
  });

const refreshInbox = async (context: TaskContext, row: InboxRow): Promise<void> => {
  const token = toChannelInbox(context, row).secrets.accessToken;
  if (!token) return;
  // Only if nobody reconnected or disconnected it meanwhile.
  const unchanged = and(eq(inboxes.id, row.id), sql`${inboxes.channelSecrets} is not distinct from ${row.channelSecrets}`);
  let renewed: Awaited<ReturnType<typeof refreshLongLivedToken>>;
  try {
    renewed = await refreshLongLivedToken(channelContextOf(context), token);
  } catch (error) {
    if (error instanceof ChannelSendError && error.retryable) {
      context.logger.warn({ err: error, inboxId: row.id }, "Instagram could not renew the token now; it is tried again tomorrow");
      return;
    }
    const message = (error instanceof Error ? error.message : String(error)).slice(0, 1000);
    const [updated] = await context.db
      .update(inboxes)
      .set({ channelStatus: "error", channelError: message, updatedAt: new Date() })
      .where(unchanged)
      .returning({ id: inboxes.id });
    if (!updated) return;
    inboxLookupFor(context).clear();
    await recordStatusChange(context, row, { status: "error", error: message });
    return;
  }
  const now = Date.now();
  const [updated] = await context.db
    .update(inboxes)
    .set({
      channelSecrets: encryptChannelSecrets(context, {
        ...toChannelInbox(context, row).secrets,
        accessToken: renewed.accessToken,
      }),
      channelConfig: {
        ...row.channelConfig,
        tokenRefreshedAt: new Date(now).toISOString(),
        tokenExpiresAt: new Date(now + (renewed.expiresIn ? renewed.expiresIn * 1000 : LONG_LIVED_TOKEN_MS)).toISOString(),
      },
      channelStatus: "connected",
      channelError: null,
      updatedAt: new Date(),
    })
    .where(unchanged)
    .returning({ id: inboxes.id });
  if (!updated) return;
  inboxLookupFor(context).clear();
  if (row.channelStatus !== "connected") await recordStatusChange(context, row, { status: "connected", error: null });
};

export const instagramTokenRefreshTask = defineTask({
  name: INSTAGRAM_TOKEN_REFRESH_TASK,
  payload: z.looseObject({}),
  maxAttempts: 3,
  run: async (_payload, context) => {
    const rows = await context.db
      .select()
      .from(inboxes)
      .where(
        and(
          eq(inboxes.type, "instagram"),
          inArray(inboxes.channelStatus, ["connected", "expiring"]),
          sql`${inboxes.channelConfig}->>'connectionMode' = 'instagram_login'`,
          isNull(inboxes.deletedAt),
        ),
      );
    for (const row of rows) {
      if (isDueForRefresh(row.channelConfig)) await refreshInbox(context, row);
    }
  },
});
