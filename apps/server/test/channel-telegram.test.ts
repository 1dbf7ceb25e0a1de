import type { TChannelConnection, TConversation, TMessage } from "@parley/shared";
import { and, count, eq } from "drizzle-orm";
import sharp from "sharp";
import type { Socket } from "socket.io-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { contactIdentities, contacts } from "../src/modules/contacts/contacts.tables.ts";
import { conversations } from "../src/modules/conversations/conversations.tables.ts";
import { attachments, messageReactions } from "../src/modules/messages/messages.tables.ts";
import { type ChannelSuite, sentMessage, startChannelSuite } from "./channel-harness.ts";
import { eventually, type FakePlatform, type RecordedRequest, startFakePlatform } from "./fake-platform.ts";
import { bearer, nextEvent, type TestApp } from "./helpers.ts";

/**
 * Telegram Bot API against a local fake. Update payloads are the examples of "Testing your bot
 * with updates" (https://core.telegram.org/bots/webhooks#testing-your-bot-with-updates), with the
 * fields today's Bot API adds (chat.type) and other objects shaped as https://core.telegram.org/bots/api
 * documents them (PhotoSize, Sticker, Location, Contact, CallbackQuery, MessageReactionUpdated).
 */
const TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw";
const CHAT_ID = 1111111;

const documentedSender = { last_name: "Test Lastname", id: CHAT_ID, first_name: "Test", username: "Test" };
const documentedChat = { ...documentedSender, type: "private" };
const update = (updateId: number, fields: Record<string, unknown>) => ({ update_id: updateId, ...fields });
const message = (messageId: number, fields: Record<string, unknown>) => ({
  date: 1441645532,
  chat: documentedChat,
  message_id: messageId,
  from: documentedSender,
  ...fields,
});

