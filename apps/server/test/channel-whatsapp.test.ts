import type { TChannelConnection, TConversation, TMessage } from "@parley/shared";
import { eq } from "drizzle-orm";
import sharp from "sharp";
import type { Socket } from "socket.io-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inboxes } from "../src/modules/inboxes/inboxes.tables.ts";
import { attachments } from "../src/modules/messages/messages.tables.ts";
import { type ChannelSuite, metaSignature, postMetaWebhook, sentMessage, startChannelSuite } from "./channel-harness.ts";
import { eventually, type FakePlatform, type RecordedRequest, startFakePlatform } from "./fake-platform.ts";
import { bearer, type TestApp } from "./helpers.ts";

/**
 * WhatsApp Cloud API end to end: webhooks signed with the Meta app secret arrive at
 * /webhooks/whatsapp, become conversations on the agent socket, and agents' replies reach a local
 * fake of the Graph API exactly as WhatsApp expects them. Payloads follow Meta's webhook reference,
 * https://developers.facebook.com/documentation/business-messaging/whatsapp/webhooks/reference/messages
 * (text, image, location, contacts, interactive, button, reaction, unsupported, status pages).
 */

const APP_SECRET = "wa-test-app-secret";
const VERIFY_TOKEN = "wa-verify-token-1";
const PHONE_NUMBER_ID = "106540352242922";
const DISPLAY_NUMBER = "15550783881";
const WABA_ID = "102290129340398";
const ACCESS_TOKEN = "EAAJB-test-system-user-token-0123456789";
const CUSTOMER = "16505551234";
const V = "/v23.0";

/** The webhook envelope every Cloud API notification shares (field "messages"). */
const webhook = (value: Record<string, unknown>) => ({
  object: "whatsapp_business_account",
  entry: [
    {
      id: WABA_ID,
      changes: [
        {
          value: {
            messaging_product: "whatsapp",
            metadata: { display_phone_number: DISPLAY_NUMBER, phone_number_id: PHONE_NUMBER_ID },
            ...value,
          },
          field: "messages",
        },
      ],
    },
  ],
});

const inbound = (...items: Array<Record<string, unknown>>) =>
  webhook({
    contacts: [{ profile: { name: "Sheena Nelson" }, wa_id: CUSTOMER }],
    messages: items.map((item, index) => ({ from: CUSTOMER, timestamp: String(1_750_000_000 + index), ...item })),
  });

const statusOf = (id: string, status: string, extra: Record<string, unknown> = {}) =>
  webhook({
    statuses: [
      {
        id,
        status,
        timestamp: "1750263773",
        recipient_id: CUSTOMER,
        pricing: { billable: true, pricing_model: "PMP", category: "service" },
        ...extra,
      },
    ],
  });

