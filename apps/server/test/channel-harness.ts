import { createHmac } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { TConversation, TMessage } from "@parley/shared";
import { and, count, eq } from "drizzle-orm";
import type { Socket } from "socket.io-client";
import { expect } from "vitest";
import { channelEvents } from "../src/modules/channels/channels.tables.ts";
import { inboxes } from "../src/modules/inboxes/inboxes.tables.ts";
import { messages } from "../src/modules/messages/messages.tables.ts";
import type { Worker } from "../src/platform/queue/worker.ts";
import { eventually } from "./fake-platform.ts";
import { bearer, connectAgent, nextEvent, signUp, startTestApp, startTestWorker, type TestApp } from "./helpers.ts";

type Database = Pick<TestApp, "database">;

export type ChannelSuite = {
  harness: TestApp;
  worker: Worker;
  baseUrl: string;
  /** The signed-up agent's session token. */
  token: string;
  /** The inbox under test, created but not yet connected. */
  inboxId: string;
  /** A live agent socket, closed with the suite. */
  connectAgent: () => Promise<Socket>;
  /** Stops everything started, newest first. */
  close: () => Promise<void>;
};

/** An inbox created through the API, as an admin does before connecting its channel. */
export const createInbox = async (harness: TestApp, token: string, inbox: { type: string; name: string }) => {
  const created = await harness.app.inject({ method: "POST", url: "/api/v1/inboxes", headers: bearer(token), payload: inbox });
  if (created.statusCode !== 201) throw new Error(`inbox creation failed: ${created.statusCode} ${created.body}`);
  return created.json().id as string;
};

/**
 * What every channel test file starts from: the app with the channel's settings, listening (platforms
 * post webhooks to it over HTTP), the job worker that delivers replies, a signed-up agent and the
 * inbox under test. Files are stored in a data folder of the suite's own, removed on close.
 */
export const startChannelSuite = async (options: {
  env?: Record<string, string>;
  inbox: { type: string; name: string };
  agentName?: string;
}): Promise<ChannelSuite> => {
  const cleanups: Array<() => Promise<unknown> | unknown> = [];
  const close = async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  };
  try {
    const dataDir = await mkdtemp(path.join(tmpdir(), `parley-${options.inbox.type}-`));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    const harness = await startTestApp({ env: { PARLEY_DATA_DIR: dataDir, ...options.env } });
    cleanups.push(() => harness.close());
    const baseUrl = await harness.listen();
    const worker = await startTestWorker(harness);
    cleanups.push(() => worker.stop());
    const token = (await signUp(harness.app, options.agentName ? { name: options.agentName } : {})).token;
    const inboxId = await createInbox(harness, token, options.inbox);
    return {
      harness,
      worker,
      baseUrl,
      token,
      inboxId,
      connectAgent: async () => {
        const socket = await connectAgent(baseUrl, { token });
        cleanups.push(() => socket.close());
        return socket;
      },
      close,
    };
  } catch (error) {
    // A half-started suite still stops what it started: afterAll never sees it.
    await close();
    throw error;
  }
};

/** The next `event` whose payload matches, skipping others (earlier tests' events may still be buffered). */
export const nextEventMatching = async <T>(
  socket: Socket,
  event: string,
  match: (payload: T) => boolean,
  timeoutMs?: number,
): Promise<T> => {
  for (;;) {
    const payload = await nextEvent<T>(socket, event, timeoutMs);
    if (match(payload)) return payload;
  }
};

/** The next message a contact wrote, as the agent's socket hears of it (agents' own replies are heard too). */
export const nextContactMessage = async (socket: Socket, timeoutMs?: number): Promise<TMessage> => {
  const { message } = await nextEventMatching<{ message: TMessage }>(
    socket,
    "message.created",
    (payload) => payload.message.senderType === "contact",
    timeoutMs,
  );
  return message;
};

/** Webhook events stored for an inbox: a refused or dropped webhook stores none. */
export const storedEventCount = async (harness: Database, inboxId: string) => {
  const [row] = await harness.database.db
    .select({ value: count() })
    .from(channelEvents)
    .where(eq(channelEvents.inboxId, inboxId));
  return row?.value ?? 0;
};

