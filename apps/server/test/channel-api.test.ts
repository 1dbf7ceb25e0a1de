import { createHmac } from "node:crypto";
import type { TChannelConnection, TConversation, TMessage } from "@parley/shared";
import { eq } from "drizzle-orm";

type TErrorBody = { error: { code: string; message: string } };

import type { Socket } from "socket.io-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { messages } from "../src/modules/messages/messages.tables.ts";
import { type ChannelSuite, sentMessage, startChannelSuite } from "./channel-harness.ts";
import { eventually, type FakePlatform, startFakePlatform } from "./fake-platform.ts";
import { bearer, nextEvent, type TestApp } from "./helpers.ts";

describe("API channel: the framework every platform adapter plugs into", () => {
  let suite: ChannelSuite;
  let harness: TestApp;
  let baseUrl: string;
  let callback: FakePlatform;
  let token: string;
  let inboxId: string;
  let channelToken: string;
  let signingSecret: string;
  let agentSocket: Socket;

  const post = (body: unknown, headers: Record<string, string> = bearer(channelToken), path = `/webhooks/api/${inboxId}`) =>
    fetch(`${baseUrl}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body: JSON.stringify(body),
    });

  beforeAll(async () => {
    callback = await startFakePlatform();
    suite = await startChannelSuite({
      env: { WEBHOOKS_ALLOW_PRIVATE_TARGETS: "true" },
      inbox: { type: "api", name: "Shop backend" },
    });
    ({ harness, baseUrl, token, inboxId } = suite);
    const connected = await suite.connectChannel({ callbackUrl: `${callback.url}/parley` });
    expect(connected.statusCode).toBe(200);
    const connection = connected.json<TChannelConnection>();
    expect(connection).toMatchObject({
      status: "connected",
      platform: "api",
      webhookUrl: `${harness.config.publicUrl}/webhooks/api/${inboxId}`,
    });
    channelToken = connection.issuedCredentials?.token ?? "";
    signingSecret = connection.issuedCredentials?.signingSecret ?? "";
    expect(channelToken).toMatch(/^pat_/);
    agentSocket = await suite.connectAgent();
  });

  afterAll(async () => {
    await suite?.close();
    await callback?.close();
  });

  it("never shows the issued credentials again and keeps them encrypted at rest", async () => {
    const status = await suite.channelConnection();
    expect(status.json()).not.toHaveProperty("issuedCredentials");
    expect(status.body).not.toContain(channelToken);
    expect((await suite.inboxRow()).channelSecrets).not.toContain(channelToken);
  });

  it("turns an inbound message into a conversation the agent sees live, once however often it is delivered", async () => {
    const created = nextEvent<{ conversation: TConversation }>(agentSocket, "conversation.created");
    const body = {
      type: "message",
      id: "order-42-msg-1",
      contact: { id: "customer-7", name: "Ada Lovelace", email: "ada@example.com" },
      text: "Where is my order?",
    };
    const first = await post(body);
    expect(first.status).toBe(202);
    const { conversation } = await created;
    expect(conversation.contact).toMatchObject({ name: "Ada Lovelace", email: "ada@example.com" });
    expect(conversation.inbox.type).toBe("api");
    const message = await nextEvent<{ message: TMessage }>(agentSocket, "message.created");
    expect(message.message).toMatchObject({ senderType: "contact", text: "Where is my order?" });

    const again = await post(body);
    expect(again.status).toBe(202);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await suite.copiesOfExternalId("order-42-msg-1")).toBe(1);
  });

  it("refuses a wrong token with 403 and stores nothing", async () => {
    const before = await suite.storedEventCount();
    const response = await post({ type: "message", id: "forged-1", contact: { id: "x" }, text: "hi" }, bearer("pat_wrong"));
    expect(response.status).toBe(403);
    expect(((await response.json()) as TErrorBody).error.code).toBe("invalid_signature");
    const noToken = await post({ type: "message", id: "forged-2", contact: { id: "x" }, text: "hi" }, {});
    expect(noToken.status).toBe(403);
    expect(await suite.storedEventCount()).toBe(before);
  });

  it("answers malformed bodies and unknown endpoints with a 4xx, never a 500", async () => {
    const notJson = await fetch(`${baseUrl}/webhooks/api/${inboxId}`, {
      method: "POST",
      headers: bearer(channelToken),
      body: "{nope",
    });
    expect(notJson.status).toBe(400);
    const wrongShape = await post({ type: "message", contact: { id: "x" } });
    expect(wrongShape.status).toBe(400);
    expect(((await wrongShape.json()) as TErrorBody).error.message).toContain("id");
    expect(
      (await post({ type: "message", id: "a", contact: { id: "b" } }, bearer(channelToken), "/webhooks/nowhere")).status,
    ).toBe(404);
    expect((await post({}, bearer(channelToken), "/webhooks/api/not-a-uuid")).status).toBe(404);
    expect((await fetch(`${baseUrl}/webhooks/api/${inboxId}`)).status).toBe(405);
    // An inbox id nobody has: dropped quietly (the sender cannot fix it by retrying), nothing stored.
    const unknown = await post(
      { type: "message", id: "u1", contact: { id: "b" }, text: "x" },
      bearer(channelToken),
      "/webhooks/api/0190f5a2-7c1e-7000-8000-000000000000",
    );
    expect(unknown.status).toBe(202);
  });

  it("delivers an agent's reply to the callback URL, signed, and follows its statuses forward only", async () => {
    callback.on("POST", "/parley", { status: 200, json: { ok: true } });
    const conversation = await suite.firstConversation();
    const sent = await suite.postMessage(conversation.id, { clientId: "reply-1", text: "It ships **today**." });
    expect(sent.statusCode).toBe(201);
    const reply = sentMessage(sent);
    const request = await callback.waitFor((candidate) => candidate.path === "/parley");
    expect(request.json).toMatchObject({
      type: "message",
      id: reply.id,
      contact: { id: "customer-7" },
      text: "It ships **today**.",
    });
    const signature = String(request.headers["parley-signature"]);
    const [, t, v1] = /^t=(\d+),v1=([0-9a-f]+)$/.exec(signature) ?? [];
    expect(v1).toBe(
      createHmac("sha256", signingSecret)
        .update(`${t}.${request.rawBody.toString("utf8")}`)
        .digest("hex"),
    );

    const stored = await eventually(async () => {
      const row = await suite.messageByExternalId(reply.id);
      return row?.deliveryStatus === "sent" ? row : undefined;
    });
    expect(stored.externalId).toBe(reply.id);

    expect((await post({ type: "status", messageId: reply.id, status: "read" })).status).toBe(202);
    await eventually(async () => (await suite.messageByExternalId(reply.id))?.deliveryStatus === "read");
    // A late "delivered" arrives after "read": the status does not go back.
    expect((await post({ type: "status", messageId: reply.id, status: "delivered" })).status).toBe(202);
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect((await suite.messageByExternalId(reply.id))?.deliveryStatus).toBe("read");
  });

  it("fails a reply the callback refuses with its reason, and sends it when the agent retries", async () => {
    callback.on("POST", "/parley", { status: 422, body: "unknown customer" }, { once: true });
    const conversation = await suite.firstConversation();
    const sent = await suite.postMessage(conversation.id, { clientId: "reply-2", text: "Refused at first" });
    const messageId = sentMessage(sent).id;
    const failed = await suite.messageWithStatus(messageId, "failed");
    expect(failed.deliveryError).toContain("422");
    expect(failed.deliveryError).toContain("unknown customer");

    const retried = await harness.app.inject({
      method: "POST",
      url: `/api/v1/messages/${messageId}/retry`,
      headers: bearer(token),
    });
    expect(retried.statusCode).toBe(202);
    await suite.messageWithStatus(messageId, "sent");
    const again = await harness.app.inject({
      method: "POST",
      url: `/api/v1/messages/${messageId}/retry`,
      headers: bearer(token),
    });
    expect(again.statusCode).toBe(409);
  });

  it("refuses replies in a disconnected inbox and drops its webhooks", async () => {
    const conversation = await suite.firstConversation();
    const disconnected = await suite.disconnectChannel();
    expect(disconnected.json()).toMatchObject({ status: "disconnected" });
    const refused = await suite.postMessage(conversation.id, { clientId: "reply-3", text: "Nobody will get this" });
    expect(refused.statusCode).toBe(409);
    expect(refused.json().error.code).toBe("channel_not_connected");
    const [kept] = await harness.database.db.select().from(messages).where(eq(messages.clientId, "reply-3"));
    expect(kept).toBeUndefined();
    // The old token no longer opens the door: the credentials were erased.
    expect((await post({ type: "message", id: "after-1", contact: { id: "c" }, text: "x" })).status).toBe(403);

    const audit = await harness.app.inject({ method: "GET", url: "/api/v1/audit-log", headers: bearer(token) });
    const actions = (audit.json().items as Array<{ action: string }>).map((entry) => entry.action);
    expect(actions).toEqual(expect.arrayContaining(["inbox.channel_connected", "inbox.channel_disconnected"]));
  });

  it("validates connect input and refuses website inboxes", async () => {
    const bad = await suite.connectChannel({ callbackUrl: "ftp://nope" });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.details[0].path).toBe("credentials.callbackUrl");
    const website = await harness.app.inject({
      method: "POST",
      url: "/api/v1/inboxes",
      headers: bearer(token),
      payload: { type: "website", name: "Site" },
    });
    const refused = await suite.connectChannel({}, website.json().id);
    expect(refused.statusCode).toBe(400);
  });
});
