import { eq } from "drizzle-orm";
import { z } from "zod";
import type { DatabaseOrTransaction } from "../../platform/db.ts";
import { enqueueJob } from "../../platform/queue/enqueue.ts";
import { defineTask } from "../../platform/queue/tasks.ts";
import { inboxes } from "../inboxes/inboxes.tables.ts";
import { ChannelSendError } from "./channel-adapter.ts";
import { toChannelInbox } from "./channel-inboxes.ts";
import { adapterForInboxType } from "./channel-registry.ts";
import { markChannelError } from "./outbound.ts";
import { channelContextOf } from "./process-event.task.ts";

/** Tells the platform an agent read the contact's messages (WhatsApp's blue ticks), where it has read marks. */
export const markReadOnPlatformTask = defineTask({
  name: "channels.mark_read",
  payload: z.object({ inboxId: z.uuid(), externalIds: z.array(z.string()).min(1).max(100) }),
  maxAttempts: 3,
  run: async ({ inboxId, externalIds }, context) => {
    const [row] = await context.db.select().from(inboxes).where(eq(inboxes.id, inboxId));
    const adapter = row ? adapterForInboxType(row.type) : null;
    if (!row || !adapter?.markRead || row.deletedAt || row.channelStatus === "disconnected") return;
    try {
      await adapter.markRead(externalIds, toChannelInbox(context, row), channelContextOf(context));
    } catch (error) {
      if (error instanceof ChannelSendError && error.code === "channel_auth")
        return markChannelError(context, inboxId, error.message);
      // A read mark is a courtesy: it is retried a little, never at the cost of a failed job for the admin.
      if (error instanceof ChannelSendError && !error.retryable) return;
      throw error;
    }
  },
});

/** Queues read marks for messages an agent just read; bursts on one conversation collapse into one job. */
export const queuePlatformReadMarks = async (
  tx: DatabaseOrTransaction,
  input: { inboxId: string; inboxType: Parameters<typeof adapterForInboxType>[0]; conversationId: string; externalIds: string[] },
) => {
  if (input.externalIds.length === 0 || !adapterForInboxType(input.inboxType)?.markRead) return;
  await enqueueJob(
    tx,
    markReadOnPlatformTask,
    { inboxId: input.inboxId, externalIds: input.externalIds.slice(-100) },
    { jobKey: `channels:read:${input.conversationId}` },
  );
};
