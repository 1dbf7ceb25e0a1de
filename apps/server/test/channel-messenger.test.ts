import type { TChannelConnection, TConversation, TMessage } from "@parley/shared";
import { and, count, eq, sql } from "drizzle-orm";
import sharp from "sharp";
import type { Socket } from "socket.io-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { contactIdentities, contacts } from "../src/modules/contacts/contacts.tables.ts";
import { attachments, messageReactions, messages } from "../src/modules/messages/messages.tables.ts";
import { type ChannelSuite, metaSignature, postMetaWebhook, sentMessage, startChannelSuite } from "./channel-harness.ts";
import { eventually, type FakePlatform, type RecordedRequest, startFakePlatform } from "./fake-platform.ts";
import { bearer, nextEvent, nextEventMatching, type TestApp } from "./helpers.ts";

/**
 * Messenger end to end against a local fake of the Graph API. Webhook payloads follow Meta's
 * Messenger Platform reference:
 * https://developers.facebook.com/docs/messenger-platform/reference/webhook-events/messages
 * https://developers.facebook.com/docs/messenger-platform/reference/webhook-events/message-echoes
 * https://developers.facebook.com/docs/messenger-platform/reference/webhook-events/message-deliveries
 * https://developers.facebook.com/docs/messenger-platform/reference/webhook-events/message-reads
 * https://developers.facebook.com/docs/messenger-platform/reference/webhook-events/messaging_postbacks
 * https://developers.facebook.com/docs/messenger-platform/reference/webhook-events/message-reactions
 * Send API and its errors: https://developers.facebook.com/docs/messenger-platform/reference/send-api/
 * https://developers.facebook.com/docs/messenger-platform/error-codes
 */

const APP_ID = "1517776481860111";
const APP_SECRET = "messenger-app-secret";
const VERIFY_TOKEN = "verify-token-123";
const PAGE_ID = "1234567890123";
const PAGE_TOKEN = "EAAGpagetoken0123456789abcdef";
const PSID = "2468013579";
const OTHER_PSID = "1357924680";
const PAGE_INBOX_APP_ID = 263902037430900;
const V = "/v23.0";

