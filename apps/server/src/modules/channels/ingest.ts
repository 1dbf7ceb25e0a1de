import { sql } from "drizzle-orm";
import type { Database, DatabaseOrTransaction } from "../../platform/db.ts";
import { newId } from "../../platform/ids.ts";
import type { ChannelAdapter, ChannelContext, WebhookReply, WebhookRequest } from "./channel-adapter.ts";
import { WebhookRejected } from "./channel-adapter.ts";
import type { InboxLookup } from "./channel-inboxes.ts";

export const PROCESS_EVENT_TASK = "channels.process_event";
export const PROCESS_EVENT_MAX_ATTEMPTS = 8;

/**
 * Verifies, stores and enqueues a webhook in one statement, then answers: the platform hears back
 * within milliseconds, and a stored event is always processed (the job row commits with it).
 * Envelopes for unknown or disconnected inboxes are dropped with a log line — a platform retrying
 * them would not make them known.
 */
export const ingestWebhook = async (
  deps: { db: Database; lookup: InboxLookup; context: ChannelContext },
  adapter: ChannelAdapter,
  request: WebhookRequest,
): Promise<WebhookReply> => {
  let envelopes: ReturnType<ChannelAdapter["envelopes"]>;
  try {
    envelopes = adapter.envelopes(request);
  } catch (error) {
    if (error instanceof WebhookRejected)
      return { status: error.status, body: { error: { code: "bad_request", message: error.message } } };
    throw error;
  }
  const rows: Array<{ id: string; workspaceId: string; inboxId: string; dedupeKey: string | null; payload: string }> = [];
  for (const envelope of envelopes) {
    const { inbox, connected } = await deps.lookup.lookup(adapter.inboxType, envelope.inbox);
    if (!inbox) {
      deps.context.logger.warn({ platform: adapter.platform, target: envelope.inbox }, "webhook for an unknown inbox dropped");
      continue;
    }
    if (!adapter.verify(request, inbox, deps.context)) {
      return { status: 403, body: { error: { code: "invalid_signature", message: "The webhook signature does not match." } } };
    }
    if (!connected) {
      deps.context.logger.warn({ platform: adapter.platform, inboxId: inbox.id }, "webhook for a disconnected inbox dropped");
      continue;
    }
    rows.push({
      id: newId(),
      workspaceId: inbox.workspaceId,
      inboxId: inbox.id,
      dedupeKey: envelope.dedupeKey,
      payload: JSON.stringify(envelope.payload),
    });
  }
  if (rows.length > 0) await storeAndEnqueue(deps.db, adapter.platform, rows);
  return adapter.acknowledge?.(request) ?? { status: 200, body: "OK", contentType: "text/plain" };
};

/** Stores raw events and enqueues their processing in one statement; also used by mail polling. */
export const storeAndEnqueue = async (
  db: DatabaseOrTransaction,
  platform: string,
  rows: Array<{ id: string; workspaceId: string; inboxId: string; dedupeKey: string | null; payload: string }>,
): Promise<void> => {
  const values = sql.join(
    rows.map(
      (row) =>
        sql`(${row.id}::uuid, ${row.workspaceId}::uuid, ${row.inboxId}::uuid, ${platform}, ${row.dedupeKey}, ${row.payload}::jsonb)`,
    ),
    sql`, `,
  );
  // A redelivery hits the unique (inbox, dedupe key) and stores nothing, so it enqueues nothing.
  await db.execute(sql`
    with stored as (
      insert into channel_events (id, workspace_id, inbox_id, platform, dedupe_key, payload)
      values ${values}
      on conflict (inbox_id, dedupe_key) do nothing
      returning id
    )
    select graphile_worker.add_job(
      identifier => ${PROCESS_EVENT_TASK},
      payload => json_build_object('eventId', stored.id),
      max_attempts => ${PROCESS_EVENT_MAX_ATTEMPTS}::integer
    ) from stored`);
};
