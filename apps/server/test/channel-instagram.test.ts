import type { TChannelConnection, TConversation, TMessage } from "@parley/shared";
import { eq } from "drizzle-orm";
import sharp from "sharp";
import type { Socket } from "socket.io-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { contacts } from "../src/modules/contacts/contacts.tables.ts";
import { messageEdits, messageReactions } from "../src/modules/messages/messages.tables.ts";
import { type ChannelSuite, metaSignature, postMetaWebhook, sentMessage, startChannelSuite } from "./channel-harness.ts";
import { eventually, type FakePlatform, startFakePlatform } from "./fake-platform.ts";
import { nextEvent, nextEventMatching, type TestApp } from "./helpers.ts";

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
  let suite: ChannelSuite;
  let harness: TestApp;
  let baseUrl: string;
  let meta: FakePlatform;
  let agentSocket: Socket;
  let sentCount = 0;

  const deliver = (payload: unknown, signature?: string | null) =>
    postMetaWebhook(`${baseUrl}/webhooks/instagram`, payload, APP_SECRET, signature);

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

  const reply = async (body: Record<string, unknown>) => {
    const response = await suite.postMessage((await suite.firstConversation()).id, body);
    return { response, message: sentMessage(response) };
  };
  const sendRequests = () =>
    meta.requests.filter((request) => request.method === "POST" && request.path === `${V}/${PAGE_ID}/messages`);

  beforeAll(async () => {
    meta = await startFakePlatform();
    suite = await startChannelSuite({
      env: {
        META_GRAPH_URL: meta.url,
        META_APP_ID: APP_ID,
        META_APP_SECRET: APP_SECRET,
        META_VERIFY_TOKEN: VERIFY_TOKEN,
      },
      inbox: { type: "instagram", name: "Acme on Instagram" },
    });
    ({ harness, baseUrl } = suite);

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
    agentSocket = await suite.connectAgent();
  });

  afterAll(async () => {
    await suite?.close();
    await meta?.close();
  });

  it("refuses a page without a linked Instagram professional account", async () => {
    const refused = await suite.connectChannel({ pageId: PLAIN_PAGE_ID, pageAccessToken: PAGE_TOKEN });
    expect(refused.statusCode).toBe(422);
    expect(refused.json().error.message).toContain("no linked Instagram professional account");
  });

  it("connects the Instagram account linked to a page and routes by its Instagram id", async () => {
    const connected = await suite.connectChannel({ pageId: PAGE_ID, pageAccessToken: PAGE_TOKEN });
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
    expect((await deliver(body, metaSignature(body, "wrong-secret"))).status).toBe(403);
    expect(await suite.storedEventCount()).toBe(0);
    expect((await deliver({ object: "page", entry: [] })).status).toBe(400);
    expect((await deliver("[]")).status).toBe(400);
  });

  it("turns a documented DM into a conversation the agent sees, with the sender's Instagram name", async () => {
    const created = nextEvent<{ conversation: TConversation }>(agentSocket, "conversation.created");
    const payload = igWebhook(fromContact({ message: { mid: "aWdfMESSAGE-ID-1", text: "Is the blue jacket in stock?" } }));
    expect((await deliver(payload)).status).toBe(200);
    const { conversation } = await created;
    expect(conversation.inbox.type).toBe("instagram");
    const { message } = await nextEventMatching<{ message: TMessage }>(
      agentSocket,
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
    expect(await suite.copiesOfExternalId("aWdfMESSAGE-ID-1")).toBe(1);
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
    const mention = await eventually(async () => suite.messageByExternalId("aWdf_mention_1"));
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
    const storyReply = await eventually(async () => suite.messageByExternalId("aWdf_story_reply_1"));
    expect(storyReply).toMatchObject({
      text: "Love this look!",
      content: { storyReply: { url: "https://lookaside.fbsbx.com/ig_messaging_cdn/?asset_id=2", id: "17890455602215306" } },
    });

    await deliver(
      igWebhook(fromContact({ message: { mid: "aWdf_quick_1", text: "Size M", quick_reply: { payload: "SIZE_M" } } })),
    );
    await deliver(igWebhook(fromContact({ postback: { mid: "aWdf_postback_1", title: "Track my order", payload: "TRACK" } })));
    expect((await eventually(async () => suite.messageByExternalId("aWdf_quick_1"))).content).toEqual({
      postback: { payload: "SIZE_M", title: "Size M" },
    });
    expect(await eventually(async () => suite.messageByExternalId("aWdf_postback_1"))).toMatchObject({
      text: "Track my order",
      content: { postback: { payload: "TRACK", title: "Track my order" } },
    });
  });

  it("applies reactions, edits and unsends to the messages they name", async () => {
    await deliver(
      igWebhook(fromContact({ reaction: { mid: "aWdfMESSAGE-ID-1", action: "react", reaction: "love", emoji: "❤️" } })),
    );
    const target = await eventually(async () => suite.messageByExternalId("aWdfMESSAGE-ID-1"));
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
      const row = await suite.messageRow(target.id);
      return row?.editedAt ? row : undefined;
    });
    expect(edited.text).toBe("Is the blue jacket in stock in M?");
    const [previous] = await harness.database.db.select().from(messageEdits).where(eq(messageEdits.messageId, target.id));
    expect(previous?.previousText).toBe("Is the blue jacket in stock?");

    await deliver(igWebhook(fromContact({ message: { mid: "aWdf_quick_1", is_deleted: true } })));
    const unsent = await eventually(async () => {
      const row = await suite.messageByExternalId("aWdf_quick_1");
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
      const row = await suite.messageRow(message.id);
      return row?.externalId ? row : undefined;
    });
    await deliver(igWebhook(fromContact({ read: { mid: sent.externalId } })));
    await suite.messageWithStatus(message.id, "read");
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
      const row = await suite.messageRow(message.id);
      return row?.externalId ? row : undefined;
    });
    expect(stored.externalId).toBe(`aWdf_sent_${sentCount - 1}`);

    const pdf = Buffer.from("%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n");
    const image = await sharp({ create: { width: 4, height: 4, channels: 3, background: "#ff8800" } })
      .png()
      .toBuffer();
    const attachmentIds = [
      await suite.uploadAttachment({ name: "catalog.pdf", bytes: pdf, type: "application/pdf" }),
      await suite.uploadAttachment({ name: "jacket.png", bytes: image, type: "image/png" }),
    ];
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
    const echo = await eventually(async () => suite.messageByExternalId("aWdf_echo_app_1"));
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
    const failed = await suite.messageWithStatus(message.id, "failed");
    expect(failed.deliveryError).toContain("outside of allowed window");
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(sendRequests().filter((request) => JSON.stringify(request.json).includes("Late answer"))).toHaveLength(1);
  });

  it("disconnects without unsubscribing the page (a Messenger inbox may share it)", async () => {
    const disconnected = await suite.disconnectChannel();
    expect(disconnected.json()).toMatchObject({ status: "disconnected" });
    expect(meta.requests.some((request) => request.method === "DELETE")).toBe(false);
    const refused = await reply({ clientId: "ig-after", text: "Anyone?" });
    expect(refused.response.statusCode).toBe(409);
  });
});
