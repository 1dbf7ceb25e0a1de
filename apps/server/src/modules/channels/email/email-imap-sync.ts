import { and, eq, inArray, isNotNull, isNull, sql } from "drizzle-orm";
import type { ImapFlow } from "imapflow";
import { z } from "zod";
import { newId } from "../../../platform/ids.ts";
import { defineTask, type TaskContext } from "../../../platform/queue/tasks.ts";
import { inboxes } from "../../inboxes/inboxes.tables.ts";
import type { ChannelInbox } from "../channel-adapter.ts";
import { toChannelInbox } from "../channel-inboxes.ts";
import { storeAndEnqueue } from "../ingest.ts";
import { emailDedupeKey, readHeaderFields } from "./email-headers.ts";
import { imapClientFor, serverWords, storedImapOf } from "./email-servers.ts";

/**
 * IMAP in: every minute one job (serialised across workers by its queue) logs in to each
 * connected mailbox, fetches what arrived since the last UID it saw (unread mail on the first
 * run), stores each message as a channel event through the webhook path, marks it \Seen, then
 * stays in IDLE for the rest of the minute so new mail lands within a second. A dropped
 * connection or a server without IDLE (imapflow polls with NOOP then) is covered by the next run.
 */

export const EMAIL_SYNC_TASK = "channels.email.sync_mailboxes";
const EMAIL_SYNC_QUEUE = "channels.email.sync";
/** Leaves the next minute's run a moment to start before this one lets go. */
const DEFAULT_IDLE_MS = 55_000;
/** A first sync takes at most this many unread messages, the newest, so an old backlog does not flood the inbox. */
const FIRST_SYNC_LIMIT = 100;
const FETCH_BATCH = 20;
/** Messages taken per fetch pass; the rest follow on the next pass (the next EXISTS or the next run). */
const PER_PASS_LIMIT = 500;
/** Larger mail stays unread in the mailbox for a person to handle; the webhook path has the same limit. */
const MAX_MESSAGE_BYTES = 25 * 1024 * 1024;

const ZImapState = z.object({ uidValidity: z.string(), lastUid: z.number().int().min(0) });
type ImapState = z.infer<typeof ZImapState>;

const stateOf = (inbox: ChannelInbox): ImapState | null => {
  const parsed = ZImapState.safeParse(inbox.config.imapState);
  return parsed.success ? parsed.data : null;
};

/** Waits until the deadline, the worker's shutdown, or the connection closing, whichever comes first. */
const waitUntil = (deadline: number, signal: AbortSignal, client: ImapFlow) =>
  new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      client.off("close", done);
      resolve();
    };
    const timer = setTimeout(done, Math.max(0, deadline - Date.now()));
    signal.addEventListener("abort", done);
    client.on("close", done);
  });

/** Fetches, stores and marks read what is newer than the stored state; true when more is left for another pass. */
const fetchNewMail = async (context: TaskContext, inbox: ChannelInbox, client: ImapFlow): Promise<boolean> => {
  const mailbox = client.mailbox;
  if (!mailbox) return false;
  const uidValidity = String(mailbox.uidValidity);
  const [row] = await context.db.select({ config: inboxes.channelConfig }).from(inboxes).where(eq(inboxes.id, inbox.id));
  const state = stateOf({ ...inbox, config: row?.config ?? inbox.config });
  // A changed UIDVALIDITY means the server renumbered the mailbox: the old cursor means nothing.
  const isFresh = !state || state.uidValidity !== uidValidity;
  const found = isFresh
    ? ((await client.search({ seen: false }, { uid: true })) || []).slice(-FIRST_SYNC_LIMIT)
    : ((await client.search({ uid: `${state.lastUid + 1}:*` }, { uid: true })) || []).filter((uid) => uid > state.lastUid);
  // A large backlog is taken a slice per pass, oldest first; the cursor stops where the slice ends.
  const sorted = [...found].sort((a, b) => a - b);
  const candidates = sorted.slice(0, PER_PASS_LIMIT);
  const highest = candidates.reduce((max, uid) => Math.max(max, uid), 0);
  const lastUid = candidates.length < sorted.length ? highest : Math.max(isFresh ? mailbox.uidNext - 1 : state.lastUid, highest);
  const sizes = new Map<number, number>();
  if (candidates.length > 0) {
    for await (const message of client.fetch(candidates, { uid: true, size: true }, { uid: true }))
      sizes.set(message.uid, message.size ?? 0);
  }
  const wanted = candidates.filter((uid) => (sizes.get(uid) ?? 0) <= MAX_MESSAGE_BYTES);
  for (const uid of candidates.filter((candidate) => !wanted.includes(candidate))) {
    context.logger.warn(
      { inboxId: inbox.id, uid, size: sizes.get(uid) },
      "email too large to import; left unread in the mailbox",
    );
  }
  for (let start = 0; start < wanted.length || start === 0; start += FETCH_BATCH) {
    const batch = wanted.slice(start, start + FETCH_BATCH);
    const rows: Parameters<typeof storeAndEnqueue>[2] = [];
    if (batch.length > 0) {
      for await (const message of client.fetch(batch, { uid: true, source: true }, { uid: true })) {
        if (!message.source) continue;
        rows.push({
          id: newId(),
          workspaceId: inbox.workspaceId,
          inboxId: inbox.id,
          dedupeKey: emailDedupeKey(message.source, readHeaderFields(message.source)),
          payload: JSON.stringify({ source: "imap", mime: message.source.toString("base64") }),
        });
      }
    }
    const isLastBatch = start + FETCH_BATCH >= wanted.length;
    const cursor = isLastBatch ? lastUid : batch.reduce((max, uid) => Math.max(max, uid), 0);
    // The events and the cursor commit together; a crash in between re-fetches, and the dedupe key stores once.
    const isStillConnected = await context.db.transaction(async (tx) => {
      const [updated] = await tx
        .update(inboxes)
        .set({
          channelConfig: sql`${inboxes.channelConfig} || ${JSON.stringify({ imapState: { uidValidity, lastUid: cursor } })}::jsonb`,
        })
        .where(
          and(eq(inboxes.id, inbox.id), inArray(inboxes.channelStatus, ["connected", "expiring"]), isNull(inboxes.deletedAt)),
        )
        .returning({ id: inboxes.id });
      if (updated && rows.length > 0) await storeAndEnqueue(tx, "email", rows);
      return updated !== undefined;
    });
    if (!isStillConnected) return false;
    if (batch.length > 0) await client.messageFlagsAdd(batch, ["\\Seen"], { uid: true });
    if (isLastBatch) break;
  }
  return candidates.length < sorted.length;
};

