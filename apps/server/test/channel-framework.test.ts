import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyInboundEvent, StatusBeforeMessage } from "../src/modules/channels/apply-inbound.ts";
import { findChannelInbox } from "../src/modules/channels/channel-inboxes.ts";
import { messages } from "../src/modules/messages/messages.tables.ts";
import type { Worker } from "../src/platform/queue/worker.ts";
import { storageFor } from "../src/platform/storage.ts";
import { eventually, type FakePlatform, startFakePlatform } from "./fake-platform.ts";
import { bearer, signUp, startTestApp, startTestWorker, type TestApp } from "./helpers.ts";

/** What every adapter gets from the framework, shown with Telegram's fake (the simplest platform to script). */
describe("channel framework guarantees", () => {
  const TOKEN = "987654321:AAFrameworkTestTokenAbcdefghijkl";
  const CHAT_ID = 2222222;
  let harness: TestApp;
  let worker: Worker;
  let telegram: FakePlatform;
  let token: string;

  const createInbox = async (name: string) => {
    const created = await harness.app.inject({
      method: "POST",
      url: "/api/v1/inboxes",
      headers: bearer(token),
      payload: { type: "telegram", name },
    });
    return created.json().id as string;
  };
  const connect = (inboxId: string) =>
    harness.app.inject({
      method: "PUT",
      url: `/api/v1/inboxes/${inboxId}/channel`,
      headers: bearer(token),
      payload: { credentials: { botToken: TOKEN } },
    });
  const calls = (method: string) => telegram.requests.filter((request) => request.path === `/bot${TOKEN}/${method}`);

  beforeAll(async () => {
    telegram = await startFakePlatform();
    harness = await startTestApp({ env: { TELEGRAM_API_URL: telegram.url } });
    await harness.listen();
    worker = await startTestWorker(harness);
    token = (await signUp(harness.app)).token;
    telegram.on("POST", `/bot${TOKEN}/getMe`, {
      json: { ok: true, result: { id: 987654321, is_bot: true, first_name: "Acme", username: "acme_bot" } },
    });
    telegram.on("POST", `/bot${TOKEN}/setWebhook`, { json: { ok: true, result: true } });
    telegram.on("POST", `/bot${TOKEN}/deleteWebhook`, { json: { ok: true, result: true } });
    telegram.on("GET", `/bot${TOKEN}/getMe`, {
      json: { ok: true, result: { id: 987654321, is_bot: true, first_name: "Acme", username: "acme_bot" } },
    });
  });

  afterAll(async () => {
    await worker?.stop();
    await harness?.close();
    await telegram?.close();
  });

  it("refuses an account another inbox holds before touching the platform, so that inbox keeps its webhook", async () => {
    const first = await createInbox("Bot A");
    expect((await connect(first)).statusCode).toBe(200);
    const registrations = calls("setWebhook").length;
    const second = await createInbox("Bot B");
    const refused = await connect(second);
    expect(refused.statusCode).toBe(409);
    expect(refused.json().error.code).toBe("conflict");
    expect(calls("setWebhook").length).toBe(registrations);
    const status = await harness.app.inject({ method: "GET", url: `/api/v1/inboxes/${first}/channel`, headers: bearer(token) });
    expect(status.json()).toMatchObject({ status: "connected", channelKey: "987654321" });

    // Deleting the connected inbox unregisters its webhook on the platform first.
    const deletions = calls("deleteWebhook").length;
    const deleted = await harness.app.inject({ method: "DELETE", url: `/api/v1/inboxes/${first}`, headers: bearer(token) });
    expect(deleted.statusCode).toBe(204);
    expect(calls("deleteWebhook").length).toBe(deletions + 1);
    // The account is free again for another inbox.
    expect((await connect(second)).statusCode).toBe(200);
  });

  it("keeps a status that arrives before its message for a retry, and drops an old one", async () => {
    const inboxId = await createInbox("Bot C");
    const found = await findChannelInbox(harness.app.parley, inboxId);
    if (!found) throw new Error("no inbox");
    const storage = storageFor(harness.config);
    const status = { kind: "status" as const, externalId: "nowhere:1", status: "delivered" as const };
    await expect(applyInboundEvent(harness.app.parley, storage, found.inbox, status, new Date())).rejects.toBeInstanceOf(
      StatusBeforeMessage,
    );
    await expect(
      applyInboundEvent(harness.app.parley, storage, found.inbox, status, new Date(Date.now() - 10 * 60_000)),
    ).resolves.toBeUndefined();
  });

  it("shows a reply once when the platform's echo of it was stored before the send was recorded", async () => {
    const inboxes = await harness.app.inject({ method: "GET", url: "/api/v1/inboxes", headers: bearer(token) });
    const inboxId = (inboxes.json().items as Array<{ id: string; name: string }>).find((inbox) => inbox.name === "Bot B")?.id;
    if (!inboxId) throw new Error("no connected inbox");
    const secret = (await findChannelInbox(harness.app.parley, inboxId))?.inbox.secrets.webhookSecret;
    // A contact writes, so there is a conversation to answer.
    const inbound = await fetch(`${harness.baseUrl()}/webhooks/telegram/${inboxId}`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-telegram-bot-api-secret-token": secret ?? "" },
      body: JSON.stringify({
        update_id: 9001,
        message: {
          message_id: 1,
          date: 1700000000,
          chat: { id: CHAT_ID, type: "private", first_name: "Ada" },
          from: { id: CHAT_ID, is_bot: false, first_name: "Ada" },
          text: "Hello",
        },
      }),
    });
    expect(inbound.status).toBe(200);
    const conversationId = await eventually(async () => {
      const [row] = await harness.database.db
        .select({ conversationId: messages.conversationId })
        .from(messages)
        .where(and(eq(messages.inboxId, inboxId), eq(messages.externalId, `${CHAT_ID}:1`)));
      return row?.conversationId;
    });
    // The platform's copy of our reply (as its own app would show it) is already stored.
    const echoId = `${CHAT_ID}:777`;
    const [conversation] = await harness.database.pool
      .query("select workspace_id from conversations where id = $1", [conversationId])
      .then((result) => result.rows as Array<{ workspace_id: string }>);
    await harness.database.db.insert(messages).values({
      workspaceId: conversation?.workspace_id ?? "",
      conversationId,
      inboxId,
      senderType: "agent",
      senderId: null,
      text: "On its way",
      content: { sentFromPlatform: true },
      externalId: echoId,
    });
    telegram.on(
      "POST",
      `/bot${TOKEN}/sendMessage`,
      { json: { ok: true, result: { message_id: 777, date: 1700000001, chat: { id: CHAT_ID, type: "private" } } } },
      { once: true },
    );
    const sent = await harness.app.inject({
      method: "POST",
      url: `/api/v1/conversations/${conversationId}/messages`,
      headers: bearer(token),
      payload: { clientId: "echo-race-1", text: "On its way" },
    });
    const replyId: string = (sent.json().message ?? sent.json()).id;
    const ours = await eventually(async () => {
      const [row] = await harness.database.db.select().from(messages).where(eq(messages.id, replyId));
      return row?.deliveryStatus === "sent" ? row : undefined;
    });
    expect(ours.externalId).toBe(echoId);
    const visible = await harness.database.pool.query(
      "select id from messages where conversation_id = $1 and text = 'On its way' and deleted_at is null",
      [conversationId],
    );
    expect(visible.rows.map((row) => row.id)).toEqual([replyId]);
  });
});
