import { type Database, type DatabaseOrTransaction, queryOnConnection } from "../../platform/db.ts";
import { newId } from "../../platform/ids.ts";
import type { ChannelAdapter, ChannelContext, WebhookReply, WebhookRequest } from "./channel-adapter.ts";
import { WebhookRejected } from "./channel-adapter.ts";
import type { InboxLookup } from "./channel-inboxes.ts";

export const PROCESS_EVENT_TASK = "channels.process_event";
export const PROCESS_EVENT_MAX_ATTEMPTS = 8;
/** Events per processing job: few enough to run side by side, many enough to keep queue work small. */
const EVENTS_PER_JOB = 10;

/**
 * Verifies, stores and enqueues a webhook (grouped with its neighbours), then answers: the platform hears back
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
  if (rows.length > 0) await writerFor(deps.db)(rows.map((row) => ({ ...row, platform: adapter.platform })));
  return adapter.acknowledge?.(request) ?? { status: 200, body: "OK", contentType: "text/plain" };
};

type StoredEvent = { id: string; workspaceId: string; inboxId: string; dedupeKey: string | null; payload: string };

/** Stores raw events and enqueues their processing; also used by mail polling. */
export const storeAndEnqueue = async (db: DatabaseOrTransaction, platform: string, rows: StoredEvent[]): Promise<void> =>
  storeEvents(
    db,
    rows.map((row) => ({ ...row, platform })),
  );

/**
 * Stores events and enqueues their processing in one named statement, the same text for any number
 * of events (prepared once per connection): a redelivery hits the unique (inbox, dedupe key) and
 * stores nothing, so it enqueues nothing; one add_jobs call for the lot (the queue's NOTIFY
 * serialises commits), one job per few events. Payloads go as one JSON array, already JSON text.
 */
const STORE_AND_ENQUEUE_EVENTS = {
  name: "store_and_enqueue_channel_events",
  text: `with stored as (
    insert into channel_events (id, workspace_id, inbox_id, platform, dedupe_key, payload)
    select event.id, event.workspace_id, event.inbox_id, event.platform, event.dedupe_key, payload.value
    from unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::text[], $5::text[])
      with ordinality as event(id, workspace_id, inbox_id, platform, dedupe_key, ord)
    join jsonb_array_elements($6::jsonb) with ordinality as payload(value, ord) using (ord)
    on conflict (inbox_id, dedupe_key) do nothing
    returning id
  ), chunks as (
    select array_agg(id) as ids
    from (select id, (row_number() over () - 1) / $7::integer as chunk from stored) numbered
    group by chunk
  ), specs as (
    select array_agg(
      row($8::text, json_build_object('eventIds', chunks.ids), null, null, $9::integer, null, null, null)::graphile_worker.job_spec
    ) as list
    from chunks
  )
  select count(*) from specs, graphile_worker.add_jobs(specs.list) where specs.list is not null`,
};

const storeEvents = async (db: DatabaseOrTransaction, rows: Array<StoredEvent & { platform: string }>): Promise<void> => {
  await queryOnConnection(db, STORE_AND_ENQUEUE_EVENTS, [
    rows.map((row) => row.id),
    rows.map((row) => row.workspaceId),
    rows.map((row) => row.inboxId),
    rows.map((row) => row.platform),
    rows.map((row) => row.dedupeKey),
    `[${rows.map((row) => row.payload).join(",")}]`,
    EVENTS_PER_JOB,
    PROCESS_EVENT_TASK,
    PROCESS_EVENT_MAX_ATTEMPTS,
  ]);
};

const MAX_BATCH = 500;

/**
 * Group commit for webhooks: while one batch is being written, requests that arrive wait and go
 * into the next, so a burst costs a handful of commits instead of one each (each commit with a
 * queue notification is serialised by PostgreSQL). An idle server writes a lone webhook at once.
 */
const createEventWriter = (db: Database) => {
  const waiting: Array<{ rows: Array<StoredEvent & { platform: string }>; done: (error?: unknown) => void }> = [];
  let isWriting = false;
  const drain = async () => {
    isWriting = true;
    while (waiting.length > 0) {
      const batch: typeof waiting = [];
      let size = 0;
      while (waiting.length > 0 && size < MAX_BATCH) {
        const next = waiting.shift();
        if (!next) break;
        batch.push(next);
        size += next.rows.length;
      }
      try {
        await storeEvents(
          db,
          batch.flatMap((entry) => entry.rows),
        );
        for (const entry of batch) entry.done();
      } catch {
        // One bad request must not fail its neighbours: write each on its own to find it.
        for (const entry of batch) {
          try {
            await storeEvents(db, entry.rows);
            entry.done();
          } catch (error) {
            entry.done(error);
          }
        }
      }
    }
    isWriting = false;
  };
  return (rows: Array<StoredEvent & { platform: string }>) =>
    new Promise<void>((resolve, reject) => {
      waiting.push({ rows, done: (error) => (error === undefined ? resolve() : reject(error)) });
      if (!isWriting) void drain();
    });
};

const writers = new WeakMap<object, ReturnType<typeof createEventWriter>>();
const writerFor = (db: Database) => {
  let writer = writers.get(db);
  if (!writer) {
    writer = createEventWriter(db);
    writers.set(db, writer);
  }
  return writer;
};