/** Resolves once the worker has processed the inbox's event with this dedupe key. */
export const eventProcessed = (harness: Database, inboxId: string, dedupeKey: string) =>
  eventually(async () => {
    const [event] = await harness.database.db
      .select()
      .from(channelEvents)
      .where(and(eq(channelEvents.inboxId, inboxId), eq(channelEvents.dedupeKey, dedupeKey)));
    return event?.processedAt ? event : undefined;
  });

export const messageRow = async (harness: Database, id: string) => {
  const [row] = await harness.database.db.select().from(messages).where(eq(messages.id, id));
  return row;
};

/** A message by the platform's id for it, within one inbox. */
export const messageByExternalId = async (harness: Database, inboxId: string, externalId: string) => {
  const [row] = await harness.database.db
    .select()
    .from(messages)
    .where(and(eq(messages.inboxId, inboxId), eq(messages.externalId, externalId)));
  return row;
};

/** How many messages carry this platform id in any inbox: a redelivered webhook must not add one. */
export const copiesOfExternalId = async (harness: Database, externalId: string) => {
  const [row] = await harness.database.db.select({ value: count() }).from(messages).where(eq(messages.externalId, externalId));
  return row?.value ?? 0;
};

/** Waits for a message's delivery status (replies are sent by the worker) and returns its row. */
export const messageWithStatus = (harness: Database, id: string, status: string, timeoutMs?: number) =>
  eventually(async () => {
    const row = await messageRow(harness, id);
    return row?.deliveryStatus === status ? row : undefined;
  }, timeoutMs);

export const inboxRow = async (harness: Database, inboxId: string) => {
  const [row] = await harness.database.db.select().from(inboxes).where(eq(inboxes.id, inboxId));
  if (!row) throw new Error(`no inbox ${inboxId}`);
  return row;
};

/** The inbox's newest conversation as the agent's conversation list shows it. */
export const firstConversation = async (harness: TestApp, token: string, inboxId: string) => {
  const list = await harness.app.inject({
    method: "GET",
    url: `/api/v1/conversations?inboxId=${inboxId}`,
    headers: bearer(token),
  });
  const [conversation] = list.json().items as TConversation[];
  if (!conversation) throw new Error("no conversation");
  return conversation;
};

/** An agent's message (a reply to the contact) posted through the API. */
export const postMessage = (harness: TestApp, token: string, conversationId: string, payload: Record<string, unknown>) =>
  harness.app.inject({
    method: "POST",
    url: `/api/v1/conversations/${conversationId}/messages`,
    headers: bearer(token),
    payload,
  });

/** The message a send answered with. */
export const sentMessage = (response: { json: () => unknown }): TMessage => {
  const body = response.json() as { message?: TMessage } & TMessage;
  return body.message ?? body;
};

/** Uploads a file as the agent does before attaching it to a reply; returns the attachment's id. */
export const uploadAttachment = async (baseUrl: string, token: string, file: { name: string; bytes: Buffer; type: string }) => {
  const form = new FormData();
  form.append("file", new Blob([new Uint8Array(file.bytes)], { type: file.type }), file.name);
  const uploaded = await fetch(`${baseUrl}/api/v1/attachments`, { method: "POST", headers: bearer(token), body: form });
  expect(uploaded.status).toBe(201);
  return ((await uploaded.json()) as { id: string }).id;
};

/** Meta's X-Hub-Signature-256 (Messenger, Instagram and WhatsApp alike): HMAC-SHA256 of the exact body. */
export const metaSignature = (body: string, appSecret: string) =>
  `sha256=${createHmac("sha256", appSecret).update(body).digest("hex")}`;

/**
 * Posts a webhook as Meta does, signed with the app secret. `signature` replaces that header, or
 * leaves it out when null; a string payload is sent as is, so a test can sign other bytes than it sends.
 */
export const postMetaWebhook = (url: string, payload: unknown, appSecret: string, signature?: string | null) => {
  const body = typeof payload === "string" ? payload : JSON.stringify(payload);
  const header = signature === undefined ? metaSignature(body, appSecret) : signature;
  return fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...(header === null ? {} : { "x-hub-signature-256": header }) },
    body,
  });
};
