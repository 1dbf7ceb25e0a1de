import { and, eq, inArray, isNull } from "drizzle-orm";
import { z } from "zod";
import { defineTask, type TaskContext } from "../../../platform/queue/tasks.ts";
import { audit, SYSTEM_ACTOR } from "../../audit/audit.service.ts";
import { inboxes } from "../../inboxes/inboxes.tables.ts";
import { ChannelSendError } from "../channel-adapter.ts";
import { inboxLookupFor, toChannelInbox } from "../channel-inboxes.ts";
import { channelContextOf } from "../process-event.task.ts";
import { graphGet } from "./meta-graph.ts";

/**
 * Page tokens can stop working (password change, removed permissions, a page role lost) or carry
 * an expiry. A daily check with Meta's debug_token marks inboxes "expiring" a week ahead and
 * "error" once invalid, with Meta's words, so admins reconnect before replies start failing.
 */

export const META_TOKEN_CHECK_TASK = "channels.meta_token_check";
const EXPIRY_WARNING_MS = 7 * 24 * 60 * 60 * 1000;

const ZDebugToken = z.object({
  data: z.object({
    is_valid: z.boolean(),
    expires_at: z.number().optional(),
    data_access_expires_at: z.number().optional(),
    error: z.object({ message: z.string().optional() }).optional(),
  }),
});

type Verdict = { status: "connected" | "expiring" | "error"; error: string | null };

/** What Meta says about one token; null when Meta could not be asked (try again tomorrow). */
const checkToken = async (context: TaskContext, token: string, appToken: string): Promise<Verdict | null> => {
  const channelContext = channelContextOf(context);
  let answer: unknown;
  try {
    answer = await graphGet(channelContext, appToken, "debug_token", { input_token: token });
  } catch (error) {
    if (error instanceof ChannelSendError && !error.retryable && error.code === "channel_auth") {
      return { status: "error", error: error.message };
    }
    context.logger.warn({ err: error }, "Meta's token check failed; it runs again tomorrow");
    return null;
  }
  const parsed = ZDebugToken.safeParse(answer);
  if (!parsed.success) return null;
  const { data } = parsed.data;
  if (!data.is_valid) {
    return { status: "error", error: data.error?.message ?? "Meta reports this page token as invalid; reconnect the inbox." };
  }
  // 0 means "never"; the earlier of the token's and its data access's expiry is what counts.
  const expiries = [data.expires_at, data.data_access_expires_at].filter((at): at is number => typeof at === "number" && at > 0);
  const soonest = expiries.length > 0 ? Math.min(...expiries) * 1000 : null;
  if (soonest !== null && soonest - Date.now() <= EXPIRY_WARNING_MS) {
    return {
      status: "expiring",
      error: `Meta's access for this inbox ends on ${new Date(soonest).toISOString().slice(0, 10)}; reconnect it to keep receiving messages.`,
    };
  }
  return { status: "connected", error: null };
};

export const metaTokenCheckTask = defineTask({
  name: META_TOKEN_CHECK_TASK,
  payload: z.looseObject({}),
  maxAttempts: 3,
  run: async (_payload, context) => {
    const { metaAppId, metaAppSecret } = context.config.channels;
    if (!metaAppId || !metaAppSecret) return;
    const appToken = `${metaAppId}|${metaAppSecret}`;
    const rows = await context.db
      .select()
      .from(inboxes)
      .where(
        and(
          inArray(inboxes.type, ["messenger", "instagram"]),
          inArray(inboxes.channelStatus, ["connected", "expiring"]),
          isNull(inboxes.deletedAt),
        ),
      );
    for (const row of rows) {
      const token = toChannelInbox(context, row).secrets.pageAccessToken;
      if (!token) continue;
      const verdict = await checkToken(context, token, appToken);
      if (!verdict || (verdict.status === row.channelStatus && verdict.error === row.channelError)) continue;
      const [updated] = await context.db
        .update(inboxes)
        .set({ channelStatus: verdict.status, channelError: verdict.error, updatedAt: new Date() })
        // Only if nobody reconnected or disconnected it meanwhile.
        .where(and(eq(inboxes.id, row.id), eq(inboxes.channelStatus, row.channelStatus ?? "connected")))
        .returning({ id: inboxes.id });
      if (!updated) continue;
      inboxLookupFor(context).clear();
      await audit(context.db, context.realtime, {
        workspaceId: row.workspaceId,
        actor: SYSTEM_ACTOR,
        action: "inbox.channel_status_changed",
        target: { type: "inbox", id: row.id, label: row.name },
        before: { status: row.channelStatus, error: row.channelError },
        after: { status: verdict.status, error: verdict.error },
      });
    }
  },
});
