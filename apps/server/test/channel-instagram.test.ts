import { createHmac } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { TChannelConnection, TConversation, TMessage } from "@parley/shared";
import { and, count, eq } from "drizzle-orm";
import sharp from "sharp";
import type { Socket } from "socket.io-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { channelEvents } from "../src/modules/channels/channels.tables.ts";
import { contacts } from "../src/modules/contacts/contacts.tables.ts";
import { messageEdits, messageReactions, messages } from "../src/modules/messages/messages.tables.ts";
import type { Worker } from "../src/platform/queue/worker.ts";
import { eventually, type FakePlatform, startFakePlatform } from "./fake-platform.ts";
import { bearer, connectAgent, nextEvent, signUp, startTestApp, startTestWorker, type TestApp } from "./helpers.ts";

/**
 * Instagram (a professional account linked to a Facebook page) end to end against a local fake
 * of the Graph API. Webhook payloads follow Meta's Instagram messaging webhook reference:
 * https://developers.facebook.com/docs/messenger-platform/instagram/features/webhook
 * https://developers.facebook.com/docs/instagram-platform/webhooks/examples/
 * Sending: https://developers.facebook.com/docs/messenger-platform/instagram/features/send-message
 */

const APP_ID = "2123260635151224";
const APP_SECRET = "instagram-app-secret";
const VERIFY_TOKEN = "ig-verify-token-1";
const PAGE_ID = "1029384756";
const PLAIN_PAGE_ID = "5647382910";
const IG_ID = "17841405822304914";
const PAGE_TOKEN = "EAAGinstagrampagetoken0123456789";
const IGSID = "6802731234567890";
const V = "/v23.0";