describe("Telegram: bots through the Bot API", () => {
  let suite: ChannelSuite;
  let harness: TestApp;
  let baseUrl: string;
  let telegram: FakePlatform;
  let token: string;
  let inboxId: string;
  let webhookSecret: string;
  let agentSocket: Socket;
  let sentMessageId = 5000;

  const postUpdate = (body: unknown, secret: string | null = webhookSecret, raw?: string) =>
    fetch(`${baseUrl}/webhooks/telegram/${inboxId}`, {
      method: "POST",
      headers: { "content-type": "application/json", ...(secret === null ? {} : { "x-telegram-bot-api-secret-token": secret }) },
      body: raw ?? JSON.stringify(body),
    });

  const arrived = (externalId: string) => eventually(() => suite.messageByExternalId(externalId));

  const reply = async (payload: Record<string, unknown>): Promise<TMessage> => {
    const sent = await suite.postMessage((await suite.firstConversation()).id, payload);
    expect(sent.statusCode).toBe(201);
    return sentMessage(sent);
  };

  const settled = (messageId: string, status: "sent" | "failed") => suite.messageWithStatus(messageId, status, 20_000);

  const callsTo = (method: string) => telegram.requests.filter((request) => request.path === `/bot${TOKEN}/${method}`);
  const lastCallTo = (method: string): RecordedRequest => {
    const found = callsTo(method).at(-1);
    if (!found) throw new Error(`no ${method} call`);
    return found;
  };

  /** The Bot API's answer to a send method: the Message it created. */
  const sentMessageAnswer = (request: RecordedRequest) => {
    sentMessageId += 1;
    const chatId = (request.json as { chat_id?: number | string } | null)?.chat_id ?? CHAT_ID;
    return {
      json: { ok: true, result: { message_id: sentMessageId, date: 1700000000, chat: { id: Number(chatId), type: "private" } } },
    };
  };

  beforeAll(async () => {
    telegram = await startFakePlatform();
    suite = await startChannelSuite({
      env: { TELEGRAM_API_URL: telegram.url },
      inbox: { type: "telegram", name: "Acme on Telegram" },
    });
    ({ harness, baseUrl, token, inboxId } = suite);
    for (const method of ["sendMessage", "sendPhoto", "sendDocument", "sendLocation", "sendVenue", "sendContact"]) {
      telegram.on("POST", `/bot${TOKEN}/${method}`, sentMessageAnswer);
    }
    telegram.on("POST", `/bot${TOKEN}/answerCallbackQuery`, { json: { ok: true, result: true } });
    agentSocket = await suite.connectAgent();
  });

  afterAll(async () => {
    await suite?.close();
    await telegram?.close();
  });

  it("refuses a token Telegram does not know, with Telegram's words, and stores nothing", async () => {
    const wrong = "987654321:AAwrongwrongwrongwrongwrongwrongwro";
    telegram.on("POST", `/bot${wrong}/getMe`, { status: 401, json: { ok: false, error_code: 401, description: "Unauthorized" } });
    const refused = await suite.connectChannel({ botToken: wrong });
    expect(refused.statusCode).toBe(422);
    expect(refused.json().error).toMatchObject({ code: "channel_rejected" });
    expect(refused.json().error.message).toContain("Unauthorized");
    const malformed = await suite.connectChannel({ botToken: "not a token" });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json().error.details[0].path).toBe("credentials.botToken");
    expect((await suite.inboxRow()).channelSecrets).toBeNull();
  });

  it("connects a bot: getMe checks the token, setWebhook registers our URL with a secret token", async () => {
    telegram.on("POST", `/bot${TOKEN}/getMe`, {
      json: {
        ok: true,
        result: { id: 123456789, is_bot: true, first_name: "Acme Support", username: "acme_support_bot" },
      },
    });
    telegram.on("POST", `/bot${TOKEN}/setWebhook`, { json: { ok: true, result: true, description: "Webhook was set" } });
    const connected = await suite.connectChannel({ botToken: TOKEN });
    expect(connected.statusCode).toBe(200);
    expect(connected.json<TChannelConnection>()).toMatchObject({
      status: "connected",
      platform: "telegram",
      channelKey: "123456789",
      displayName: "@acme_support_bot",
      webhookUrl: `${harness.config.publicUrl}/webhooks/telegram/${inboxId}`,
    });
    const setWebhook = lastCallTo("setWebhook");
    expect(setWebhook.method).toBe("POST");
    const body = setWebhook.json as { url: string; secret_token: string; allowed_updates: string[] };
    expect(body.url).toBe(`${harness.config.publicUrl}/webhooks/telegram/${inboxId}`);
    expect(body.secret_token).toMatch(/^[A-Za-z0-9_-]{32,256}$/);
    expect(body.allowed_updates).toEqual(expect.arrayContaining(["message", "edited_message", "callback_query"]));
    webhookSecret = body.secret_token;
    expect((await suite.inboxRow()).channelSecrets).not.toContain(TOKEN);
    expect(connected.body).not.toContain(TOKEN);
  });

  it("turns the documented /start update into a conversation the agent sees, with its deep-link payload, once", async () => {
    const created = nextEvent<{ conversation: TConversation }>(agentSocket, "conversation.created");
    const first = update(10000, { message: message(1365, { text: "/start spring-sale" }) });
    const answer = await postUpdate(first);
    expect(answer.status).toBe(200);
    const { conversation } = await created;
    expect(conversation.inbox.type).toBe("telegram");
    expect(conversation.contact.name).toBe("Test Test Lastname");
    const live = await nextEvent<{ message: TMessage }>(agentSocket, "message.created");
    expect(live.message).toMatchObject({
      senderType: "contact",
      text: "/start spring-sale",
      content: { startPayload: "spring-sale" },
    });
    // Telegram redelivers when it does not hear back in time: the update is stored once.
    expect((await postUpdate(first)).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await suite.copiesOfExternalId(`${CHAT_ID}:1365`)).toBe(1);
  });

  it("refuses updates without our secret token with 403 and stores nothing; malformed bodies get 400", async () => {
    const before = await suite.storedEventCount();
    const forged = update(20001, { message: message(2001, { text: "forged" }) });
    expect((await postUpdate(forged, "wrong-secret")).status).toBe(403);
    expect((await postUpdate(forged, null)).status).toBe(403);
    expect(await suite.storedEventCount()).toBe(before);
    expect((await postUpdate(null, webhookSecret, "{not json")).status).toBe(400);
    expect((await postUpdate({ message: { text: "no update id" } })).status).toBe(400);
    expect(await suite.storedEventCount()).toBe(before);
  });

  it("fetches the largest photo into storage, and keeps documents, voice, stickers, locations and contacts", async () => {
    const jpeg = await sharp({ create: { width: 64, height: 48, channels: 3, background: { r: 10, g: 120, b: 200 } } })
      .jpeg()
      .toBuffer();
    const webp = await sharp({ create: { width: 32, height: 32, channels: 4, background: { r: 250, g: 200, b: 0, alpha: 1 } } })
      .webp()
      .toBuffer();
    const pdf = Buffer.from("%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n");
    const files: Record<string, { path: string; bytes: Buffer }> = {
      "photo-large": { path: "photos/file_10.jpg", bytes: jpeg },
      "doc-1": { path: "documents/file_11.pdf", bytes: pdf },
      "sticker-1": { path: "stickers/file_12.webp", bytes: webp },
    };
    telegram.on("POST", `/bot${TOKEN}/getFile`, (request) => {
      const fileId = (request.json as { file_id: string }).file_id;
      const file = files[fileId];
      if (!file) return { status: 400, json: { ok: false, error_code: 400, description: "Bad Request: invalid file_id" } };
      return { json: { ok: true, result: { file_id: fileId, file_unique_id: `u-${fileId}`, file_path: file.path } } };
    });
    for (const file of Object.values(files)) {
      telegram.on("GET", `/file/bot${TOKEN}/${file.path}`, {
        body: file.bytes,
        headers: { "content-type": "application/octet-stream" },
      });
    }

    await postUpdate(
      update(10001, {
        message: message(1366, {
          caption: "The box arrived like this",
          photo: [
            { file_id: "photo-small", file_unique_id: "s", width: 90, height: 67, file_size: 1200 },
            { file_id: "photo-large", file_unique_id: "l", width: 1280, height: 960, file_size: 90000 },
            { file_id: "photo-medium", file_unique_id: "m", width: 320, height: 240, file_size: 9000 },
          ],
        }),
      }),
    );
    // The documented document example, with a file Bot API serves.
    await postUpdate(
      update(10002, {
        message: message(1367, {
          document: { file_id: "doc-1", file_name: "Testfile.pdf", mime_type: "application/pdf", file_size: 536392 },
        }),
      }),
    );
    await postUpdate(
      update(10003, {
        message: message(1368, {
          sticker: {
            file_id: "sticker-1",
            file_unique_id: "st",
            width: 512,
            height: 512,
            is_animated: false,
            is_video: false,
            emoji: "👍",
          },
        }),
      }),
    );
    await postUpdate(update(10004, { message: message(1369, { location: { latitude: 52.520008, longitude: 13.404954 } }) }));
    await postUpdate(
      update(10005, {
        message: message(1370, { contact: { phone_number: "+4915112345678", first_name: "Grace", last_name: "Hopper" } }),
      }),
    );
    // A voice note over the Bot API's 20 MB download limit is named, not fetched.
    await postUpdate(
      update(10006, {
        message: message(1371, {
          voice: { file_id: "voice-huge", duration: 5, mime_type: "audio/ogg", file_size: 23_000_000 },
        }),
      }),
    );

    // A file Telegram refuses to serve is named; the message itself still arrives.
    await postUpdate(
      update(10007, {
        message: message(1372, {
          caption: "Unboxing",
          video: { file_id: "video-gone", duration: 9, width: 640, height: 360, mime_type: "video/mp4", file_size: 90000 },
        }),
      }),
    );

    const photo = await arrived(`${CHAT_ID}:1366`);
    expect(photo).toMatchObject({ contentType: "image", text: "The box arrived like this" });
    const getFileIds = callsTo("getFile").map((request) => (request.json as { file_id: string }).file_id);
    expect(getFileIds).toContain("photo-large");
    expect(getFileIds).not.toContain("photo-small");
    const [photoFile] = await harness.database.db.select().from(attachments).where(eq(attachments.messageId, photo.id));
    expect(photoFile).toMatchObject({ contentType: "image/jpeg", byteSize: jpeg.length, width: 64, height: 48 });

    const document = await arrived(`${CHAT_ID}:1367`);
    expect(document.contentType).toBe("file");
    const [documentFile] = await harness.database.db.select().from(attachments).where(eq(attachments.messageId, document.id));
    expect(documentFile).toMatchObject({ fileName: "Testfile.pdf", contentType: "application/pdf" });

    const sticker = await arrived(`${CHAT_ID}:1368`);
    expect(sticker).toMatchObject({ contentType: "image", text: "👍", content: { sticker: { emoji: "👍" } } });
    const [stickerFile] = await harness.database.db.select().from(attachments).where(eq(attachments.messageId, sticker.id));
    expect(stickerFile?.contentType).toBe("image/webp");

    expect(await arrived(`${CHAT_ID}:1369`)).toMatchObject({
      contentType: "location",
      content: { latitude: 52.520008, longitude: 13.404954 },
    });
    expect(await arrived(`${CHAT_ID}:1370`)).toMatchObject({
      contentType: "contact_card",
      text: "Grace Hopper",
      content: { name: "Grace Hopper", phones: ["+4915112345678"] },
    });
    const voice = await arrived(`${CHAT_ID}:1371`);
    expect(voice.contentType).toBe("audio");
    expect(voice.text).toContain("too large");
    expect(getFileIds).not.toContain("voice-huge");
    const video = await arrived(`${CHAT_ID}:1372`);
    expect(video.contentType).toBe("video");
    expect(video.text).toContain("Unboxing");
    expect(video.text).toContain("invalid file_id");
  });

  it("links the documented reply to the message it quotes, applies edits and reactions, and ignores group chats", async () => {
    await postUpdate(update(10010, { message: message(1334, { text: "Original" }) }));
    const original = await arrived(`${CHAT_ID}:1334`);
    await postUpdate(
      update(10011, {
        message: message(1380, {
          text: "/start",
          reply_to_message: { date: 1441645000, chat: documentedChat, message_id: 1334, text: "Original" },
        }),
      }),
    );
    const quoting = await arrived(`${CHAT_ID}:1380`);
    expect(quoting.replyToId).toBe(original.id);

    // The documented edited_message example, for the message it edits.
    await postUpdate(
      update(10012, {
        edited_message: message(1334, { text: "Edited text", edit_date: 1441646600 }),
      }),
    );
    const edited = await eventually(async () => {
      const row = await suite.messageByExternalId(`${CHAT_ID}:1334`);
      return row?.text === "Edited text" ? row : undefined;
    });
    expect(edited.editedAt).not.toBeNull();

    await postUpdate(
      update(10013, {
        message_reaction: {
          chat: documentedChat,
          message_id: 1334,
          user: documentedSender,
          date: 1441646700,
          old_reaction: [],
          new_reaction: [{ type: "emoji", emoji: "❤" }],
        },
      }),
    );
    const reaction = await eventually(async () => {
      const [row] = await harness.database.db.select().from(messageReactions).where(eq(messageReactions.messageId, original.id));
      return row;
    });
    expect(reaction.emoji).toBe("❤");

    const groupsBefore = await harness.database.db.select({ value: count() }).from(conversations);
    await postUpdate(
      update(10014, {
        message: {
          date: 1441645532,
          chat: { id: -1001234567890, type: "supergroup", title: "Acme fans" },
          message_id: 77,
          from: { id: 2222222, first_name: "Someone" },
          text: "hello group",
        },
      }),
    );
    await suite.eventProcessed("update:10014");
    const groupsAfter = await harness.database.db.select({ value: count() }).from(conversations);
    expect(groupsAfter[0]?.value).toBe(groupsBefore[0]?.value);
    expect(await suite.messageByExternalId("-1001234567890:77")).toBeUndefined();
  });

  it("sends an agent's reply as plain text, quoting the message it answers, split at 4,096 characters", async () => {
    const original = await suite.messageByExternalId(`${CHAT_ID}:1334`);
    const sent = await reply({ clientId: "tg-reply-1", text: "Hi *Test*, we're on it <3", replyToId: original?.id });
    const stored = await settled(sent.id, "sent");
    const request = lastCallTo("sendMessage");
    expect(request.method).toBe("POST");
    expect(request.json).toEqual({
      chat_id: String(CHAT_ID),
      text: "Hi *Test*, we're on it <3",
      reply_parameters: { message_id: 1334, allow_sending_without_reply: true },
    });
    expect(stored.externalId).toBe(`${CHAT_ID}:${sentMessageId}`);

    const before = callsTo("sendMessage").length;
    const long = `${"word ".repeat(1000)}\n\n${"more ".repeat(200)}`.trim();
    const split = await reply({ clientId: "tg-reply-2", text: long });
    await settled(split.id, "sent");
    const pieces = callsTo("sendMessage")
      .slice(before)
      .map((request) => (request.json as { text: string }).text);
    expect(pieces).toHaveLength(2);
    expect(pieces.every((piece) => piece.length <= 4096)).toBe(true);
    expect(pieces.join(" ").replace(/\s+/g, " ")).toBe(long.replace(/\s+/g, " "));
  });

  it("shows buttons as an inline keyboard (long payloads by key) and turns the pressed button into a postback", async () => {
    const longPayload = `ORDER_STATUS:${"x".repeat(120)}`;
    const sent = await reply({
      clientId: "tg-buttons-1",
      text: "What do you need?",
      contentType: "buttons",
      content: {
        buttons: [
          { title: "Track my order", payload: longPayload },
          { title: "Talk to sales", payload: "SALES" },
          { title: "Our website", url: "https://example.com/help" },
        ],
      },
    });
    const stored = await settled(sent.id, "sent");
    const request = lastCallTo("sendMessage");
    const markup = (request.json as { reply_markup: { inline_keyboard: Array<Array<Record<string, string>>> } }).reply_markup;
    const [track, sales, site] = markup.inline_keyboard.map((row) => row[0]);
    expect(sales).toEqual({ text: "Talk to sales", callback_data: "SALES" });
    expect(site).toEqual({ text: "Our website", url: "https://example.com/help" });
    expect(track?.text).toBe("Track my order");
    expect(Buffer.byteLength(track?.callback_data ?? "", "utf8")).toBeLessThanOrEqual(64);
    expect(track?.callback_data).not.toBe(longPayload);

    const botMessageId = Number(stored.externalId?.split(":")[1]);
    await postUpdate(
      update(10020, {
        callback_query: {
          id: "4382bfdwdsb323b2d9",
          from: documentedSender,
          chat_instance: "-1234567890",
          data: track?.callback_data,
          message: {
            message_id: botMessageId,
            date: 1700000000,
            chat: documentedChat,
            from: { id: 123456789, is_bot: true, first_name: "Acme Support", username: "acme_support_bot" },
            text: "What do you need?",
            reply_markup: markup,
          },
        },
      }),
    );
    const answer = await arrived("callback:4382bfdwdsb323b2d9");
    expect(answer).toMatchObject({
      senderType: "contact",
      text: "Track my order",
      content: { postback: { payload: longPayload, title: "Track my order" } },
      replyToId: sent.id,
    });
    const answered = await telegram.waitFor((candidate) => candidate.path === `/bot${TOKEN}/answerCallbackQuery`);
    expect(answered.json).toEqual({ callback_query_id: "4382bfdwdsb323b2d9" });

    // The documented callback example comes from an inline-mode message (no chat): it lands in the user's private chat.
    await postUpdate(
      update(10021, {
        callback_query: {
          id: "4382bfdwdsb323b2e0",
          from: { ...documentedSender, type: "private" },
          data: "Data from button callback",
          inline_message_id: "1234csdbsk4839",
        },
      }),
    );
    expect(await arrived("callback:4382bfdwdsb323b2e0")).toMatchObject({
      conversationId: answer.conversationId,
      text: "Data from button callback",
      content: { postback: { payload: "Data from button callback", title: "Data from button callback" } },
    });
  });

  it("shows quick replies as a one-time reply keyboard and recognises the answer typed from it", async () => {
    const sent = await reply({
      clientId: "tg-quick-1",
      text: "How was your delivery?",
      contentType: "buttons",
      content: {
        style: "quick_replies",
        buttons: [
          { title: "Great", payload: "CSAT_GOOD" },
          { title: "Not so good", payload: "CSAT_BAD" },
        ],
      },
    });
    await settled(sent.id, "sent");
    expect(lastCallTo("sendMessage").json).toEqual({
      chat_id: String(CHAT_ID),
      text: "How was your delivery?",
      reply_markup: {
        keyboard: [[{ text: "Great" }], [{ text: "Not so good" }]],
        one_time_keyboard: true,
        resize_keyboard: true,
      },
    });
    await postUpdate(update(10030, { message: message(1390, { text: "Not so good" }) }));
    expect(await arrived(`${CHAT_ID}:1390`)).toMatchObject({
      text: "Not so good",
      content: { postback: { payload: "CSAT_BAD", title: "Not so good" } },
    });
  });

  it("uploads attachments with sendPhoto (text as caption) and sends locations as venues", async () => {
    const png = await sharp({ create: { width: 20, height: 20, channels: 3, background: { r: 0, g: 0, b: 0 } } })
      .png()
      .toBuffer();
    const attachmentId = await suite.uploadAttachment({ name: "receipt.png", bytes: png, type: "image/png" });
    const sent = await reply({ clientId: "tg-photo-1", text: "Your receipt", attachmentIds: [attachmentId] });
    await settled(sent.id, "sent");
    const photo = lastCallTo("sendPhoto");
    expect(String(photo.headers["content-type"])).toMatch(/^multipart\/form-data; boundary=/);
    const parts = await new Response(new Uint8Array(photo.rawBody), {
      headers: { "content-type": String(photo.headers["content-type"]) },
    }).formData();
    expect(parts.get("chat_id")).toBe(String(CHAT_ID));
    expect(parts.get("caption")).toBe("Your receipt");
    const file = parts.get("photo");
    expect(file).toBeInstanceOf(Blob);
    expect(Buffer.from(await (file as Blob).arrayBuffer()).equals(png)).toBe(true);
    expect((file as File).name).toBe("receipt.png");

    const location = await reply({
      clientId: "tg-location-1",
      contentType: "location",
      content: { latitude: 48.8584, longitude: 2.2945, name: "Acme Paris", address: "5 Av. Anatole France" },
    });
    await settled(location.id, "sent");
    expect(lastCallTo("sendVenue").json).toEqual({
      chat_id: String(CHAT_ID),
      latitude: 48.8584,
      longitude: 2.2945,
      title: "Acme Paris",
      address: "5 Av. Anatole France",
    });
  });

  it("sends cards as photos with a caption and buttons, and as text when Telegram cannot fetch the picture", async () => {
    telegram.on(
      "POST",
      `/bot${TOKEN}/sendPhoto`,
      { status: 400, json: { ok: false, error_code: 400, description: "Bad Request: wrong file identifier/HTTP URL specified" } },
      { once: true },
    );
    const before = telegram.requests.length;
    const sent = await reply({
      clientId: "tg-cards-1",
      text: "Our picks for you",
      contentType: "cards",
      content: {
        cards: [
          { title: "Trail shoe", subtitle: "Light and grippy", imageUrl: "https://cdn.example.com/missing.jpg" },
          {
            title: "Rain jacket",
            subtitle: "Packs into its pocket",
            imageUrl: "https://cdn.example.com/jacket.jpg",
            url: "https://example.com/jacket",
            buttons: [{ title: "Buy", payload: "BUY_JACKET" }],
          },
        ],
      },
    });
    const stored = await settled(sent.id, "sent");
    const calls = telegram.requests
      .slice(before)
      .map((request) => ({ path: request.path.split("/").at(-1), json: request.json }));
    expect(calls).toEqual([
      { path: "sendMessage", json: { chat_id: String(CHAT_ID), text: "Our picks for you" } },
      {
        path: "sendPhoto",
        json: { chat_id: String(CHAT_ID), photo: "https://cdn.example.com/missing.jpg", caption: "Trail shoe\nLight and grippy" },
      },
      { path: "sendMessage", json: { chat_id: String(CHAT_ID), text: "Trail shoe\nLight and grippy" } },
      {
        path: "sendPhoto",
        json: {
          chat_id: String(CHAT_ID),
          photo: "https://cdn.example.com/jacket.jpg",
          caption: "Rain jacket\nPacks into its pocket\nhttps://example.com/jacket",
          reply_markup: { inline_keyboard: [[{ text: "Buy", callback_data: "BUY_JACKET" }]] },
        },
      },
    ]);
    expect(stored.externalId).toBe(`${CHAT_ID}:${sentMessageId}`);
  });

  it("resumes a reply of several Telegram messages after a failed part, sending each part once", async () => {
    const png = await sharp({ create: { width: 24, height: 24, channels: 3, background: { r: 200, g: 0, b: 0 } } })
      .png()
      .toBuffer();
    const pdf = Buffer.from("%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n");
    const attachmentIds = [
      await suite.uploadAttachment({ name: "label.png", bytes: png, type: "image/png" }),
      await suite.uploadAttachment({ name: "invoice.pdf", bytes: pdf, type: "application/pdf" }),
    ];
    // The second part (the document) fails once with a 5xx: the job retries.
    telegram.on(
      "POST",
      `/bot${TOKEN}/sendDocument`,
      { status: 502, json: { ok: false, error_code: 502, description: "Bad Gateway" } },
      { once: true },
    );
    const photosBefore = callsTo("sendPhoto").length;
    const documentsBefore = callsTo("sendDocument").length;
    const sent = await reply({ clientId: "tg-parts-1", text: "Your label and invoice", attachmentIds });
    const stored = await settled(sent.id, "sent");

    const photos = callsTo("sendPhoto").slice(photosBefore);
    const documents = callsTo("sendDocument").slice(documentsBefore);
    expect(photos).toHaveLength(1);
    expect(documents).toHaveLength(2);
    const lastAnswer = sentMessageId;
    expect(stored.externalId).toBe(`${CHAT_ID}:${lastAnswer}`);
    // Both parts are on record; clients never see that record.
    const parts = stored.content.channelParts as Array<{ index: number; externalId: string }>;
    expect(parts.map((part) => part.index)).toEqual([0, 1]);
    expect(parts[1]?.externalId).toBe(stored.externalId);
    const listed = await harness.app.inject({
      method: "GET",
      url: `/api/v1/conversations/${stored.conversationId}/messages`,
      headers: bearer(token),
    });
    const shown = (listed.json().items as TMessage[]).find((message) => message.id === sent.id);
    expect(shown?.content).toEqual({});

    // A reaction to the first part (not the tracked one) still finds the message.
    const firstPartId = Number(parts[0]?.externalId.split(":")[1]);
    await postUpdate(
      update(10040, {
        message_reaction: {
          chat: documentedChat,
          message_id: firstPartId,
          user: documentedSender,
          date: 1441646800,
          old_reaction: [],
          new_reaction: [{ type: "emoji", emoji: "👍" }],
        },
      }),
    );
    const reaction = await eventually(async () => {
      const [row] = await harness.database.db.select().from(messageReactions).where(eq(messageReactions.messageId, sent.id));
      return row;
    });
    expect(reaction.emoji).toBe("👍");
  });

  it("fetches a new sender's profile photo once into storage, and stores the message of a sender without one", async () => {
    const withPhoto = { id: 3300001, first_name: "Ada", last_name: "Photo", username: "ada_photo" };
    const withoutPhoto = { id: 3300002, first_name: "Bo", last_name: "Private" };
    const photo = await sharp({ create: { width: 640, height: 640, channels: 3, background: { r: 220, g: 30, b: 30 } } })
      .jpeg()
      .toBuffer();
    telegram.on("POST", `/bot${TOKEN}/getUserProfilePhotos`, (request) => {
      const userId = (request.json as { user_id: number }).user_id;
      if (userId !== withPhoto.id) return { json: { ok: true, result: { total_count: 0, photos: [] } } };
      return {
        json: {
          ok: true,
          result: {
            total_count: 1,
            photos: [
              [
                { file_id: "avatar-160", file_unique_id: "a1", width: 160, height: 160, file_size: 9000 },
                { file_id: "avatar-640", file_unique_id: "a2", width: 640, height: 640, file_size: 60000 },
                { file_id: "avatar-1280", file_unique_id: "a3", width: 1280, height: 1280, file_size: 200000 },
              ],
            ],
          },
        },
      };
    });
    // Ahead of the getFile answers an earlier test scripted.
    telegram.on(
      "POST",
      `/bot${TOKEN}/getFile`,
      { json: { ok: true, result: { file_id: "avatar-640", file_unique_id: "a2", file_path: "profile_photos/file_20.jpg" } } },
      { once: true },
    );
    telegram.on("GET", `/file/bot${TOKEN}/profile_photos/file_20.jpg`, {
      body: photo,
      headers: { "content-type": "image/jpeg" },
    });
    const photoLookups = (userId: number) =>
      callsTo("getUserProfilePhotos").filter((request) => (request.json as { user_id: number }).user_id === userId);
    const processed = (updateId: number) => suite.eventProcessed(`update:${updateId}`);
    const contactIdOf = async (userId: number) => {
      const [identity] = await harness.database.db
        .select()
        .from(contactIdentities)
        .where(and(eq(contactIdentities.inboxId, inboxId), eq(contactIdentities.sourceId, String(userId))));
      if (!identity) throw new Error("no contact");
      return identity.contactId;
    };
    const contactFromApi = async (contactId: string) => {
      const answer = await harness.app.inject({ method: "GET", url: `/api/v1/contacts/${contactId}`, headers: bearer(token) });
      expect(answer.statusCode).toBe(200);
      return answer.json() as { name: string | null; avatarUrl: string | null };
    };
    const fromUser = (user: typeof withPhoto | typeof withoutPhoto, messageId: number, text: string) =>
      message(messageId, { chat: { ...user, type: "private" }, from: user, text });

    await postUpdate(update(10050, { message: fromUser(withPhoto, 50, "Hello, it's Ada") }));
    await arrived(`${withPhoto.id}:50`);
    const adaId = await contactIdOf(withPhoto.id);
    const ada = await eventually(async () => {
      const contact = await contactFromApi(adaId);
      return contact.avatarUrl ? contact : undefined;
    });
    expect(ada.name).toBe("Ada Photo");
    expect(photoLookups(withPhoto.id).map((request) => request.json)).toEqual([{ user_id: withPhoto.id, limit: 1 }]);
    // The largest size up to 640 px, not the 1280 px original.
    expect(callsTo("getFile").at(-1)?.json).toEqual({ file_id: "avatar-640" });
    const avatarUrl = new URL(ada.avatarUrl ?? "");
    expect(avatarUrl.pathname).toMatch(new RegExp(`^/api/v1/contact-avatars/${adaId}/[0-9a-f]{32}\\.webp$`));
    // No session needed: the dashboard shows it with an <img>.
    const picture = await harness.app.inject({ method: "GET", url: avatarUrl.pathname });
    expect(picture.statusCode).toBe(200);
    expect(picture.headers["content-type"]).toBe("image/webp");
    const { width, height } = await sharp(picture.rawPayload).metadata();
    expect([width, height]).toEqual([256, 256]);
    const stats = await sharp(picture.rawPayload).stats();
    expect(stats.dominant.r).toBeGreaterThan(150);
    expect(stats.dominant.g).toBeLessThan(100);
    // The bot token never appears in what we store or show.
    expect(ada.avatarUrl).not.toContain(TOKEN);

    await postUpdate(update(10051, { message: fromUser(withPhoto, 51, "One more thing") }));
    await arrived(`${withPhoto.id}:51`);
    await processed(10051);
    expect(photoLookups(withPhoto.id)).toHaveLength(1);

    await postUpdate(update(10052, { message: fromUser(withoutPhoto, 52, "No picture here") }));
    expect(await arrived(`${withoutPhoto.id}:52`)).toMatchObject({ text: "No picture here" });
    await processed(10052);
    expect(photoLookups(withoutPhoto.id)).toHaveLength(1);
    expect((await contactFromApi(await contactIdOf(withoutPhoto.id))).avatarUrl).toBeNull();
    await postUpdate(update(10053, { message: fromUser(withoutPhoto, 53, "Still none") }));
    await arrived(`${withoutPhoto.id}:53`);
    await processed(10053);
    expect(photoLookups(withoutPhoto.id)).toHaveLength(1);

    const otherFile = await harness.app.inject({
      method: "GET",
      url: `/api/v1/contact-avatars/${adaId}/${"0".repeat(32)}.webp`,
    });
    expect(otherFile.statusCode).toBe(404);
    const malformed = await harness.app.inject({ method: "GET", url: `/api/v1/contact-avatars/${adaId}/..%2Fsecret.webp` });
    expect(malformed.statusCode).toBe(400);
  });

  it("maps Telegram's refusals: 429 is retried, a blocked bot and a 400 fail with the reason, 401 puts the inbox in error", async () => {
    telegram.on(
      "POST",
      `/bot${TOKEN}/sendMessage`,
      {
        status: 429,
        json: { ok: false, error_code: 429, description: "Too Many Requests: retry after 1", parameters: { retry_after: 1 } },
      },
      { once: true },
    );
    const throttled = await reply({ clientId: "tg-429", text: "Sent after a pause" });
    await settled(throttled.id, "sent");
    expect(
      callsTo("sendMessage").filter((request) => (request.json as { text: string }).text === "Sent after a pause"),
    ).toHaveLength(2);

    telegram.on(
      "POST",
      `/bot${TOKEN}/sendMessage`,
      { status: 403, json: { ok: false, error_code: 403, description: "Forbidden: bot was blocked by the user" } },
      { once: true },
    );
    const blocked = await reply({ clientId: "tg-403", text: "Are you there?" });
    expect((await settled(blocked.id, "failed")).deliveryError).toContain("The contact blocked the bot");

    telegram.on(
      "POST",
      `/bot${TOKEN}/sendMessage`,
      { status: 400, json: { ok: false, error_code: 400, description: "Bad Request: chat not found" } },
      { once: true },
    );
    const notFound = await reply({ clientId: "tg-400", text: "Hello?" });
    expect((await settled(notFound.id, "failed")).deliveryError).toContain("Bad Request: chat not found");

    telegram.on(
      "POST",
      `/bot${TOKEN}/sendMessage`,
      { status: 401, json: { ok: false, error_code: 401, description: "Unauthorized" } },
      { once: true },
    );
    const revoked = await reply({ clientId: "tg-401", text: "Token revoked meanwhile" });
    expect((await settled(revoked.id, "failed")).deliveryError).toContain("Unauthorized");
    const status = await suite.channelConnection();
    expect(status.json()).toMatchObject({ status: "error" });
    expect(status.json().error).toContain("Unauthorized");
  });

  it("disconnects: deleteWebhook is called, credentials are erased and updates are refused", async () => {
    telegram.on("POST", `/bot${TOKEN}/deleteWebhook`, { json: { ok: true, result: true, description: "Webhook was deleted" } });
    const disconnected = await suite.disconnectChannel();
    expect(disconnected.json()).toMatchObject({ status: "disconnected" });
    expect(lastCallTo("deleteWebhook").json).toEqual({ drop_pending_updates: false });
    expect((await postUpdate(update(10099, { message: message(1999, { text: "late" }) }))).status).toBe(403);
    const [contact] = await harness.database.db.select().from(contacts).where(eq(contacts.name, "Test Test Lastname"));
    expect(contact).toBeDefined();
  });
});