/** One mailbox's run: catch up, then IDLE until the deadline, fetching whenever the server announces mail. */
const syncMailbox = async (context: TaskContext, inbox: ChannelInbox, deadline: number): Promise<void> => {
  const settings = storedImapOf(inbox);
  const password = inbox.secrets.imapPassword;
  if (!settings || !password) return;
  const log = context.logger.child({ inboxId: inbox.id });
  const client = imapClientFor({ ...settings, password }, { idle: true });
  client.on("error", (error: unknown) => log.warn({ err: error }, "IMAP connection error"));
  try {
    await client.connect();
  } catch (error) {
    const isLoginRefused = typeof error === "object" && error !== null && "authenticationFailed" in error;
    if (isLoginRefused) {
      // A wrong password stays wrong: stop trying (servers lock accounts) until an admin reconnects.
      await context.db
        .update(inboxes)
        .set({
          channelStatus: "error",
          channelError: `The IMAP server refused the login: ${serverWords(error)}`.slice(0, 1000),
          updatedAt: new Date(),
        })
        .where(eq(inboxes.id, inbox.id));
    } else log.warn({ err: error }, "IMAP server unreachable; trying again next minute");
    return;
  }
  try {
    // The lock is held per fetch only: imapflow enters IDLE only while no lock is held.
    const fetchLocked = async () => {
      const lock = await client.getMailboxLock(settings.mailbox);
      try {
        while (await fetchNewMail(context, inbox, client)) {}
      } finally {
        lock.release();
      }
    };
    let queue: Promise<unknown> = fetchLocked();
    await queue;
    const fetchAgain = () => {
      queue = queue.then(fetchLocked).catch((error: unknown) => log.warn({ err: error }, "IMAP fetch failed"));
    };
    client.on("exists", fetchAgain);
    await waitUntil(deadline, context.abortSignal, client);
    client.off("exists", fetchAgain);
    await queue;
  } catch (error) {
    log.warn({ err: error, mailbox: settings.mailbox }, "IMAP sync failed; trying again next minute");
  } finally {
    await client.logout().catch(() => client.close());
  }
};

export const ZEmailSyncPayload = z.object({
  /** How long to stay in IDLE after catching up. */
  idleMs: z.number().int().min(0).max(300_000).default(DEFAULT_IDLE_MS),
  /** Only these inboxes (all connected IMAP inboxes when left out). */
  inboxIds: z.array(z.uuid()).max(1000).optional(),
});

const pollableInboxes = (inboxIds?: string[]) =>
  and(
    eq(inboxes.type, "email"),
    inArray(inboxes.channelStatus, ["connected", "expiring"]),
    isNull(inboxes.deletedAt),
    isNotNull(sql`${inboxes.channelConfig} -> 'imap' -> 'host'`),
    inboxIds ? inArray(inboxes.id, inboxIds) : undefined,
  );

export const syncEmailMailboxesTask = defineTask({
  name: EMAIL_SYNC_TASK,
  payload: ZEmailSyncPayload,
  maxAttempts: 1,
  run: async ({ idleMs, inboxIds }, context) => {
    const deadline = Date.now() + idleMs;
    const rows = await context.db.select().from(inboxes).where(pollableInboxes(inboxIds));
    await Promise.all(rows.map((row) => syncMailbox(context, toChannelInbox(context, row), deadline)));
  },
});

/** Enqueues a sync run; its queue runs one at a time, and its key keeps at most one waiting. */
export const enqueueEmailSync = async (db: TaskContext["db"], payload: z.input<typeof ZEmailSyncPayload> = {}): Promise<void> => {
  await db.execute(sql`
    select graphile_worker.add_job(
      identifier => ${EMAIL_SYNC_TASK},
      payload => ${JSON.stringify(ZEmailSyncPayload.parse(payload))}::json,
      queue_name => ${EMAIL_SYNC_QUEUE},
      job_key => ${EMAIL_SYNC_QUEUE},
      max_attempts => 1
    )`);
};

export const scheduleEmailSyncTask = defineTask({
  name: "channels.email.schedule_sync",
  payload: z.unknown(),
  maxAttempts: 1,
  run: async (_payload, context) => {
    // Installations without IMAP inboxes get no sync job at all.
    const [any] = await context.db.select({ id: inboxes.id }).from(inboxes).where(pollableInboxes()).limit(1);
    if (any) await enqueueEmailSync(context.db);
  },
});

export const emailTasks = [syncEmailMailboxesTask, scheduleEmailSyncTask];
export const emailCron = [{ task: scheduleEmailSyncTask.name, match: "* * * * *" }];