describe("Instagram: a professional account's DMs as an inbox", () => {
  let harness: TestApp;
  let worker: Worker;
  let baseUrl: string;
  let meta: FakePlatform;
  let token: string;
  let inboxId: string;
  let agentSocket: Socket;
  let dataDir: string;
  let sentCount = 0;

  const signatureOf = (body: string, secret = APP_SECRET) => `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;

  const deliver = (payload: unknown, signature: string | null = "valid") => {
    const body = typeof payload === "string" ? payload : JSON.stringify(payload);
    return fetch(`${baseUrl}/webhooks/instagram`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        ...(signature === null ? {} : { "x-hub-signature-256": signature === "valid" ? signatureOf(body) : signature }),
      },
      body,
    });
  };

  const igWebhook = (...messaging: unknown[]) => ({
    object: "instagram",
    entry: [{ id: IG_ID, time: Date.now(), messaging }],
  });
  const fromContact = (event: Record<string, unknown>) => ({
    sender: { id: IGSID },
    recipient: { id: IG_ID },
    timestamp: Date.now(),
    ...event,
  });

  const messageByExternalId = async (externalId: string) => {
    const [row] = await harness.database.db
      .select()
      .from(messages)
      .where(and(eq(messages.inboxId, inboxId), eq(messages.externalId, externalId)));
    return row;
  };
  const messageRow = async (id: string) => {
    const [row] = await harness.database.db.select().from(messages).where(eq(messages.id, id));
    return row;
  };
  const theConversation = async () => {
    const [conversation] = (
      await harness.app.inject({ method: "GET", url: `/api/v1/conversations?inboxId=${inboxId}`, headers: bearer(token) })
    ).json().items as TConversation[];
    if (!conversation) throw new Error("no conversation");
    return conversation;
  };
  const reply = async (body: Record<string, unknown>) => {
    const conversation = await theConversation();
    const response = await harness.app.inject({
      method: "POST",
      url: `/api/v1/conversations/${conversation.id}/messages`,
      headers: bearer(token),
      payload: body,
    });
    return { response, message: (response.json().message ?? response.json()) as TMessage };
  };
  const sendRequests = () =>
    meta.requests.filter((request) => request.method === "POST" && request.path === `${V}/${PAGE_ID}/messages`);
  const eventMatching = async <T>(event: string, match: (payload: T) => boolean): Promise<T> => {
    for (;;) {
      const payload = await nextEvent<T>(agentSocket, event);
      if (match(payload)) return payload;
    }
  };
  const upload = async (name: string, bytes: Buffer, type: string) => {
    const form = new FormData();
    form.append("file", new Blob([new Uint8Array(bytes)], { type }), name);
    const response = await fetch(`${baseUrl}/api/v1/attachments`, { method: "POST", headers: bearer(token), body: form });
    expect(response.status).toBe(201);
    return ((await response.json()) as { id: string }).id;
  };

  beforeAll(async () => {
    meta = await startFakePlatform();
    dataDir = await mkdtemp(path.join(tmpdir(), "parley-instagram-"));
    harness = await startTestApp({
      env: {
        PARLEY_DATA_DIR: dataDir,
        META_GRAPH_URL: meta.url,
        META_APP_ID: APP_ID,
        META_APP_SECRET: APP_SECRET,
        META_VERIFY_TOKEN: VERIFY_TOKEN,
      },
    });
    baseUrl = await harness.listen();
    worker = await startTestWorker(harness);
    token = (await signUp(harness.app)).token;
    const created = await harness.app.inject({
      method: "POST",
      url: "/api/v1/inboxes",
      headers: bearer(token),
      payload: { type: "instagram", name: "Acme on Instagram" },
    });
    inboxId = created.json().id;

    meta.on("GET", `${V}/${PAGE_ID}`, {
      json: { id: PAGE_ID, name: "Acme Shop", instagram_business_account: { id: IG_ID, username: "acme.shop" } },
    });
    meta.on("GET", `${V}/${PLAIN_PAGE_ID}`, { json: { id: PLAIN_PAGE_ID, name: "Acme Blog" } });
    meta.on("POST", `${V}/${PAGE_ID}/subscribed_apps`, { json: { success: true } });
    meta.on("GET", `${V}/${IGSID}`, {
      json: { name: "Maya Ortiz", username: "maya.ortiz", profile_pic: "https://scontent.cdninstagram.com/maya.jpg" },
    });
    meta.on("POST", `${V}/${PAGE_ID}/messages`, (request) => ({
      json: {
        recipient_id: (request.json as { recipient: { id: string } }).recipient.id,
        message_id: `aWdf_sent_${++sentCount}`,
      },
    }));
    agentSocket = await connectAgent(baseUrl, { token });
  });

  afterAll(async () => {
    agentSocket?.close();
    await worker?.stop();
    await harness?.close();
    await meta?.close();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it("refuses a page without a linked Instagram professional account", async () => {
    const refused = await harness.app.inject({
      method: "PUT",
      url: `/api/v1/inboxes/${inboxId}/channel`,
      headers: bearer(token),
      payload: { credentials: { pageId: PLAIN_PAGE_ID, pageAccessToken: PAGE_TOKEN } },
    });
    expect(refused.statusCode).toBe(422);
    expect(refused.json().error.message).toContain("no linked Instagram professional account");
  });

  it("connects the Instagram account linked to a page and routes by its Instagram id", async () => {
    const connected = await harness.app.inject({
      method: "PUT",
      url: `/api/v1/inboxes/${inboxId}/channel`,
      headers: bearer(token),
      payload: { credentials: { pageId: PAGE_ID, pageAccessToken: PAGE_TOKEN } },
    });
    expect(connected.statusCode).toBe(200);
    expect(connected.json<TChannelConnection>()).toMatchObject({
      status: "connected",
      platform: "instagram",
      channelKey: IG_ID,
      displayName: "@acme.shop",
      webhookUrl: `${harness.config.publicUrl}/webhooks/instagram`,
    });
    const lookup = meta.requests.find((request) => request.path === `${V}/${PAGE_ID}`);
    expect(lookup?.query.get("fields")).toBe("id,name,instagram_business_account{id,username}");
    expect(lookup?.headers.authorization).toBe(`Bearer ${PAGE_TOKEN}`);
    expect(meta.requests.some((request) => request.method === "POST" && request.path === `${V}/${PAGE_ID}/subscribed_apps`)).toBe(
      true,
    );
  });

  it("verifies the handshake and signatures, and rejects malformed or misrouted webhooks", async () => {
    const ok = await fetch(`${baseUrl}/webhooks/instagram?hub.mode=subscribe&hub.verify_token=${VERIFY_TOKEN}&hub.challenge=42`);
    expect(await ok.text()).toBe("42");
    expect((await fetch(`${baseUrl}/webhooks/instagram?hub.mode=subscribe&hub.verify_token=x&hub.challenge=42`)).status).toBe(
      403,
    );
    const body = JSON.stringify(igWebhook(fromContact({ message: { mid: "forged", text: "hi" } })));
    expect((await deliver(body, signatureOf(body, "wrong-secret"))).status).toBe(403);
    const [stored] = await harness.database.db
      .select({ value: count() })
      .from(channelEvents)
      .where(eq(channelEvents.inboxId, inboxId));
    expect(stored?.value).toBe(0);
    expect((await deliver({ object: "page", entry: [] })).status).toBe(400);
    expect((await deliver("[]")).status).toBe(400);
  });

  it("turns a documented DM into a conversation the agent sees, with the sender's Instagram name", async () => {
    const created = nextEvent<{ conversation: TConversation }>(agentSocket, "conversation.created");
    const payload = igWebhook(fromContact({ message: { mid: "aWdfMESSAGE-ID-1", text: "Is the blue jacket in stock?" } }));
    expect((await deliver(payload)).status).toBe(200);
    const { conversation } = await created;
    expect(conversation.inbox.type).toBe("instagram");
    const { message } = await eventMatching<{ message: TMessage }>(
      "message.created",
      (event) => event.message.text === "Is the blue jacket in stock?",
    );
    expect(message.senderType).toBe("contact");
    const contact = await eventually(async () => {
      const [row] = await harness.database.db.select().from(contacts).where(eq(contacts.id, conversation.contact.id));
      return row?.name ? row : undefined;
    });
    expect(contact).toMatchObject({ name: "Maya Ortiz", avatarUrl: "https://scontent.cdninstagram.com/maya.jpg" });
    expect(meta.requests.find((request) => request.path === `${V}/${IGSID}`)?.query.get("fields")).toBe(
      "name,username,profile_pic",
    );
    await deliver(payload);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const [copies] = await harness.database.db
      .select({ value: count() })
      .from(messages)
      .where(eq(messages.externalId, "aWdfMESSAGE-ID-1"));
    expect(copies?.value).toBe(1);
  });

  it("keeps story mentions and story replies with their links, and quick replies and postbacks as answers", async () => {
    await deliver(
      igWebhook(
        fromContact({
          message: {
            mid: "aWdf_mention_1",
            attachments: [
              { type: "story_mention", payload: { url: "https://lookaside.fbsbx.com/ig_messaging_cdn/?asset_id=1" } },
            ],
          },
        }),
      ),
    );
    const mention = await eventually(async () => messageByExternalId("aWdf_mention_1"));
    expect(mention.content).toMatchObject({ storyMention: { url: "https://lookaside.fbsbx.com/ig_messaging_cdn/?asset_id=1" } });

    await deliver(
      igWebhook(
        fromContact({
          message: {
            mid: "aWdf_story_reply_1",
            text: "Love this look!",
            reply_to: { story: { url: "https://lookaside.fbsbx.com/ig_messaging_cdn/?asset_id=2", id: "17890455602215306" } },
          },
        }),
      ),
    );
    const storyReply = await eventually(async () => messageByExternalId("aWdf_story_reply_1"));
    expect(storyReply).toMatchObject({
      text: "Love this look!",
      content: { storyReply: { url: "https://lookaside.fbsbx.com/ig_messaging_cdn/?asset_id=2", id: "17890455602215306" } },
    });

    await deliver(
      igWebhook(fromContact({ message: { mid: "aWdf_quick_1", text: "Size M", quick_reply: { payload: "SIZE_M" } } })),
    );
    await deliver(igWebhook(fromContact({ postback: { mid: "aWdf_postback_1", title: "Track my order", payload: "TRACK" } })));
    expect((await eventually(async () => messageByExternalId("aWdf_quick_1"))).content).toEqual({
      postback: { payload: "SIZE_M", title: "Size M" },
    });
    expect(await eventually(async () => messageByExternalId("aWdf_postback_1"))).toMatchObject({
      text: "Track my order",
      content: { postback: { payload: "TRACK", title: "Track my order" } },
    });
  });

  it("applies reactions, edits and unsends to the messages they name", async () => {
    await deliver(
      igWebhook(fromContact({ reaction: { mid: "aWdfMESSAGE-ID-1", action: "react", reaction: "love", emoji: "❤️" } })),
    );
    const target = await eventually(async () => messageByExternalId("aWdfMESSAGE-ID-1"));
    await eventually(async () => {
      const [row] = await harness.database.db.select().from(messageReactions).where(eq(messageReactions.messageId, target.id));
      return row?.emoji === "❤️" ? row : undefined;
    });

    await deliver(
      igWebhook(
        fromContact({ message_edit: { mid: "aWdfMESSAGE-ID-1", text: "Is the blue jacket in stock in M?", num_edit: 1 } }),
      ),
    );
    const edited = await eventually(async () => {
      const row = await messageRow(target.id);
      return row?.editedAt ? row : undefined;
    });
    expect(edited.text).toBe("Is the blue jacket in stock in M?");
    const [previous] = await harness.database.db.select().from(messageEdits).where(eq(messageEdits.messageId, target.id));
    expect(previous?.previousText).toBe("Is the blue jacket in stock?");

    await deliver(igWebhook(fromContact({ message: { mid: "aWdf_quick_1", is_deleted: true } })));
    const unsent = await eventually(async () => {
      const row = await messageByExternalId("aWdf_quick_1");
      return row?.deletedAt ? row : undefined;
    });
    expect(unsent.deletedAt).toBeInstanceOf(Date);
  });

  it("sends an agent's reply as the exact Send API request and marks it read when Instagram says so", async () => {
    const { response, message } = await reply({ clientId: "ig-reply-1", text: "Yes! Size M is in stock." });
    expect(response.statusCode).toBe(201);
    const request = await meta.waitFor((candidate) => JSON.stringify(candidate.json).includes("Size M is in stock"));
    expect(request.method).toBe("POST");
    expect(request.path).toBe(`${V}/${PAGE_ID}/messages`);
    expect(request.headers.authorization).toBe(`Bearer ${PAGE_TOKEN}`);
    expect(request.json).toEqual({
      recipient: { id: IGSID },
      messaging_type: "RESPONSE",
      message: { text: "Yes! Size M is in stock." },
    });
    const sent = await eventually(async () => {
      const row = await messageRow(message.id);
      return row?.externalId ? row : undefined;
    });
    await deliver(igWebhook(fromContact({ read: { mid: sent.externalId } })));
    await eventually(async () => (await messageRow(message.id))?.deliveryStatus === "read");
  });

  it("splits text over 1,000 characters, sends files Instagram cannot take as links, and quick replies last", async () => {
    const before = sendRequests().length;
    const long = `${"Our return policy in detail. ".repeat(40)}End.`;
    const { message } = await reply({ clientId: "ig-long", text: long });
    await eventually(async () => sendRequests().length >= before + 2 || undefined);
    const parts = sendRequests()
      .slice(before)
      .map((request) => (request.json as { message: { text: string } }).message.text);
    expect(parts.every((part) => part.length <= 1000)).toBe(true);
    expect(parts.join(" ").replace(/\s+/g, " ")).toBe(long.trim().replace(/\s+/g, " "));
    const stored = await eventually(async () => {
      const row = await messageRow(message.id);
      return row?.externalId ? row : undefined;
    });
    expect(stored.externalId).toBe(`aWdf_sent_${sentCount - 1}`);

    const pdf = Buffer.from("%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n");
    const image = await sharp({ create: { width: 4, height: 4, channels: 3, background: "#ff8800" } })
      .png()
      .toBuffer();
    const attachmentIds = [await upload("catalog.pdf", pdf, "application/pdf"), await upload("jacket.png", image, "image/png")];
    const beforeFiles = sendRequests().length;
    await reply({
      clientId: "ig-files",
      text: "Which size?",
      contentType: "buttons",
      content: {
        style: "quick_replies",
        buttons: [
          { title: "S", payload: "SIZE_S" },
          { title: "M", payload: "SIZE_M" },
        ],
      },
      attachmentIds,
    });
    await eventually(async () => sendRequests().length >= beforeFiles + 3 || undefined);
    const bodies = sendRequests()
      .slice(beforeFiles)
      .map((request) => (request.json as { message: Record<string, unknown> }).message);
    const link = bodies.find((body) => typeof body.text === "string" && body.text.startsWith("catalog.pdf: "));
    expect(link?.text).toContain(`${harness.config.publicUrl}/`);
    const imageBody = bodies.find((body) => "attachment" in body) as { attachment: { type: string; payload: { url: string } } };
    expect(imageBody.attachment.type).toBe("image");
    expect(imageBody.attachment.payload.url).toContain(harness.config.publicUrl);
    expect(bodies.at(-1)).toEqual({
      text: "Which size?",
      quick_replies: [
        { content_type: "text", title: "S", payload: "SIZE_S" },
        { content_type: "text", title: "M", payload: "SIZE_M" },
      ],
    });
  });

  it("shows replies sent from the Instagram app as agent messages", async () => {
    await deliver(
      igWebhook({
        sender: { id: IG_ID },
        recipient: { id: IGSID },
        timestamp: Date.now(),
        message: { mid: "aWdf_echo_app_1", is_echo: true, text: "Answered from the Instagram app" },
      }),
    );
    const echo = await eventually(async () => messageByExternalId("aWdf_echo_app_1"));
    expect(echo).toMatchObject({ senderType: "agent", content: { sentFromPlatform: true } });
  });

  it("fails a reply Meta refuses outside the messaging window, with Meta's reason and no retry", async () => {
    meta.on(
      "POST",
      `${V}/${PAGE_ID}/messages`,
      {
        status: 400,
        json: {
          error: {
            message: "(#10) This message is sent outside of allowed window.",
            type: "OAuthException",
            code: 10,
            error_subcode: 2018278,
          },
        },
      },
      { once: true },
    );
    const { message } = await reply({ clientId: "ig-window", text: "Late answer" });
    const failed = await eventually(async () => {
      const row = await messageRow(message.id);
      return row?.deliveryStatus === "failed" ? row : undefined;
    });
    expect(failed.deliveryError).toContain("outside of allowed window");
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(sendRequests().filter((request) => JSON.stringify(request.json).includes("Late answer"))).toHaveLength(1);
  });

  it("disconnects without unsubscribing the page (a Messenger inbox may share it)", async () => {
    const disconnected = await harness.app.inject({
      method: "DELETE",
      url: `/api/v1/inboxes/${inboxId}/channel`,
      headers: bearer(token),
    });
    expect(disconnected.json()).toMatchObject({ status: "disconnected" });
    expect(meta.requests.some((request) => request.method === "DELETE")).toBe(false);
    const refused = await reply({ clientId: "ig-after", text: "Anyone?" });
    expect(refused.response.statusCode).toBe(409);
  });
});
