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
import { eventually } from "./fake-platform.ts";
import { bearer, connectAgent, nextEventMatching, signUp, startTestApp, startTestWorker } from "./helpers.ts";

type NewInbox = { type: string; name: string };

/**
 * What every channel test file starts from: the app with the channel's settings, listening (platforms
 * post webhooks to it over HTTP), the job worker that delivers replies, a signed-up agent and the
 * inbox under test; files go to a data folder of the suite's own. The suite reads back, as the agent
 * or from the database, what its tests check; a method taking an inbox id defaults to the inbox under test.
 */
export const startChannelSuite = async (options: { env?: Record<string, string>; inbox: NewInbox; agentName?: string }) => {
  const cleanups: Array<() => unknown> = [];
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
    const { db } = harness.database;

    /** An inbox created through the API, as an admin does before connecting its channel. */
    const createInbox = async (inbox: NewInbox) => {
      const created = await harness.app.inject({
        method: "POST",
        url: "/api/v1/inboxes",
        headers: bearer(token),
        payload: inbox,
      });
      if (created.statusCode !== 201) throw new Error(`inbox creation failed: ${created.statusCode} ${created.body}`);
      return created.json().id as string;
    };
    const inboxId = await createInbox(options.inbox);

    const messageRow = async (id: string) => {
      const [row] = await db.select().from(messages).where(eq(messages.id, id));
      return row;
    };

    return {
      harness,
      baseUrl,
      /** The signed-up agent's session token. */
      token,
      /** The inbox under test, created but not yet connected. */
      inboxId,
      createInbox,
      /** A live agent socket, closed with the suite. */
      connectAgent: async () => {
        const socket = await connectAgent(baseUrl, { token });
        cleanups.push(() => socket.close());
        return socket;
      },
      /** Stops everything started, newest first. */
      close,

      /** Connects (or reconnects) an inbox's channel with these credentials, as the settings page does. */
      connectChannel: (credentials: Record<string, unknown>, id = inboxId) =>
        harness.app.inject({
          method: "PUT",
          url: `/api/v1/inboxes/${id}/channel`,
          headers: bearer(token),
          payload: { credentials },
        }),
      /** The inbox's channel connection as the settings page shows it. */
      channelConnection: (id = inboxId) =>
        harness.app.inject({ method: "GET", url: `/api/v1/inboxes/${id}/channel`, headers: bearer(token) }),
      disconnectChannel: (id = inboxId) =>
        harness.app.inject({ method: "DELETE", url: `/api/v1/inboxes/${id}/channel`, headers: bearer(token) }),

      inboxRow: async (id = inboxId) => {
        const [row] = await db.select().from(inboxes).where(eq(inboxes.id, id));
        if (!row) throw new Error(`no inbox ${id}`);
        return row;
      },
      /** Webhook events stored for an inbox: a refused or dropped webhook stores none. */
      storedEventCount: async (id = inboxId) => {
        const [row] = await db.select({ value: count() }).from(channelEvents).where(eq(channelEvents.inboxId, id));
        return row?.value ?? 0;
      },
      /** Resolves once the worker has processed the inbox's event with this dedupe key. */
      eventProcessed: (dedupeKey: string) =>
        eventually(async () => {
          const [event] = await db
            .select()
            .from(channelEvents)
            .where(and(eq(channelEvents.inboxId, inboxId), eq(channelEvents.dedupeKey, dedupeKey)));
          return event?.processedAt ? event : undefined;
        }),
      messageRow,
      /** A message by the platform's id for it. */
      messageByExternalId: async (externalId: string) => {
        const [row] = await db
          .select()
          .from(messages)
          .where(and(eq(messages.inboxId, inboxId), eq(messages.externalId, externalId)));
        return row;
      },
      /** Messages with this platform id in any inbox: a redelivered webhook must not add one. */
      copiesOfExternalId: async (externalId: string) => {
        const [row] = await db.select({ value: count() }).from(messages).where(eq(messages.externalId, externalId));
        return row?.value ?? 0;
      },
      /** Waits for a message's delivery status (the worker sends replies) and returns its row. */
      messageWithStatus: (id: string, status: string, timeoutMs?: number) =>
        eventually(async () => {
          const row = await messageRow(id);
          return row?.deliveryStatus === status ? row : undefined;
        }, timeoutMs),

      /** The inbox's newest conversation, as the agent's list shows it. */
      firstConversation: async () => {
        const list = await harness.app.inject({
          method: "GET",
          url: `/api/v1/conversations?inboxId=${inboxId}`,
          headers: bearer(token),
        });
        const [conversation] = list.json().items as TConversation[];
        if (!conversation) throw new Error("no conversation");
        return conversation;
      },
      /** The agent's message (a reply to the contact) posted through the API. */
      postMessage: (conversationId: string, payload: Record<string, unknown>) =>
        harness.app.inject({
          method: "POST",
          url: `/api/v1/conversations/${conversationId}/messages`,
          headers: bearer(token),
          payload,
        }),
      /** Uploads a file as the agent does before attaching it to a reply; returns its id. */
      uploadAttachment: async (file: { name: string; bytes: Buffer; type: string }) => {
        const form = new FormData();
        form.append("file", new Blob([new Uint8Array(file.bytes)], { type: file.type }), file.name);
        const uploaded = await fetch(`${baseUrl}/api/v1/attachments`, { method: "POST", headers: bearer(token), body: form });
        expect(uploaded.status).toBe(201);
        return ((await uploaded.json()) as { id: string }).id;
      },
    };
  } catch (error) {
    // A half-started suite still stops what it started: afterAll never sees it.
    await close();
    throw error;
  }
};
export type ChannelSuite = Awaited<ReturnType<typeof startChannelSuite>>;

/** The message a send answered with. */
export const sentMessage = (response: { json: () => unknown }): TMessage => {
  const body = response.json() as { message?: TMessage } & TMessage;
  return body.message ?? body;
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