describe("Messenger: a Facebook page as an inbox", () => {
  let suite: ChannelSuite;
  let harness: TestApp;
  let baseUrl: string;
  let meta: FakePlatform;
  let token: string;
  let inboxId: string;
  let agentSocket: Socket;
  let sentCount = 0;
  let png: Buffer;

  const deliver = (payload: unknown, signature?: string | null) =>
    postMetaWebhook(`${baseUrl}/webhooks/messenger`, payload, APP_SECRET, signature);

  const pageWebhook = (...messaging: unknown[]) => ({
    object: "page",
    entry: [{ id: PAGE_ID, time: Date.now(), messaging }],
  });

  const conversationOf = async (psid: string) => {
    const [row] = await harness.database.db
      .select({ contactId: contactIdentities.contactId })
      .from(contactIdentities)
      .where(and(eq(contactIdentities.inboxId, inboxId), eq(contactIdentities.sourceId, psid)));
    const list = (
      await harness.app.inject({ method: "GET", url: `/api/v1/conversations?inboxId=${inboxId}`, headers: bearer(token) })
    ).json().items as TConversation[];
    const conversation = list.find((item) => item.contact.id === row?.contactId);
    if (!conversation) throw new Error(`no conversation for ${psid}`);
    return conversation;
  };

  const sendRequestsFor = (recipient: string) =>
    meta.requests.filter(
      (request) =>
        request.method === "POST" &&
        request.path === `${V}/${PAGE_ID}/messages` &&
        (request.json as { recipient?: { id?: string } }).recipient?.id === recipient,
    );

  beforeAll(async () => {
    png = await sharp({ create: { width: 4, height: 4, channels: 3, background: "#3366ff" } })
      .png()
      .toBuffer();
    meta = await startFakePlatform();
    suite = await startChannelSuite({
      env: {
        META_GRAPH_URL: meta.url,
        META_APP_ID: APP_ID,
        META_APP_SECRET: APP_SECRET,
        META_VERIFY_TOKEN: VERIFY_TOKEN,
      },
      inbox: { type: "messenger", name: "Acme on Messenger" },
    });
    ({ harness, baseUrl, token, inboxId } = suite);

    meta.on("GET", `${V}/${PAGE_ID}`, (request) => {
      const auth = request.headers.authorization;
      const invalid = {
        status: 400,
        json: { error: { message: "Invalid OAuth access token.", type: "OAuthException", code: 190 } },
      };
      // After Facebook Login: the admin's user token reads the page's own token.
      if (request.query.get("fields") === "access_token")
        return auth === "Bearer long-user-token" ? { json: { access_token: "page-token-from-login", id: PAGE_ID } } : invalid;
      if (auth === `Bearer ${PAGE_TOKEN}` || auth === "Bearer page-token-from-login")
        return { json: { name: "Acme Support", id: PAGE_ID } };
      return invalid;
    });
    meta.on("POST", `${V}/${PAGE_ID}/subscribed_apps`, { json: { success: true } });
    meta.on("DELETE", `${V}/${PAGE_ID}/subscribed_apps`, { json: { success: true } });
    meta.on("GET", `${V}/${PSID}`, {
      json: { first_name: "Peter", last_name: "Chang", profile_pic: "https://platform-lookaside.fbsbx.com/p.jpg", id: PSID },
    });
    // People may hide their profile: the lookup fails and the message still arrives.
    meta.on("GET", `${V}/${OTHER_PSID}`, {
      status: 400,
      json: { error: { message: "Unsupported get request.", type: "GraphMethodException", code: 100 } },
    });
    meta.on("POST", `${V}/${PAGE_ID}/messages`, (request) => ({
      json: { recipient_id: (request.json as { recipient: { id: string } }).recipient.id, message_id: `m_sent_${++sentCount}` },
    }));
    meta.on("GET", "/cdn/photo.png", { body: png, headers: { "content-type": "image/png" } });
    agentSocket = await suite.connectAgent();
  });

  afterAll(async () => {
    await suite?.close();
    await meta?.close();
  });

  it("refuses a page token Meta rejects, with Meta's own message", async () => {
    const refused = await suite.connectChannel({ pageId: PAGE_ID, pageAccessToken: "EAAGexpiredtoken000000000" });
    expect(refused.statusCode).toBe(422);
    expect(refused.json().error).toMatchObject({ code: "channel_rejected" });
    expect(refused.json().error.message).toContain("Invalid OAuth access token.");
    const missing = await suite.connectChannel({ pageId: "acme" });
    expect(missing.statusCode).toBe(400);
    expect((await suite.inboxRow()).channelStatus).toBeNull();
  });

  it("connects with a page token: checks the page and subscribes the app to its messaging webhooks", async () => {
    const connected = await suite.connectChannel({ pageId: PAGE_ID, pageAccessToken: PAGE_TOKEN });
    expect(connected.statusCode).toBe(200);
    expect(connected.json<TChannelConnection>()).toMatchObject({
      status: "connected",
      platform: "messenger",
      channelKey: PAGE_ID,
      displayName: "Acme Support",
      webhookUrl: `${harness.config.publicUrl}/webhooks/messenger`,
    });
    const lookup = meta.requests.find(
      (request) =>
        request.method === "GET" &&
        request.path === `${V}/${PAGE_ID}` &&
        request.headers.authorization === `Bearer ${PAGE_TOKEN}`,
    );
    expect(lookup?.query.get("fields")).toBe("name,id");
    const subscribe = await meta.waitFor((request) => request.path === `${V}/${PAGE_ID}/subscribed_apps`);
    expect(subscribe.method).toBe("POST");
    expect(subscribe.headers.authorization).toBe(`Bearer ${PAGE_TOKEN}`);
    expect(subscribe.form?.subscribed_fields?.split(",")).toEqual(
      expect.arrayContaining([
        "messages",
        "messaging_postbacks",
        "message_echoes",
        "message_deliveries",
        "message_reads",
        "message_reactions",
      ]),
    );
    expect((await suite.inboxRow()).channelSecrets).not.toContain(PAGE_TOKEN);
  });

  it("answers Meta's subscribe handshake only for the configured verify token", async () => {
    const ok = await fetch(
      `${baseUrl}/webhooks/messenger?hub.mode=subscribe&hub.verify_token=${VERIFY_TOKEN}&hub.challenge=1158201444`,
    );
    expect(ok.status).toBe(200);
    expect(await ok.text()).toBe("1158201444");
    const wrong = await fetch(`${baseUrl}/webhooks/messenger?hub.mode=subscribe&hub.verify_token=guess&hub.challenge=1`);
    expect(wrong.status).toBe(403);
  });

  it("turns a documented text message into a conversation the agent sees live, with the sender's profile, once", async () => {
    const created = nextEvent<{ conversation: TConversation }>(agentSocket, "conversation.created");
    const payload = pageWebhook({
      sender: { id: PSID },
      recipient: { id: PAGE_ID },
      timestamp: Date.now(),
      message: { mid: "mid.1457764197618:41d102a3e1ae206a38", text: "hello, world!" },
    });
    const first = await deliver(payload);
    expect(first.status).toBe(200);
    const { conversation } = await created;
    expect(conversation.inbox.type).toBe("messenger");
    const { message } = await nextEvent<{ message: TMessage }>(agentSocket, "message.created");
    expect(message).toMatchObject({ senderType: "contact", text: "hello, world!", contentType: "text" });
    const contact = await eventually(async () => {
      const [row] = await harness.database.db.select().from(contacts).where(eq(contacts.id, conversation.contact.id));
      return row?.name ? row : undefined;
    });
    expect(contact).toMatchObject({ name: "Peter Chang", avatarUrl: "https://platform-lookaside.fbsbx.com/p.jpg" });
    const profileLookup = meta.requests.find((request) => request.path === `${V}/${PSID}`);
    expect(profileLookup?.query.get("fields")).toBe("first_name,last_name,profile_pic");
    expect(profileLookup?.headers.authorization).toBe(`Bearer ${PAGE_TOKEN}`);

    expect((await deliver(payload)).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await suite.copiesOfExternalId("mid.1457764197618:41d102a3e1ae206a38")).toBe(1);
  });

  it("refuses a bad or missing signature with 403 and stores nothing", async () => {
    const before = await suite.storedEventCount();
    const payload = pageWebhook({
      sender: { id: PSID },
      recipient: { id: PAGE_ID },
      timestamp: Date.now(),
      message: { mid: "m_forged", text: "forged" },
    });
    const body = JSON.stringify(payload);
    const wrongSecret = await deliver(body, metaSignature(body, "not-the-app-secret"));
    expect(wrongSecret.status).toBe(403);
    expect(((await wrongSecret.json()) as { error: { code: string } }).error.code).toBe("invalid_signature");
    expect((await deliver(body, null)).status).toBe(403);
    // The signature covers the exact bytes: the same JSON re-serialised differently fails.
    expect((await deliver(`${body} `, metaSignature(body, APP_SECRET))).status).toBe(403);
    expect(await suite.storedEventCount()).toBe(before);
  });

  it("answers malformed webhooks with 400, never a 500", async () => {
    expect((await deliver("{not json")).status).toBe(400);
    expect((await deliver({ object: "page" })).status).toBe(400);
    expect((await deliver({ object: "instagram", entry: [] })).status).toBe(400);
    expect((await deliver(pageWebhook({ recipient: { id: PAGE_ID }, message: { mid: "x" } }))).status).toBe(400);
    // A page nobody connected: accepted (Meta would only retry) and dropped.
    const unknown = await deliver({
      object: "page",
      entry: [
        {
          id: "999",
          time: 1,
          messaging: [{ sender: { id: "1" }, recipient: { id: "999" }, message: { mid: "m_u", text: "x" } }],
        },
      ],
    });
    expect(unknown.status).toBe(200);
  });

  it("keeps images in our storage, and turns quick replies and postbacks into postback answers", async () => {
    await deliver(
      pageWebhook({
        sender: { id: PSID },
        recipient: { id: PAGE_ID },
        timestamp: Date.now(),
        message: { mid: "m_image_1", attachments: [{ type: "image", payload: { url: `${meta.url}/cdn/photo.png` } }] },
      }),
    );
    const image = await eventually(async () => suite.messageByExternalId("m_image_1"));
    expect(image.contentType).toBe("image");
    const files = await harness.database.db.select().from(attachments).where(eq(attachments.messageId, image.id));
    expect(files).toHaveLength(1);
    expect(files[0]).toMatchObject({ contentType: "image/png", fileName: "photo.png" });

    await deliver(
      pageWebhook({
        sender: { id: PSID },
        recipient: { id: PAGE_ID },
        timestamp: Date.now(),
        message: { mid: "m_quick_1", text: "Red", quick_reply: { payload: "COLOR_RED" } },
      }),
    );
    await deliver(
      pageWebhook({
        sender: { id: PSID },
        recipient: { id: PAGE_ID },
        timestamp: Date.now(),
        postback: { mid: "m_postback_1", title: "Talk to a person", payload: "HUMAN" },
      }),
    );
    const quick = await eventually(async () => suite.messageByExternalId("m_quick_1"));
    expect(quick).toMatchObject({ text: "Red", content: { postback: { payload: "COLOR_RED", title: "Red" } } });
    const postback = await eventually(async () => suite.messageByExternalId("m_postback_1"));
    expect(postback).toMatchObject({
      senderType: "contact",
      text: "Talk to a person",
      content: { postback: { payload: "HUMAN", title: "Talk to a person" } },
    });
  });

  it("sends an agent's reply as the exact Send API request and follows delivery and read forward only", async () => {
    const conversation = await conversationOf(PSID);
    const sent = await suite.postMessage(conversation.id, {
      clientId: "m-reply-1",
      text: "Hi Peter, how can we help?",
    });
    expect(sent.statusCode).toBe(201);
    const replyMessage = sentMessage(sent);
    const request = await meta.waitFor(
      (candidate) => candidate.path === `${V}/${PAGE_ID}/messages` && JSON.stringify(candidate.json).includes("how can we help"),
    );
    expect(request.method).toBe("POST");
    expect(request.headers.authorization).toBe(`Bearer ${PAGE_TOKEN}`);
    expect(request.json).toEqual({
      recipient: { id: PSID },
      messaging_type: "RESPONSE",
      message: { text: "Hi Peter, how can we help?" },
    });
    const stored = await suite.messageWithStatus(replyMessage.id, "sent");
    expect(stored.externalId).toMatch(/^m_sent_\d+$/);
    const mid = stored.externalId ?? "";

    await deliver(
      pageWebhook({
        sender: { id: PSID },
        recipient: { id: PAGE_ID },
        delivery: { mids: [mid], watermark: Date.now() },
      }),
    );
    await suite.messageWithStatus(replyMessage.id, "delivered");
    await deliver(
      pageWebhook({ sender: { id: PSID }, recipient: { id: PAGE_ID }, timestamp: Date.now(), read: { watermark: Date.now() } }),
    );
    await suite.messageWithStatus(replyMessage.id, "read");
    // A late delivery receipt arrives after the read: the status stays "read".
    await deliver(pageWebhook({ sender: { id: PSID }, recipient: { id: PAGE_ID }, delivery: { mids: [mid], watermark: 1 } }));
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect((await suite.messageRow(replyMessage.id))?.deliveryStatus).toBe("read");

    // The contact answers quoting our reply; then reacts to it, then takes the reaction back.
    await deliver(
      pageWebhook({
        sender: { id: PSID },
        recipient: { id: PAGE_ID },
        timestamp: Date.now(),
        message: { mid: "m_quote_1", text: "About that…", reply_to: { mid } },
      }),
    );
    const quote = await eventually(async () => suite.messageByExternalId("m_quote_1"));
    expect(quote.replyToId).toBe(replyMessage.id);
    await deliver(
      pageWebhook({
        sender: { id: PSID },
        recipient: { id: PAGE_ID },
        timestamp: Date.now(),
        reaction: { reaction: "love", emoji: "❤", action: "react", mid },
      }),
    );
    const reaction = await eventually(async () => {
      const [row] = await harness.database.db
        .select()
        .from(messageReactions)
        .where(eq(messageReactions.messageId, replyMessage.id));
      return row;
    });
    expect(reaction).toMatchObject({ emoji: "❤", reactorType: "contact" });
    await deliver(
      pageWebhook({
        sender: { id: PSID },
        recipient: { id: PAGE_ID },
        timestamp: Date.now() + 1,
        reaction: { reaction: "love", action: "unreact", mid },
      }),
    );
    await eventually(async () => {
      const rows = await harness.database.db
        .select()
        .from(messageReactions)
        .where(eq(messageReactions.messageId, replyMessage.id));
      return rows.length === 0;
    });
  });

  it("shows echoes from the Page inbox as agent messages, and never doubles Parley's own sends", async () => {
    const conversation = await conversationOf(PSID);
    const ours =
      (await suite.messageRow(
        sentMessage(await suite.postMessage(conversation.id, { clientId: "m-reply-echo", text: "Echo me" })).id,
      )) ?? null;
    const sent = await eventually(async () => {
      const row = ours ? await suite.messageRow(ours.id) : undefined;
      return row?.externalId ? row : undefined;
    });
    const echo = (mid: string, appId: number | string, text: string) =>
      pageWebhook({
        sender: { id: PAGE_ID },
        recipient: { id: PSID },
        timestamp: Date.now(),
        message: { is_echo: true, app_id: appId, mid, text },
      });
    // Our own send, echoed back with its message id: already stored, nothing new.
    await deliver(echo(sent.externalId ?? "", PAGE_INBOX_APP_ID, "Echo me"));
    // Our app's echo of a part we did not record: skipped by the app id.
    await deliver(echo("m_ours_unrecorded", APP_ID, "Echo me, part two"));
    await deliver(echo("m_page_inbox_1", PAGE_INBOX_APP_ID, "Answered from the Page inbox"));
    const { message } = await nextEventMatching<{ message: TMessage }>(
      agentSocket,
      "message.created",
      (payload) => payload.message.text === "Answered from the Page inbox",
    );
    expect(message).toMatchObject({
      senderType: "agent",
      text: "Answered from the Page inbox",
      content: { sentFromPlatform: true },
      deliveryStatus: "sent",
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await suite.messageByExternalId("m_ours_unrecorded")).toBeUndefined();
    const [copies] = await harness.database.db
      .select({ value: count() })
      .from(messages)
      .where(and(eq(messages.conversationId, conversation.id), eq(messages.text, "Echo me")));
    expect(copies?.value).toBe(1);
    // The echo was not sent back to Messenger.
    expect(sendRequestsFor(PSID).some((request) => JSON.stringify(request.json).includes("Page inbox"))).toBe(false);
  });

  it("maps quick replies, buttons and cards to Messenger's own formats", async () => {
    const conversation = await conversationOf(PSID);
    const before = sendRequestsFor(PSID).length;
    const replies = [
      {
        clientId: "m-quick",
        text: "Which colour?",
        contentType: "buttons",
        content: {
          style: "quick_replies",
          buttons: [
            { title: "Red", payload: "COLOR_RED" },
            { title: "A very long colour name indeed", payload: "COLOR_LONG" },
          ],
        },
      },
      {
        clientId: "m-buttons",
        text: "What can we do to help?",
        contentType: "buttons",
        content: {
          style: "buttons",
          buttons: [
            { title: "Visit our website", url: "https://www.example.com/help" },
            { title: "Talk to a person", payload: "HUMAN" },
          ],
        },
      },
      {
        clientId: "m-cards",
        text: "",
        contentType: "cards",
        content: {
          cards: [
            {
              title: "Welcome!",
              subtitle: "We have the right hat for everyone.",
              imageUrl: "https://www.example.com/hat.jpg",
              url: "https://www.example.com/hats",
              buttons: [{ title: "Start Chatting", payload: "DEVELOPER_DEFINED_PAYLOAD" }],
            },
          ],
        },
      },
    ];
    for (const payload of replies) expect((await suite.postMessage(conversation.id, payload)).statusCode).toBe(201);
    await eventually(async () => sendRequestsFor(PSID).length >= before + 3 || undefined);
    const bodies = sendRequestsFor(PSID)
      .slice(before)
      .map((request) => (request.json as { message: unknown }).message);
    expect(bodies).toContainEqual({
      text: "Which colour?",
      quick_replies: [
        { content_type: "text", title: "Red", payload: "COLOR_RED" },
        { content_type: "text", title: "A very long colour …", payload: "COLOR_LONG" },
      ],
    });
    expect(bodies).toContainEqual({
      attachment: {
        type: "template",
        payload: {
          template_type: "button",
          text: "What can we do to help?",
          buttons: [
            { type: "web_url", url: "https://www.example.com/help", title: "Visit our website" },
            { type: "postback", title: "Talk to a person", payload: "HUMAN" },
          ],
        },
      },
    });
    expect(bodies).toContainEqual({
      attachment: {
        type: "template",
        payload: {
          template_type: "generic",
          elements: [
            {
              title: "Welcome!",
              subtitle: "We have the right hat for everyone.",
              image_url: "https://www.example.com/hat.jpg",
              default_action: { type: "web_url", url: "https://www.example.com/hats" },
              buttons: [{ type: "postback", title: "Start Chatting", payload: "DEVELOPER_DEFINED_PAYLOAD" }],
            },
          ],
        },
      },
    });
  });

  it("tags replies after 24 hours as HUMAN_AGENT and refuses them after 7 days", async () => {
    await deliver(
      pageWebhook({
        sender: { id: OTHER_PSID },
        recipient: { id: PAGE_ID },
        timestamp: Date.now(),
        message: { mid: "m_other_1", text: "Anyone there?" },
      }),
    );
    const first = await eventually(async () => suite.messageByExternalId("m_other_1"));
    const conversation = await conversationOf(OTHER_PSID);
    const ageContactMessages = (days: number) =>
      harness.database.db
        .update(messages)
        .set({ createdAt: sql`now() - make_interval(days => ${days})` })
        .where(and(eq(messages.conversationId, conversation.id), eq(messages.senderType, "contact")));
    expect(first.senderId).not.toBeNull();
    await ageContactMessages(3);
    const tagged = await suite.postMessage(conversation.id, { clientId: "m-late", text: "Sorry for the wait!" });
    expect(tagged.statusCode).toBe(201);
    const request = await meta.waitFor((candidate) => JSON.stringify(candidate.json).includes("Sorry for the wait"));
    expect(request.json).toEqual({
      recipient: { id: OTHER_PSID },
      messaging_type: "MESSAGE_TAG",
      tag: "HUMAN_AGENT",
      message: { text: "Sorry for the wait!" },
    });

    await ageContactMessages(8);
    const refused = await suite.postMessage(conversation.id, { clientId: "m-too-late", text: "Still there?" });
    expect(refused.statusCode).toBe(422);
    expect(refused.json().error.code).toBe("outside_messaging_window");
    const [kept] = await harness.database.db.select().from(messages).where(eq(messages.clientId, "m-too-late"));
    expect(kept).toBeUndefined();
    // An update tag Meta allows at any time still goes.
    const update = await suite.postMessage(conversation.id, {
      clientId: "m-update",
      text: "Your order has shipped.",
      content: { messageTag: "POST_PURCHASE_UPDATE" },
    });
    expect(update.statusCode).toBe(201);
    const updateRequest = await meta.waitFor((candidate) => JSON.stringify(candidate.json).includes("has shipped"));
    expect(updateRequest.json).toMatchObject({ messaging_type: "MESSAGE_TAG", tag: "POST_PURCHASE_UPDATE" });
    const badTag = await suite.postMessage(conversation.id, {
      clientId: "m-bad-tag",
      text: "x",
      content: { messageTag: "NOPE" },
    });
    expect(badTag.statusCode).toBe(400);
    await ageContactMessages(0);
  });

  it("maps Send API errors: throttling is retried, an unavailable person fails with Meta's reason", async () => {
    const conversation = await conversationOf(PSID);
    meta.on(
      "POST",
      `${V}/${PAGE_ID}/messages`,
      {
        status: 400,
        json: { error: { message: "Calls to this api have exceeded the rate limit.", type: "OAuthException", code: 613 } },
      },
      { once: true },
    );
    const throttled = sentMessage(await suite.postMessage(conversation.id, { clientId: "m-throttled", text: "Throttled once" }));
    const retried = await suite.messageWithStatus(throttled.id, "sent", 15_000);
    expect(retried.externalId).toMatch(/^m_sent_/);
    expect(sendRequestsFor(PSID).filter((request) => JSON.stringify(request.json).includes("Throttled once"))).toHaveLength(2);

    meta.on(
      "POST",
      `${V}/${PAGE_ID}/messages`,
      {
        status: 400,
        json: {
          error: {
            message: "(#551) This person isn't available right now.",
            type: "OAuthException",
            code: 551,
            error_subcode: 1545041,
          },
        },
      },
      { once: true },
    );
    const unavailable = sentMessage(
      await suite.postMessage(conversation.id, { clientId: "m-unavailable", text: "Are you there?" }),
    );
    const failed = await suite.messageWithStatus(unavailable.id, "failed");
    expect(failed.deliveryError).toContain("This person isn't available right now.");
    expect(failed.deliveryError).toContain("551");
    // The agent sees the failure and its reason live.
    const shown = await nextEventMatching<{ message: TMessage }>(
      agentSocket,
      "message.updated",
      (payload) => payload.message.id === unavailable.id && payload.message.deliveryStatus === "failed",
    );
    expect(shown.message.deliveryError).toContain("isn't available");
    expect(sendRequestsFor(PSID).filter((request) => JSON.stringify(request.json).includes("Are you there?"))).toHaveLength(1);
  });

  it("resumes a reply of several Send API messages after a failed part, sending each part once", async () => {
    const conversation = await conversationOf(PSID);
    const sendPath = `${V}/${PAGE_ID}/messages`;
    // The text goes through; the card after it is throttled once, so the job retries.
    meta.on(
      "POST",
      sendPath,
      () => {
        meta.on(
          "POST",
          sendPath,
          {
            status: 400,
            json: { error: { message: "Calls to this api have exceeded the rate limit.", type: "OAuthException", code: 613 } },
          },
          { once: true },
        );
        return { json: { recipient_id: PSID, message_id: "m_part_text" } };
      },
      { once: true },
    );
    const sent = sentMessage(
      await suite.postMessage(conversation.id, {
        clientId: "m-parts-1",
        text: "Resumable picks",
        contentType: "cards",
        content: { cards: [{ title: "Resumable boot", subtitle: "Waterproof" }] },
      }),
    );
    const stored = await suite.messageWithStatus(sent.id, "sent", 15_000);
    const requests = sendRequestsFor(PSID).filter((request) => JSON.stringify(request.json).includes("Resumable"));
    const texts = requests.filter((request) => JSON.stringify(request.json).includes('"text":"Resumable picks"'));
    const cards = requests.filter((request) => JSON.stringify(request.json).includes("Resumable boot"));
    expect(texts).toHaveLength(1);
    expect(cards).toHaveLength(2);
    // The first part's id stays the message's; the card's id, on record, still finds it.
    expect(stored.externalId).toBe("m_part_text");
    const cardMid = (stored.content.channelParts as Array<{ index: number; externalId: string }>)[1]?.externalId ?? "";
    expect(cardMid).toMatch(/^m_sent_/);
    await deliver(
      pageWebhook({ sender: { id: PSID }, recipient: { id: PAGE_ID }, delivery: { mids: [cardMid], watermark: Date.now() } }),
    );
    await suite.messageWithStatus(sent.id, "delivered");
  });

  it("marks the inbox in error when Meta rejects the page token, and refuses replies until reconnected", async () => {
    const conversation = await conversationOf(PSID);
    meta.on(
      "POST",
      `${V}/${PAGE_ID}/messages`,
      {
        status: 400,
        json: {
          error: {
            message: "Error validating access token: The session has been invalidated because the user changed their password.",
            type: "OAuthException",
            code: 190,
            error_subcode: 460,
          },
        },
      },
      { once: true },
    );
    const refused = sentMessage(await suite.postMessage(conversation.id, { clientId: "m-auth", text: "Token gone" }));
    await suite.messageWithStatus(refused.id, "failed");
    const inbox = await suite.inboxRow();
    expect(inbox.channelStatus).toBe("error");
    expect(inbox.channelError).toContain("user changed their password");
    const blocked = await suite.postMessage(conversation.id, { clientId: "m-after-auth", text: "Nope" });
    expect(blocked.statusCode).toBe(409);
    expect(blocked.json().error.code).toBe("channel_not_connected");
  });

  it("reconnects through Facebook Login: dialog, callback, page choice, and a one-time selection", async () => {
    const badPlatform = await harness.app.inject({
      method: "GET",
      url: `/api/v1/channels/instagram/oauth/start?inboxId=${inboxId}`,
      headers: bearer(token),
    });
    expect(badPlatform.statusCode).toBe(400);
    const started = await harness.app.inject({
      method: "GET",
      url: `/api/v1/channels/messenger/oauth/start?inboxId=${inboxId}`,
      headers: bearer(token),
    });
    expect(started.statusCode).toBe(200);
    const dialog = new URL(started.json().url);
    expect(`${dialog.origin}${dialog.pathname}`).toBe("https://www.facebook.com/v23.0/dialog/oauth");
    const redirectUri = `${harness.config.publicUrl}/api/v1/channels/messenger/oauth/callback`;
    expect(dialog.searchParams.get("client_id")).toBe(APP_ID);
    expect(dialog.searchParams.get("redirect_uri")).toBe(redirectUri);
    expect(dialog.searchParams.get("scope")?.split(",")).toEqual(
      expect.arrayContaining(["pages_messaging", "pages_manage_metadata"]),
    );
    const state = dialog.searchParams.get("state") ?? "";

    meta.on("GET", `${V}/oauth/access_token`, (request: RecordedRequest) => {
      const query = request.query;
      if (
        query.get("code") === "auth-code-1" &&
        query.get("redirect_uri") === redirectUri &&
        query.get("client_secret") === APP_SECRET
      )
        return { json: { access_token: "short-user-token", token_type: "bearer", expires_in: 5183944 } };
      if (query.get("grant_type") === "fb_exchange_token" && query.get("fb_exchange_token") === "short-user-token")
        return { json: { access_token: "long-user-token", token_type: "bearer", expires_in: 5183944 } };
      return {
        status: 400,
        json: { error: { message: "Invalid verification code format.", type: "OAuthException", code: 100 } },
      };
    });
    meta.on("GET", `${V}/me/accounts`, (request) =>
      request.headers.authorization === "Bearer long-user-token"
        ? { json: { data: [{ id: PAGE_ID, name: "Acme Support", access_token: "page-token-from-login" }], paging: {} } }
        : { status: 400, json: { error: { message: "Invalid OAuth access token.", code: 190 } } },
    );
    const tampered = await harness.app.inject({
      method: "GET",
      url: `/api/v1/channels/messenger/oauth/callback?code=auth-code-1&state=${encodeURIComponent(`${state}x`)}`,
    });
    expect(tampered.statusCode).toBe(302);
    expect(tampered.headers.location).toContain("channelError=invalid_state");
    const denied = await harness.app.inject({
      method: "GET",
      url: `/api/v1/channels/messenger/oauth/callback?error=access_denied&state=${encodeURIComponent(state)}`,
    });
    expect(denied.headers.location).toBe(`${harness.config.publicUrl}/settings/inboxes/${inboxId}?channelError=access_denied`);

    const callback = await harness.app.inject({
      method: "GET",
      url: `/api/v1/channels/messenger/oauth/callback?code=auth-code-1&state=${encodeURIComponent(state)}`,
    });
    expect(callback.statusCode).toBe(302);
    const location = new URL(String(callback.headers.location));
    expect(location.pathname).toBe(`/settings/inboxes/${inboxId}`);
    const selectionToken = location.searchParams.get("channelSelection") ?? "";
    expect(selectionToken).not.toBe("");
    expect(selectionToken).not.toContain("long-user-token");

    const pages = await harness.app.inject({
      method: "GET",
      url: `/api/v1/channels/messenger/pages?selectionToken=${encodeURIComponent(selectionToken)}`,
      headers: bearer(token),
    });
    expect(pages.statusCode).toBe(200);
    expect(pages.json()).toEqual({ items: [{ id: PAGE_ID, name: "Acme Support", instagram: null }] });
    expect(pages.body).not.toContain("page-token-from-login");

    const connected = await suite.connectChannel({ pageId: PAGE_ID, selectionToken });
    expect(connected.statusCode).toBe(200);
    expect(connected.json()).toMatchObject({ status: "connected", error: null, channelKey: PAGE_ID });
    const reused = await suite.connectChannel({ pageId: PAGE_ID, selectionToken });
    expect(reused.statusCode).toBe(400);
    expect(reused.json().error.code).toBe("invalid_token");

    // Replies now go with the page token the login produced.
    const conversation = await conversationOf(PSID);
    const after = sentMessage(await suite.postMessage(conversation.id, { clientId: "m-after-login", text: "Back online" }));
    const request = await meta.waitFor((candidate) => JSON.stringify(candidate.json).includes("Back online"));
    expect(request.headers.authorization).toBe("Bearer page-token-from-login");
    await suite.messageWithStatus(after.id, "sent");
  });

  it("checks page tokens daily: expiring within a week, then invalid with Meta's message", async () => {
    let answer: unknown = {
      data: {
        app_id: APP_ID,
        type: "PAGE",
        is_valid: true,
        expires_at: Math.floor(Date.now() / 1000) + 3 * 24 * 3600,
        data_access_expires_at: 0,
        scopes: ["pages_messaging"],
      },
    };
    meta.on("GET", `${V}/debug_token`, (request) =>
      request.headers.authorization === `Bearer ${APP_ID}|${APP_SECRET}` &&
      request.query.get("input_token") === "page-token-from-login"
        ? { json: answer }
        : { status: 400, json: { error: { message: "Invalid app token", code: 190 } } },
    );
    const runCheck = () => harness.database.pool.query("select graphile_worker.add_job('channels.meta_token_check', '{}'::json)");
    await runCheck();
    const expiring = await eventually(async () => {
      const row = await suite.inboxRow();
      return row.channelStatus === "expiring" ? row : undefined;
    });
    expect(expiring.channelError).toContain("reconnect");

    answer = {
      data: {
        app_id: APP_ID,
        is_valid: false,
        expires_at: 0,
        error: {
          code: 190,
          message: "Error validating access token: The user has not authorized application 1517776481860111.",
          subcode: 458,
        },
      },
    };
    await runCheck();
    const errored = await eventually(async () => {
      const row = await suite.inboxRow();
      return row.channelStatus === "error" ? row : undefined;
    });
    expect(errored.channelError).toBe("Error validating access token: The user has not authorized application 1517776481860111.");
    const status = await suite.channelConnection();
    expect(status.json()).toMatchObject({ status: "error", error: expect.stringContaining("has not authorized") });
    const audit = await harness.app.inject({ method: "GET", url: "/api/v1/audit-log", headers: bearer(token) });
    const changes = (audit.json().items as Array<{ action: string; after: { status?: string } | null }>).filter(
      (entry) => entry.action === "inbox.channel_status_changed",
    );
    expect(changes.map((entry) => entry.after?.status)).toEqual(expect.arrayContaining(["expiring", "error"]));
  });

  it("disconnects: unsubscribes the app from the page, erases the token and drops the page's webhooks", async () => {
    const disconnected = await suite.disconnectChannel();
    expect(disconnected.json()).toMatchObject({ status: "disconnected" });
    const unsubscribe = await meta.waitFor(
      (request) => request.method === "DELETE" && request.path === `${V}/${PAGE_ID}/subscribed_apps`,
    );
    expect(unsubscribe.headers.authorization).toBe("Bearer page-token-from-login");
    const before = await suite.storedEventCount();
    const dropped = await deliver(
      pageWebhook({
        sender: { id: PSID },
        recipient: { id: PAGE_ID },
        timestamp: Date.now(),
        message: { mid: "m_after", text: "Hello?" },
      }),
    );
    expect(dropped.status).toBe(200);
    expect(await suite.storedEventCount()).toBe(before);
    expect((await suite.inboxRow()).channelSecrets).toBeNull();
  });
});