describe("WhatsApp Cloud API channel", () => {
  let suite: ChannelSuite;
  let harness: TestApp;
  let baseUrl: string;
  let graph: FakePlatform;
  let token: string;
  let inboxId: string;
  let agentSocket: Socket;
  const created: TMessage[] = [];
  const conversationsSeen: TConversation[] = [];

  const postWebhook = (body: unknown, signature?: string | null) =>
    postMetaWebhook(`${baseUrl}/webhooks/whatsapp`, body, APP_SECRET, signature);

  const seenMessage = (externalIdOrText: (message: TMessage) => boolean) =>
    eventually(async () => created.find(externalIdOrText));

  const reply = async (payload: Record<string, unknown>) => suite.postMessage((await suite.firstConversation()).id, payload);

  const sentTo = (match: (request: RecordedRequest) => boolean) =>
    graph.waitFor(
      (request) => request.method === "POST" && request.path === `${V}/${PHONE_NUMBER_ID}/messages` && match(request),
    );

  let wamidCounter = 0;
  const acceptSends = () =>
    graph.on("POST", `${V}/${PHONE_NUMBER_ID}/messages`, () => ({
      json: {
        messaging_product: "whatsapp",
        contacts: [{ input: CUSTOMER, wa_id: CUSTOMER }],
        messages: [{ id: `wamid.OUT${++wamidCounter}` }],
      },
    }));

  beforeAll(async () => {
    graph = await startFakePlatform();
    suite = await startChannelSuite({
      env: {
        META_GRAPH_URL: graph.url,
        META_APP_SECRET: APP_SECRET,
        META_VERIFY_TOKEN: VERIFY_TOKEN,
      },
      inbox: { type: "whatsapp", name: "Support WhatsApp" },
    });
    ({ harness, baseUrl, token, inboxId } = suite);
    agentSocket = await suite.connectAgent();
    agentSocket.on("message.created", ({ message }: { message: TMessage }) => created.push(message));
    agentSocket.on("conversation.created", ({ conversation }: { conversation: TConversation }) =>
      conversationsSeen.push(conversation),
    );
  });

  afterAll(async () => {
    await suite?.close();
    await graph?.close();
  });

  it("refuses to connect with Meta's own reason when the token or number is wrong", async () => {
    graph.on(
      "GET",
      `${V}/${PHONE_NUMBER_ID}`,
      {
        status: 401,
        json: {
          error: {
            message: "Error validating access token: Session has expired on Friday, 13-Jun-25.",
            type: "OAuthException",
            code: 190,
            error_subcode: 463,
            fbtrace_id: "Az8or2yhqkZfEZ-_4Qn_Bam",
          },
        },
      },
      { once: true },
    );
    const refused = await suite.connectChannel({
      phoneNumberId: PHONE_NUMBER_ID,
      wabaId: WABA_ID,
      accessToken: "EAAJB-expired-token-000000",
    });
    expect(refused.statusCode).toBe(422);
    expect(refused.json().error).toMatchObject({ code: "channel_rejected" });
    expect(refused.json().error.message).toContain("Session has expired");
    expect((await suite.inboxRow()).channelStatus).toBeNull();

    const malformed = await suite.connectChannel({ phoneNumberId: "not-a-number", wabaId: WABA_ID, accessToken: "short" });
    expect(malformed.statusCode).toBe(400);
    const paths = (malformed.json().error.details as Array<{ path: string }>).map((detail) => detail.path);
    expect(paths).toEqual(expect.arrayContaining(["credentials.phoneNumberId", "credentials.accessToken"]));
  });

  it("connects a number: checks it with Meta, subscribes the app to the business account, keeps the token encrypted", async () => {
    graph.on("GET", `${V}/${PHONE_NUMBER_ID}`, {
      json: { display_phone_number: "+1 555-078-3881", verified_name: "Lucky Shrub", id: PHONE_NUMBER_ID },
    });
    graph.on("POST", `${V}/${WABA_ID}/subscribed_apps`, { json: { success: true } });
    const connected = await suite.connectChannel({ phoneNumberId: PHONE_NUMBER_ID, wabaId: WABA_ID, accessToken: ACCESS_TOKEN });
    expect(connected.statusCode).toBe(200);
    expect(connected.json<TChannelConnection>()).toMatchObject({
      status: "connected",
      platform: "whatsapp",
      channelKey: PHONE_NUMBER_ID,
      displayName: "+1 555-078-3881 · Lucky Shrub",
      webhookUrl: `${harness.config.publicUrl}/webhooks/whatsapp`,
    });
    const lookup = graph.requests.find(
      (request) =>
        request.method === "GET" &&
        request.path === `${V}/${PHONE_NUMBER_ID}` &&
        request.headers.authorization === `Bearer ${ACCESS_TOKEN}`,
    );
    expect(lookup?.query.get("fields")).toBe("display_phone_number,verified_name");
    const subscribe = await graph.waitFor((request) => request.path === `${V}/${WABA_ID}/subscribed_apps`);
    expect(subscribe.headers.authorization).toBe(`Bearer ${ACCESS_TOKEN}`);
    expect(subscribe.json).toEqual({
      override_callback_uri: `${harness.config.publicUrl}/webhooks/whatsapp`,
      verify_token: VERIFY_TOKEN,
    });
    expect((await suite.inboxRow()).channelSecrets).not.toContain(ACCESS_TOKEN);
  });

  it("answers Meta's subscribe handshake only for the configured verify token", async () => {
    const ok = await fetch(
      `${baseUrl}/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=${VERIFY_TOKEN}&hub.challenge=1158201444`,
    );
    expect(ok.status).toBe(200);
    expect(await ok.text()).toBe("1158201444");
    const wrong = await fetch(`${baseUrl}/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=guess&hub.challenge=1158201444`);
    expect(wrong.status).toBe(403);
  });

  it("turns a documented text message into a conversation the agent sees live, once however often it is delivered", async () => {
    const body = inbound({
      id: "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=",
      type: "text",
      text: { body: "Does it come in another color?" },
    });
    const first = await postWebhook(body);
    expect(first.status).toBe(200);
    const message = await seenMessage((m) => m.text === "Does it come in another color?");
    expect(message).toMatchObject({ senderType: "contact", contentType: "text" });
    const started = await eventually(async () => conversationsSeen.find((c) => c.inbox.type === "whatsapp"));
    expect(started.contact).toMatchObject({ name: "Sheena Nelson", phone: `+${CUSTOMER}` });

    expect((await postWebhook(body)).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await suite.copiesOfExternalId("wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=")).toBe(1);
  });

  it("refuses a bad or missing signature with 403 and stores nothing; malformed bodies get a 400", async () => {
    const before = await suite.storedEventCount();
    const body = JSON.stringify(inbound({ id: "wamid.FORGED1", type: "text", text: { body: "forged" } }));
    expect((await postWebhook(body, metaSignature(body, "someone-elses-secret"))).status).toBe(403);
    expect((await postWebhook(body, null)).status).toBe(403);
    const tampered = await postWebhook(body.replace("forged", "FORGED"), metaSignature(body, APP_SECRET));
    expect(tampered.status).toBe(403);
    expect(((await tampered.json()) as { error: { code: string } }).error.code).toBe("invalid_signature");
    expect(await suite.storedEventCount()).toBe(before);

    const notJson = await postWebhook("{nope", metaSignature("{nope", APP_SECRET));
    expect(notJson.status).toBe(400);
    const wrongObject = await postWebhook({ object: "page", entry: [] });
    expect(wrongObject.status).toBe(400);
    const noId = await postWebhook(inbound({ type: "text", text: { body: "no id" } }));
    expect(noId.status).toBe(400);
    // A number nobody connected: acknowledged (Meta would only retry) and dropped.
    const elsewhere = JSON.stringify(inbound({ id: "wamid.ELSEWHERE", type: "text", text: { body: "x" } })).replace(
      PHONE_NUMBER_ID,
      "999999999999999",
    );
    expect((await postWebhook(elsewhere)).status).toBe(200);
    expect(await suite.storedEventCount()).toBe(before);
  });

  it("fetches inbound media through the media endpoint with the number's token into Parley's storage", async () => {
    const photo = await sharp({ create: { width: 40, height: 30, channels: 3, background: { r: 10, g: 120, b: 60 } } })
      .jpeg()
      .toBuffer();
    graph.on("GET", `${V}/1003383421387256`, {
      json: {
        messaging_product: "whatsapp",
        url: `${graph.url}/whatsapp_business/attachments/?mid=1003383421387256&ext=1750263773`,
        mime_type: "image/jpeg",
        sha256: "e7ec4a3e1f2b21d1a7b3a2d5c9a8c6b4",
        file_size: photo.length,
        id: "1003383421387256",
      },
    });
    graph.on("GET", "/whatsapp_business/attachments/", { body: photo, headers: { "content-type": "image/jpeg" } });
    graph.on("GET", `${V}/2754859441498128`, {
      status: 404,
      json: {
        error: {
          message: "Unsupported get request. Object with ID '2754859441498128' does not exist",
          type: "GraphMethodException",
          code: 100,
          error_subcode: 33,
        },
      },
    });
    const pdf = Buffer.from(
      "%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n",
    );
    graph.on("GET", `${V}/1534416750681178`, {
      json: {
        messaging_product: "whatsapp",
        url: `${graph.url}/whatsapp_business/attachments/pdf`,
        mime_type: "application/pdf",
        id: "1534416750681178",
      },
    });
    graph.on("GET", "/whatsapp_business/attachments/pdf", { body: pdf, headers: { "content-type": "application/pdf" } });
    const body = inbound(
      {
        id: "wamid.DOCUMENT1",
        type: "document",
        document: {
          caption: "My receipt",
          filename: "receipt-860198.pdf",
          mime_type: "application/pdf",
          sha256: "b1946ac92492d2347c6235b4d2611184",
          id: "1534416750681178",
        },
      },
      {
        id: "wamid.IMAGE1",
        type: "image",
        image: {
          caption: "Black jacket, size M",
          mime_type: "image/jpeg",
          sha256: "McbE3IWn1JKSrNAu7ryxm7SIe+XVqkzUjLb2fDyjK5E=",
          id: "1003383421387256",
        },
      },
      {
        id: "wamid.IMAGE2",
        type: "image",
        image: { mime_type: "image/jpeg", sha256: "81d3bd8a8db4868c9520ed47186e8b7c", id: "2754859441498128" },
      },
    );
    expect((await postWebhook(body)).status).toBe(200);
    const message = await seenMessage((m) => m.text === "Black jacket, size M");
    expect(message.contentType).toBe("image");
    expect(message.attachments).toHaveLength(1);
    expect(message.attachments[0]).toMatchObject({ contentType: "image/jpeg", width: 40, height: 30 });
    const download = graph.requests.find((request) => request.path === "/whatsapp_business/attachments/");
    expect(download?.headers.authorization).toBe(`Bearer ${ACCESS_TOKEN}`);
    const [stored] = await harness.database.db.select().from(attachments).where(eq(attachments.messageId, message.id));
    expect(stored?.byteSize).toBe(photo.length);
    const document = await seenMessage((m) => m.text === "My receipt");
    expect(document.contentType).toBe("file");
    expect(document.attachments[0]).toMatchObject({ fileName: "receipt-860198.pdf", contentType: "application/pdf" });
    // Media WhatsApp no longer has: the message still arrives, with the reason instead of the file.
    const gone = await seenMessage((m) => m.text.includes("could not be fetched from WhatsApp"));
    expect(gone.text).toContain("does not exist");
  });

  it("understands locations, contact cards, button and list replies, template quick replies, quotes and unsupported types", async () => {
    const body = inbound(
      {
        id: "wamid.LOCATION1",
        type: "location",
        location: {
          address: "1 Hacker Way, Menlo Park, CA 94025",
          latitude: 37.483307,
          longitude: -122.148981,
          name: "Main Street Beach",
          url: "https://www.facebook.com",
        },
      },
      {
        id: "wamid.CONTACTS1",
        type: "contacts",
        contacts: [
          {
            name: { formatted_name: "Barbara J. Johnson", first_name: "Barbara", last_name: "Johnson" },
            phones: [{ phone: "+1 (940) 555-1234", type: "HOME", wa_id: "19405551234" }],
            emails: [{ email: "bjohnson@example.com", type: "WORK" }],
          },
        ],
      },
      {
        id: "wamid.BUTTONREPLY1",
        type: "interactive",
        context: { from: DISPLAY_NUMBER, id: "wamid.HBgLMTQxMjU1NTA4MjkVAgASGBQzQUNCNjk5RDUwNUZGMUZEM0VBRAA=" },
        interactive: { type: "button_reply", button_reply: { id: "cancel-button", title: "Cancel" } },
      },
      {
        id: "wamid.LISTREPLY1",
        type: "interactive",
        interactive: {
          type: "list_reply",
          list_reply: { id: "priority_express", title: "Priority Mail Express", description: "Next Day to 2 Days" },
        },
      },
      { id: "wamid.TEMPLATEBUTTON1", type: "button", button: { payload: "unsubscribe-me", text: "Stop promotions" } },
      {
        id: "wamid.QUOTE1",
        type: "text",
        context: { from: DISPLAY_NUMBER, id: "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=" },
        text: { body: "This one, in blue" },
      },
      {
        id: "wamid.UNSUPPORTED1",
        type: "unsupported",
        errors: [
          {
            code: 131051,
            title: "Message type unknown",
            message: "Message type unknown",
            error_data: { details: "Message type is currently not supported." },
          },
        ],
      },
    );
    expect((await postWebhook(body)).status).toBe(200);
    const location = await seenMessage((m) => m.contentType === "location");
    expect(location.content).toEqual({
      latitude: 37.483307,
      longitude: -122.148981,
      name: "Main Street Beach",
      address: "1 Hacker Way, Menlo Park, CA 94025",
    });
    const card = await seenMessage((m) => m.contentType === "contact_card");
    expect(card.content).toEqual({ name: "Barbara J. Johnson", phones: ["+1 (940) 555-1234"], emails: ["bjohnson@example.com"] });
    const button = await seenMessage((m) => m.text === "Cancel");
    expect(button.content).toEqual({ postback: { payload: "cancel-button", title: "Cancel" } });
    const row = await seenMessage((m) => m.text === "Priority Mail Express");
    expect(row.content).toEqual({ postback: { payload: "priority_express", title: "Priority Mail Express" } });
    const quick = await seenMessage((m) => m.text === "Stop promotions");
    expect(quick.content).toEqual({ postback: { payload: "unsubscribe-me", title: "Stop promotions" } });
    const quote = await seenMessage((m) => m.text === "This one, in blue");
    const original = await suite.messageByExternalId("wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=");
    expect(quote.replyToId).toBe(original?.id);
    const unsupported = await seenMessage((m) => m.text.includes("cannot show"));
    expect(unsupported.text).toContain("Message type unknown");
  });

  it("sends an agent's reply to the Graph API exactly, then follows its statuses forward only", async () => {
    acceptSends();
    const sent = await reply({ clientId: "wa-reply-1", text: "Yes — it also comes in navy." });
    expect(sent.statusCode).toBe(201);
    const id = sentMessage(sent).id;
    const request = await sentTo((candidate) => JSON.stringify(candidate.json).includes("navy"));
    expect(request.headers.authorization).toBe(`Bearer ${ACCESS_TOKEN}`);
    expect(request.json).toEqual({
      messaging_product: "whatsapp",
      recipient_type: "individual",
      to: CUSTOMER,
      type: "text",
      text: { preview_url: false, body: "Yes — it also comes in navy." },
    });
    const stored = await eventually(async () => {
      const row = await suite.messageRow(id);
      return row?.deliveryStatus === "sent" && row.externalId ? row : undefined;
    });
    const wamid = stored.externalId ?? "";
    expect(wamid).toMatch(/^wamid\.OUT/);

    expect((await postWebhook(statusOf(wamid, "delivered"))).status).toBe(200);
    await suite.messageWithStatus(id, "delivered");
    expect((await postWebhook(statusOf(wamid, "read"))).status).toBe(200);
    await suite.messageWithStatus(id, "read");
    // Out of order: a "delivered" redelivered after "read" neither stores twice nor moves back.
    expect((await postWebhook(statusOf(wamid, "delivered"))).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect((await suite.messageRow(id))?.deliveryStatus).toBe("read");
  });

  it("quotes the message replied to, splits long text at 4096 characters, and uploads attachments with a caption", async () => {
    acceptSends();
    graph.on("POST", `${V}/${PHONE_NUMBER_ID}/media`, { json: { id: "4490709327384033" } });
    const quoted = await suite.messageByExternalId("wamid.QUOTE1");
    const long = `${"All of our jackets are machine washable. ".repeat(110)}END`;
    const sent = await reply({ clientId: "wa-reply-2", text: long, replyToId: quoted?.id });
    expect(sent.statusCode).toBe(201);
    const firstPiece = await sentTo((request) => (request.json as { context?: unknown }).context !== undefined);
    expect(firstPiece.json).toMatchObject({ context: { message_id: "wamid.QUOTE1" }, type: "text" });
    const pieces = await eventually(async () => {
      const found = graph.requests.filter(
        (request) =>
          request.path === `${V}/${PHONE_NUMBER_ID}/messages` && JSON.stringify(request.json).includes("machine washable"),
      );
      return found.length >= 2 ? found : undefined;
    });
    const bodies = pieces.map((request) => (request.json as { text: { body: string } }).text.body);
    expect(bodies.every((body) => body.length <= 4096)).toBe(true);
    expect(bodies.join(" ")).toContain("END");
    expect(pieces[1]?.json).not.toHaveProperty("context");

    const photo = await sharp({ create: { width: 20, height: 20, channels: 3, background: { r: 0, g: 0, b: 200 } } })
      .png()
      .toBuffer();
    const attachmentId = await suite.uploadAttachment({ name: "navy.png", bytes: photo, type: "image/png" });
    const withPhoto = await reply({ clientId: "wa-reply-3", text: "Here it is in navy", attachmentIds: [attachmentId] });
    expect(withPhoto.statusCode).toBe(201);
    const media = await graph.waitFor((request) => request.path === `${V}/${PHONE_NUMBER_ID}/media`);
    expect(media.headers["content-type"]).toMatch(/^multipart\/form-data; boundary=/);
    const multipart = media.rawBody.toString("latin1");
    expect(multipart).toContain('name="messaging_product"\r\n\r\nwhatsapp');
    expect(multipart).toContain('name="type"\r\n\r\nimage/png');
    expect(multipart).toContain('name="file"; filename="navy.png"');
    expect(media.rawBody.includes(photo)).toBe(true);
    const imageSend = await sentTo((request) => (request.json as { type?: string }).type === "image");
    expect(imageSend.json).toEqual({
      messaging_product: "whatsapp",
      recipient_type: "individual",
      to: CUSTOMER,
      type: "image",
      image: { id: "4490709327384033", caption: "Here it is in navy" },
    });
  });

  it("resumes a reply of several WhatsApp messages after a failed part, and follows statuses of any part", async () => {
    const messagesPath = `${V}/${PHONE_NUMBER_ID}/messages`;
    acceptSends();
    // The first piece goes through; the second is refused once with a 5xx, as under load, so the job retries.
    const firstWamid = `wamid.PART${++wamidCounter}`;
    graph.on(
      "POST",
      messagesPath,
      () => {
        graph.on(
          "POST",
          messagesPath,
          { status: 503, json: { error: { message: "Service temporarily unavailable", type: "OAuthException", code: 2 } } },
          { once: true },
        );
        return {
          json: {
            messaging_product: "whatsapp",
            contacts: [{ input: CUSTOMER, wa_id: CUSTOMER }],
            messages: [{ id: firstWamid }],
          },
        };
      },
      { once: true },
    );
    const long = `${"Every order ships within two days. ".repeat(130)}PARTS-END`;
    const sent = await reply({ clientId: "wa-parts-1", text: long });
    expect(sent.statusCode).toBe(201);
    const id = sentMessage(sent).id;
    const stored = await suite.messageWithStatus(id, "sent", 20_000);
    const bodies = graph.requests
      .filter((request) => request.path === messagesPath && JSON.stringify(request.json).includes("ships within two days"))
      .map((request) => (request.json as { text: { body: string } }).text.body);
    expect(bodies).toHaveLength(3);
    const [first, second, retried] = bodies;
    expect(second).toBe(retried);
    expect(first).not.toBe(second);
    expect(bodies.filter((body) => body === first)).toHaveLength(1);
    expect(`${first} ${second}`).toContain("PARTS-END");
    // The last piece's id is the message's; the first piece's is on record.
    expect(stored.externalId).toMatch(/^wamid\.OUT/);
    expect(stored.content.channelParts).toEqual([
      { index: 0, externalId: firstWamid },
      { index: 1, externalId: stored.externalId },
    ]);

    expect((await postWebhook(statusOf(firstWamid, "read"))).status).toBe(200);
    await suite.messageWithStatus(id, "read");
  });

  it("maps buttons to reply buttons or a list, cards to one message each, locations and contact cards natively", async () => {
    acceptSends();
    await reply({
      clientId: "wa-buttons-1",
      text: "Which size?",
      contentType: "buttons",
      content: {
        buttons: [
          { title: "Small", payload: "size_s" },
          { title: "Medium", payload: "size_m" },
        ],
      },
    });
    const buttons = await sentTo((request) => JSON.stringify(request.json).includes("Which size?"));
    expect(buttons.json).toMatchObject({
      type: "interactive",
      interactive: {
        type: "button",
        body: { text: "Which size?" },
        action: {
          buttons: [
            { type: "reply", reply: { id: "size_s", title: "Small" } },
            { type: "reply", reply: { id: "size_m", title: "Medium" } },
          ],
        },
      },
    });

    const colours = ["Navy", "Black", "Olive", "Sand", "Burgundy"];
    await reply({
      clientId: "wa-buttons-2",
      text: "Which colour?",
      contentType: "buttons",
      content: { buttons: colours.map((title) => ({ title, payload: `colour_${title.toLowerCase()}` })) },
    });
    const list = await sentTo((request) => JSON.stringify(request.json).includes("Which colour?"));
    expect(list.json).toMatchObject({
      type: "interactive",
      interactive: {
        type: "list",
        body: { text: "Which colour?" },
        action: {
          button: "Choose",
          sections: [{ rows: colours.map((title) => ({ id: `colour_${title.toLowerCase()}`, title })) }],
        },
      },
    });

    // More than ten choices, or a link mixed with replies: WhatsApp cannot show it, so numbered text.
    await reply({
      clientId: "wa-buttons-3",
      text: "Pick a store",
      contentType: "buttons",
      content: {
        buttons: [
          { title: "Berlin", payload: "ber" },
          { title: "Our site", url: "https://shop.example.com" },
        ],
      },
    });
    const fallback = await sentTo((request) => JSON.stringify(request.json).includes("Pick a store"));
    expect(fallback.json).toMatchObject({
      type: "text",
      text: { body: "Pick a store\n\n1. Berlin\n2. Our site — https://shop.example.com" },
    });

    await reply({
      clientId: "wa-cards-1",
      text: "",
      contentType: "cards",
      content: {
        cards: [
          {
            title: "Rain jacket",
            subtitle: "€89",
            imageUrl: "https://cdn.example.com/rain.jpg",
            buttons: [{ title: "Buy", payload: "buy_rain" }],
          },
          { title: "Wool coat", subtitle: "€149", imageUrl: "https://cdn.example.com/wool.jpg" },
        ],
      },
    });
    const firstCard = await sentTo((request) => JSON.stringify(request.json).includes("Rain jacket"));
    expect(firstCard.json).toMatchObject({
      type: "interactive",
      interactive: {
        type: "button",
        header: { type: "image", image: { link: "https://cdn.example.com/rain.jpg" } },
        body: { text: "*Rain jacket*\n€89" },
        action: { buttons: [{ type: "reply", reply: { id: "buy_rain", title: "Buy" } }] },
      },
    });
    const secondCard = await sentTo((request) => JSON.stringify(request.json).includes("Wool coat"));
    expect(secondCard.json).toMatchObject({
      type: "image",
      image: { link: "https://cdn.example.com/wool.jpg", caption: "*Wool coat*\n€149" },
    });

    await reply({
      clientId: "wa-location-1",
      text: "",
      contentType: "location",
      content: { latitude: 52.52, longitude: 13.405, name: "Parley Store", address: "Alexanderplatz 1, Berlin" },
    });
    const location = await sentTo((request) => (request.json as { type?: string }).type === "location");
    expect(location.json).toMatchObject({
      type: "location",
      location: { latitude: 52.52, longitude: 13.405, name: "Parley Store", address: "Alexanderplatz 1, Berlin" },
    });

    await reply({
      clientId: "wa-contact-1",
      text: "",
      contentType: "contact_card",
      content: { name: "Parley Support", phones: ["+49 30 1234567"], emails: ["help@example.com"] },
    });
    const contact = await sentTo((request) => (request.json as { type?: string }).type === "contacts");
    expect(contact.json).toMatchObject({
      type: "contacts",
      contacts: [
        {
          name: { formatted_name: "Parley Support", first_name: "Parley Support" },
          phones: [{ phone: "+49 30 1234567", type: "CELL" }],
          emails: [{ email: "help@example.com", type: "WORK" }],
        },
      ],
    });
  });

  it("maps WhatsApp's errors: undeliverable fails at once, rate limits are retried, a dead token puts the inbox in error", async () => {
    const fail = (code: number, message: string, status = 400) =>
      graph.on(
        "POST",
        `${V}/${PHONE_NUMBER_ID}/messages`,
        {
          status,
          json: {
            error: {
              message,
              type: "OAuthException",
              code,
              error_data: { messaging_product: "whatsapp", details: message },
              fbtrace_id: "AbCdEf",
            },
          },
        },
        { once: true },
      );
    acceptSends();

    fail(131026, "Message undeliverable");
    const undeliverable = sentMessage(await reply({ clientId: "wa-err-1", text: "Are you there?" })).id;
    const failed = await suite.messageWithStatus(undeliverable, "failed");
    expect(failed.deliveryError).toContain("Message undeliverable");
    expect(failed.deliveryError).toContain("131026");
    const attempts = graph.requests.filter((request) => JSON.stringify(request.json).includes("Are you there?"));
    expect(attempts).toHaveLength(1);

    fail(130429, "Rate limit hit");
    const limited = sentMessage(await reply({ clientId: "wa-err-2", text: "Sent after a pause" })).id;
    await suite.messageWithStatus(limited, "sent", 20_000);
    expect(graph.requests.filter((request) => JSON.stringify(request.json).includes("Sent after a pause"))).toHaveLength(2);

    fail(131047, "Re-engagement message");
    const window = sentMessage(await reply({ clientId: "wa-err-3", text: "Too late" })).id;
    const outside = await suite.messageWithStatus(window, "failed");
    expect(outside.deliveryError).toContain("Re-engagement message");
    expect(outside.deliveryError).toContain("only accepts an approved template");

    // A failed status webhook names WhatsApp's reason for the agent.
    acceptSends();
    const later = sentMessage(await reply({ clientId: "wa-err-4", text: "Delivered later?" })).id;
    const sentRow = await eventually(async () => {
      const row = await suite.messageRow(later);
      return row?.externalId ? row : undefined;
    });
    await postWebhook(
      statusOf(sentRow.externalId ?? "", "failed", {
        errors: [
          {
            code: 131049,
            title: "This message was not delivered to maintain healthy ecosystem engagement.",
            message: "This message was not delivered to maintain healthy ecosystem engagement.",
            error_data: { details: "In order to maintain a healthy ecosystem engagement, the message failed to be delivered." },
          },
        ],
      }),
    );
    const failedStatus = await suite.messageWithStatus(later, "failed");
    expect(failedStatus.deliveryError).toContain("healthy ecosystem engagement");
    expect(failedStatus.deliveryError).toContain("131049");

    fail(190, "Error validating access token: The session has been invalidated.", 401);
    const revoked = sentMessage(await reply({ clientId: "wa-err-5", text: "Token gone" })).id;
    await suite.messageWithStatus(revoked, "failed");
    const inbox = await suite.inboxRow();
    expect(inbox.channelStatus).toBe("error");
    expect(inbox.channelError).toContain("session has been invalidated");
    await harness.database.db
      .update(inboxes)
      .set({ channelStatus: "connected", channelError: null })
      .where(eq(inboxes.id, inboxId));
  });

  it("records the contact's reactions and their removal", async () => {
    const target = await suite.messageByExternalId("wamid.LOCATION1");
    expect(
      (
        await postWebhook(
          inbound({
            id: "wamid.REACTION1",
            type: "reaction",
            reaction: { message_id: "wamid.LOCATION1", emoji: "\uD83D\uDE00" },
          }),
        )
      ).status,
    ).toBe(200);
    await eventually(async () => {
      const { rows } = await harness.database.pool.query("select emoji from message_reactions where message_id = $1", [
        target?.id,
      ]);
      return rows[0]?.emoji === "😀";
    });
    expect(
      (
        await postWebhook(
          inbound({ id: "wamid.REACTION2", type: "reaction", reaction: { message_id: "wamid.LOCATION1", emoji: "" } }),
        )
      ).status,
    ).toBe(200);
    await eventually(async () => {
      const { rows } = await harness.database.pool.query("select emoji from message_reactions where message_id = $1", [
        target?.id,
      ]);
      return rows.length === 0;
    });
  });

  it("marks the contact's messages read on WhatsApp when an agent reads the conversation", async () => {
    graph.on("POST", `${V}/${PHONE_NUMBER_ID}/messages`, { json: { success: true } }, { once: true });
    expect((await postWebhook(inbound({ id: "wamid.READ1", type: "text", text: { body: "Did you see this?" } }))).status).toBe(
      200,
    );
    await eventually(async () => (await suite.messageByExternalId("wamid.READ1")) !== undefined);
    const current = await suite.firstConversation();
    const read = await harness.app.inject({
      method: "POST",
      url: `/api/v1/conversations/${current.id}/read`,
      headers: bearer(token),
    });
    expect(read.statusCode).toBe(200);
    const request = await sentTo((candidate) => (candidate.json as { status?: string }).status === "read");
    // WhatsApp marks everything before it read too, so only the latest id is sent.
    expect(request.json).toEqual({ messaging_product: "whatsapp", status: "read", message_id: "wamid.READ1" });
  });

  it("disconnects: replies are refused and the number's webhooks are dropped", async () => {
    const disconnected = await suite.disconnectChannel();
    expect(disconnected.json()).toMatchObject({ status: "disconnected" });
    const refused = await reply({ clientId: "wa-after-1", text: "Nobody will get this" });
    expect(refused.statusCode).toBe(409);
    expect(refused.json().error.code).toBe("channel_not_connected");
    const before = await suite.storedEventCount();
    expect((await postWebhook(inbound({ id: "wamid.AFTER1", type: "text", text: { body: "hello?" } }))).status).toBe(200);
    expect(await suite.storedEventCount()).toBe(before);
  });
});
