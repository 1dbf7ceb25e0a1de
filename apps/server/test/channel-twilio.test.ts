import { createHmac } from "node:crypto";
import type { TChannelConnection, TConversation, TMessage } from "@parley/shared";
import { eq } from "drizzle-orm";
import sharp from "sharp";
import type { Socket } from "socket.io-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isValidTwilioSignature, twilioSignature } from "../src/modules/channels/twilio/twilio-signature.ts";
import { attachments } from "../src/modules/messages/messages.tables.ts";
import { type ChannelSuite, sentMessage, startChannelSuite } from "./channel-harness.ts";
import { eventually, type FakePlatform, type RecordedRequest, startFakePlatform } from "./fake-platform.ts";
import { nextEvent, type TestApp } from "./helpers.ts";

/**
 * SMS/MMS through Twilio against a local fake of its REST API. Webhook parameters follow
 * https://www.twilio.com/docs/messaging/guides/webhook-request (incoming messages) and
 * https://www.twilio.com/docs/messaging/guides/track-outbound-message-status (status callbacks);
 * REST answers follow https://www.twilio.com/docs/messaging/api/message-resource and
 * https://www.twilio.com/docs/phone-numbers/api/incomingphonenumber-resource.
 */
const ACCOUNT_SID = "AC0123456789abcdef0123456789abcdef";
const AUTH_TOKEN = "f0e1d2c3b4a5968778695a4b3c2d1e0f";
const NUMBER = "+15017122661";
const NUMBER_SID = "PN0123456789abcdef0123456789abcdef";
const CONTACT = "+15558675310";
const API = `/2010-04-01/Accounts/${ACCOUNT_SID}`;
const BASIC = `Basic ${Buffer.from(`${ACCOUNT_SID}:${AUTH_TOKEN}`).toString("base64")}`;

describe("Twilio signature (X-Twilio-Signature)", () => {
  // Twilio's documented example: https://www.twilio.com/docs/usage/security#validating-requests
  // (auth token 12345, the URL with its query string, the POST parameters, and the header Twilio sent).
  const url = "https://mycompany.com/myapp.php?foo=1&bar=2";
  const params: Array<[string, string]> = [
    ["CallSid", "CA1234567890ABCDE"],
    ["Caller", "+14158675309"],
    ["Digits", "1234"],
    ["From", "+14158675309"],
    ["To", "+18005551212"],
  ];

  it("matches Twilio's documented test vector", () => {
    expect(twilioSignature("12345", url, params)).toBe("RSOYDt4T1cUTdK1PDd93/VVr8B8=");
    expect(isValidTwilioSignature("12345", url, [...params].reverse(), "RSOYDt4T1cUTdK1PDd93/VVr8B8=")).toBe(true);
  });

  it("fails for a changed parameter, URL or token, and without a header", () => {
    const signature = "RSOYDt4T1cUTdK1PDd93/VVr8B8=";
    expect(isValidTwilioSignature("12345", url, [...params.slice(0, 4), ["To", "+18005551213"]], signature)).toBe(false);
    expect(isValidTwilioSignature("12345", "https://mycompany.com/myapp.php?foo=1&bar=3", params, signature)).toBe(false);
    expect(isValidTwilioSignature("54321", url, params, signature)).toBe(false);
    expect(isValidTwilioSignature("12345", url, params, undefined)).toBe(false);
  });

  it("accepts the URL as Twilio may sign it, with the default port", () => {
    const withPort = twilioSignature("12345", "https://mycompany.com:443/myapp.php?foo=1&bar=2", params);
    expect(isValidTwilioSignature("12345", url, params, withPort)).toBe(true);
  });
});

describe("Twilio: SMS and MMS", () => {
  let suite: ChannelSuite;
  let harness: TestApp;
  let baseUrl: string;
  let twilio: FakePlatform;
  let inboxId: string;
  let webhookUrl: string;
  let agentSocket: Socket;
  let smsUrl = "";
  let sidCounter = 0;

  /** Signs as Twilio does, written out here rather than reusing the code under test. */
  const sign = (url: string, params: Record<string, string>, authToken = AUTH_TOKEN) => {
    const data = Object.keys(params)
      .sort()
      .reduce((signed, name) => `${signed}${name}${params[name]}`, url);
    return createHmac("sha1", authToken).update(data).digest("base64");
  };

  const postWebhook = (params: Record<string, string>, signature?: string) =>
    fetch(`${baseUrl}/webhooks/twilio/${inboxId}`, {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        "x-twilio-signature": signature ?? sign(webhookUrl, params),
      },
      body: new URLSearchParams(params).toString(),
    });

  /** An incoming SMS as Twilio posts it to the number's SmsUrl. */
  const incoming = (messageSid: string, fields: Record<string, string> = {}) => ({
    ToCountry: "US",
    ToState: "CA",
    SmsMessageSid: messageSid,
    NumMedia: "0",
    ToCity: "SAN FRANCISCO",
    FromZip: "94105",
    SmsSid: messageSid,
    FromState: "CA",
    SmsStatus: "received",
    FromCity: "SAN FRANCISCO",
    Body: "Hello! 👍",
    FromCountry: "US",
    To: NUMBER,
    MessagingServiceSid: "",
    ToZip: "94105",
    NumSegments: "1",
    MessageSid: messageSid,
    AccountSid: ACCOUNT_SID,
    From: CONTACT,
    ApiVersion: "2010-04-01",
    ...fields,
  });

  /** A status callback for one of our messages. */
  const statusCallback = (messageSid: string, status: string, fields: Record<string, string> = {}) => ({
    SmsSid: messageSid,
    SmsStatus: status,
    MessageStatus: status,
    To: CONTACT,
    MessageSid: messageSid,
    AccountSid: ACCOUNT_SID,
    From: NUMBER,
    ApiVersion: "2010-04-01",
    ...fields,
  });

  const reply = async (payload: Record<string, unknown>): Promise<TMessage> => {
    const sent = await suite.postMessage((await suite.firstConversation()).id, payload);
    expect(sent.statusCode).toBe(201);
    return sentMessage(sent);
  };

  const settled = (messageId: string, status: "sent" | "failed" | "delivered") =>
    suite.messageWithStatus(messageId, status, 20_000);

  const messageCalls = () => twilio.requests.filter((request) => request.path === `${API}/Messages.json`);
  const lastMessageCall = (): RecordedRequest => {
    const found = messageCalls().at(-1);
    if (!found) throw new Error("no Messages.json call");
    return found;
  };

  const unauthorized = {
    status: 401,
    json: { code: 20003, message: "Authenticate", more_info: "https://www.twilio.com/docs/errors/20003", status: 401 },
  };
  const authorized = (request: RecordedRequest) => request.headers.authorization === BASIC;

  beforeAll(async () => {
    twilio = await startFakePlatform();
    suite = await startChannelSuite({ env: { TWILIO_API_URL: twilio.url }, inbox: { type: "sms", name: "Acme SMS" } });
    ({ harness, baseUrl, inboxId } = suite);
    webhookUrl = `${harness.config.publicUrl}/webhooks/twilio/${inboxId}`;

    twilio.on("GET", `${API}.json`, (request) =>
      authorized(request)
        ? { json: { sid: ACCOUNT_SID, friendly_name: "Acme Inc", status: "active", type: "Full" } }
        : unauthorized,
    );
    twilio.on("GET", `${API}/IncomingPhoneNumbers.json`, (request) => {
      if (!authorized(request)) return unauthorized;
      const wanted = request.query.get("PhoneNumber");
      const numbers =
        wanted === NUMBER
          ? [
              {
                sid: NUMBER_SID,
                phone_number: NUMBER,
                friendly_name: "(501) 712-2661",
                sms_url: smsUrl,
                capabilities: { sms: true, mms: true, voice: true },
              },
            ]
          : [];
      return { json: { incoming_phone_numbers: numbers, page: 0, page_size: 50 } };
    });
    const numberPath = `${API}/IncomingPhoneNumbers/${NUMBER_SID}.json`;
    twilio.on("GET", numberPath, () => ({ json: { sid: NUMBER_SID, phone_number: NUMBER, sms_url: smsUrl } }));
    twilio.on("POST", numberPath, (request) => {
      if (!authorized(request)) return unauthorized;
      smsUrl = request.form?.SmsUrl ?? smsUrl;
      return { json: { sid: NUMBER_SID, phone_number: NUMBER, sms_url: smsUrl, sms_method: "POST" } };
    });
    twilio.on("POST", `${API}/Messages.json`, (request) => {
      sidCounter += 1;
      const sid = `SM${sidCounter.toString(16).padStart(32, "0")}`;
      return {
        status: 201,
        json: {
          sid,
          account_sid: ACCOUNT_SID,
          to: request.form?.To,
          from: request.form?.From,
          body: request.form?.Body,
          status: "queued",
        },
      };
    });
    agentSocket = await suite.connectAgent();
  });

  afterAll(async () => {
    await suite?.close();
    await twilio?.close();
  });

  it("refuses wrong credentials and a number the account does not own, with Twilio's words", async () => {
    const wrongToken = await suite.connectChannel({
      accountSid: ACCOUNT_SID,
      authToken: "00000000000000000000000000000000",
      phoneNumber: NUMBER,
    });
    expect(wrongToken.statusCode).toBe(422);
    expect(wrongToken.json().error.code).toBe("channel_rejected");
    expect(wrongToken.json().error.message).toContain("Authenticate");

    const notOurs = await suite.connectChannel({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, phoneNumber: "+15005550006" });
    expect(notOurs.statusCode).toBe(422);
    expect(notOurs.json().error.message).toContain("+15005550006 is not a phone number of this Twilio account");

    const badNumber = await suite.connectChannel({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, phoneNumber: "555-0100" });
    expect(badNumber.statusCode).toBe(400);
    expect(badNumber.json().error.details[0].path).toBe("credentials.phoneNumber");
    expect(smsUrl).toBe("");
  });

  it("connects a number: checks the account, finds the number and points its SmsUrl at Parley", async () => {
    const connected = await suite.connectChannel({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, phoneNumber: NUMBER });
    expect(connected.statusCode).toBe(200);
    expect(connected.json<TChannelConnection>()).toMatchObject({
      status: "connected",
      platform: "twilio",
      channelKey: NUMBER,
      displayName: NUMBER,
      webhookUrl,
    });
    const update = twilio.requests.find(
      (request) => request.method === "POST" && request.path.includes("/IncomingPhoneNumbers/"),
    );
    expect(update?.path).toBe(`${API}/IncomingPhoneNumbers/${NUMBER_SID}.json`);
    expect(update?.headers.authorization).toBe(BASIC);
    expect(update?.form).toEqual({ SmsUrl: webhookUrl, SmsMethod: "POST" });
    expect(connected.body).not.toContain(AUTH_TOKEN);
    expect((await suite.inboxRow()).channelSecrets).not.toContain(AUTH_TOKEN);
  });

  it("turns a signed incoming SMS into a conversation the agent sees, answers empty TwiML, and stores it once", async () => {
    const created = nextEvent<{ conversation: TConversation }>(agentSocket, "conversation.created");
    const params = incoming("SM1342fe1b2c904d1ab04f0fc7a58abca9");
    const answer = await postWebhook(params);
    expect(answer.status).toBe(200);
    expect(answer.headers.get("content-type")).toContain("text/xml");
    expect(await answer.text()).toBe('<?xml version="1.0" encoding="UTF-8"?><Response/>');
    const { conversation } = await created;
    expect(conversation.inbox.type).toBe("sms");
    const live = await nextEvent<{ message: TMessage }>(agentSocket, "message.created");
    expect(live.message).toMatchObject({ senderType: "contact", text: "Hello! 👍", contentType: "text" });
    const { rows } = await harness.database.pool.query(
      "select c.phone from contacts c join contact_identities i on i.contact_id = c.id where i.source_id = $1",
      [CONTACT],
    );
    expect(rows[0]?.phone).toBe(CONTACT);

    expect((await postWebhook(params)).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await suite.copiesOfExternalId("SM1342fe1b2c904d1ab04f0fc7a58abca9")).toBe(1);
  });

  it("refuses a bad or missing signature with 403 and stores nothing; malformed bodies get 400", async () => {
    const before = await suite.storedEventCount();
    const params = incoming("SMforged000000000000000000000000001", { Body: "Send me your password" });
    expect((await postWebhook(params, sign(webhookUrl, params, "wrong-token-wrong-token"))).status).toBe(403);
    // Signed for another URL (a replay to another inbox) is refused too.
    expect((await postWebhook(params, sign(`${harness.config.publicUrl}/webhooks/twilio/other`, params))).status).toBe(403);
    const unsigned = await fetch(`${baseUrl}/webhooks/twilio/${inboxId}`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams(params).toString(),
    });
    expect(unsigned.status).toBe(403);
    expect(await suite.storedEventCount()).toBe(before);

    expect((await postWebhook({ From: CONTACT, Body: "no sid" })).status).toBe(400);
    const json = await fetch(`${baseUrl}/webhooks/twilio/${inboxId}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ hello: "world" }),
    });
    expect(json.status).toBe(400);
    expect(await suite.storedEventCount()).toBe(before);
  });

  it("fetches MMS media with the account's credentials into storage", async () => {
    const jpeg = await sharp({ create: { width: 40, height: 30, channels: 3, background: { r: 1, g: 2, b: 3 } } })
      .jpeg()
      .toBuffer();
    const png = await sharp({ create: { width: 10, height: 10, channels: 3, background: { r: 9, g: 9, b: 9 } } })
      .png()
      .toBuffer();
    const mediaPath = (n: number) => `${API}/Messages/MM800f449d0399ed014aae2bcc0cc2f2ec/Media/ME${String(n).padStart(32, "0")}`;
    twilio.on("GET", mediaPath(1), (request) =>
      authorized(request) ? { body: jpeg, headers: { "content-type": "image/jpeg" } } : unauthorized,
    );
    twilio.on("GET", mediaPath(2), (request) =>
      authorized(request) ? { body: png, headers: { "content-type": "image/png" } } : unauthorized,
    );
    await postWebhook(
      incoming("MM800f449d0399ed014aae2bcc0cc2f2ec", {
        Body: "Two photos of the damage",
        NumMedia: "2",
        MediaUrl0: `${twilio.url}${mediaPath(1)}`,
        MediaContentType0: "image/jpeg",
        MediaUrl1: `${twilio.url}${mediaPath(2)}`,
        MediaContentType1: "image/png",
      }),
    );
    const mms = await eventually(() => suite.messageByExternalId("MM800f449d0399ed014aae2bcc0cc2f2ec"));
    expect(mms).toMatchObject({ contentType: "image", text: "Two photos of the damage" });
    const files = await harness.database.db.select().from(attachments).where(eq(attachments.messageId, mms.id));
    expect(files.map((file) => file.contentType).sort()).toEqual(["image/jpeg", "image/png"]);
    expect(files.find((file) => file.contentType === "image/jpeg")?.byteSize).toBe(jpeg.length);

    // Media Twilio no longer serves (deleted meanwhile) are named; the message itself still arrives.
    await postWebhook(
      incoming("MM900f449d0399ed014aae2bcc0cc2f2ed", {
        Body: "And a video",
        NumMedia: "1",
        MediaUrl0: `${twilio.url}${API}/Messages/MM900f449d0399ed014aae2bcc0cc2f2ed/Media/MEgone`,
        MediaContentType0: "video/mp4",
      }),
    );
    const withoutMedia = await eventually(() => suite.messageByExternalId("MM900f449d0399ed014aae2bcc0cc2f2ed"));
    expect(withoutMedia.text).toContain("And a video");
    expect(withoutMedia.text).toContain("was not kept");
  });

  it("sends an agent's reply to Messages.json and follows its status callbacks forward only", async () => {
    const sent = await reply({ clientId: "sms-reply-1", text: "Thanks, a new one ships today." });
    const stored = await settled(sent.id, "sent");
    const request = lastMessageCall();
    expect(request.method).toBe("POST");
    expect(request.headers.authorization).toBe(BASIC);
    expect(request.form).toEqual({
      To: CONTACT,
      From: NUMBER,
      Body: "Thanks, a new one ships today.",
      StatusCallback: webhookUrl,
    });
    const sid = stored.externalId ?? "";
    expect(sid).toMatch(/^SM[0-9a-f]{32}$/);

    expect((await postWebhook(statusCallback(sid, "delivered"))).status).toBe(200);
    await settled(sent.id, "delivered");
    // A late "sent" arrives after "delivered": the status does not go back.
    expect((await postWebhook(statusCallback(sid, "sent"))).status).toBe(200);
    await suite.eventProcessed(`${sid}:sent`);
    expect((await suite.messageByExternalId(sid))?.deliveryStatus).toBe("delivered");
  });

  it("shows an undelivered status with the carrier's reason", async () => {
    const sent = await reply({ clientId: "sms-reply-2", text: "Are you there?" });
    const sid = (await settled(sent.id, "sent")).externalId ?? "";
    await postWebhook(statusCallback(sid, "undelivered", { ErrorCode: "30003" }));
    const failed = await settled(sent.id, "failed");
    expect(failed.deliveryError).toContain("unreachable");
    expect(failed.deliveryError).toContain("30003");
  });

  it("sends buttons as numbered text, files as MediaUrl, and long text in pieces of 1,600", async () => {
    const choice = await reply({
      clientId: "sms-buttons",
      text: "How can we help?",
      contentType: "buttons",
      content: {
        buttons: [
          { title: "Track my order", payload: "TRACK" },
          { title: "Opening hours", url: "https://example.com/hours" },
        ],
      },
    });
    await settled(choice.id, "sent");
    expect(lastMessageCall().form?.Body).toBe(
      "How can we help?\n\n1. Track my order\n2. Opening hours — https://example.com/hours",
    );

    const png = await sharp({ create: { width: 8, height: 8, channels: 3, background: { r: 0, g: 0, b: 0 } } })
      .png()
      .toBuffer();
    const attachmentId = await suite.uploadAttachment({ name: "label.png", bytes: png, type: "image/png" });
    const withFile = await reply({ clientId: "sms-mms", text: "Your return label", attachmentIds: [attachmentId] });
    await settled(withFile.id, "sent");
    const mediaUrl = lastMessageCall().form?.MediaUrl ?? "";
    expect(mediaUrl.startsWith(`${harness.config.publicUrl}/api/v1/attachments/${attachmentId}/download?token=`)).toBe(true);
    // The link Twilio will fetch really serves the file.
    const { pathname, search } = new URL(mediaUrl);
    const download = await fetch(`${baseUrl}${pathname}${search}`);
    expect(Buffer.from(await download.arrayBuffer()).equals(png)).toBe(true);

    const before = messageCalls().length;
    const long = "All good here. ".repeat(150).trim();
    const split = await reply({ clientId: "sms-long", text: long });
    const stored = await settled(split.id, "sent");
    const pieces = messageCalls()
      .slice(before)
      .map((request) => request.form?.Body ?? "");
    expect(pieces).toHaveLength(2);
    expect(pieces.every((piece) => piece.length <= 1600)).toBe(true);
    expect(pieces.join(" ")).toBe(long);
    // The last piece is tracked: its delivery means the whole message arrived.
    expect(stored.externalId).toBe(`SM${sidCounter.toString(16).padStart(32, "0")}`);
  });

  it("resumes a reply of several SMS pieces after a failed piece, sending each piece once", async () => {
    const firstSid = `SM${"a".repeat(32)}`;
    // The first piece is accepted; the second meets a Twilio outage once, so the job retries.
    twilio.on(
      "POST",
      `${API}/Messages.json`,
      () => {
        twilio.on(
          "POST",
          `${API}/Messages.json`,
          { status: 503, json: { code: 20503, message: "Service unavailable", status: 503 } },
          { once: true },
        );
        return { status: 201, json: { sid: firstSid, account_sid: ACCOUNT_SID, status: "queued" } };
      },
      { once: true },
    );
    const before = messageCalls().length;
    const long = "Resume me please. ".repeat(120).trim();
    const split = await reply({ clientId: "sms-parts", text: long });
    const stored = await settled(split.id, "sent");
    const bodies = messageCalls()
      .slice(before)
      .map((request) => request.form?.Body ?? "");
    expect(bodies).toHaveLength(3);
    const [first, second, retried] = bodies;
    expect(second).toBe(retried);
    expect(bodies.filter((body) => body === first)).toHaveLength(1);
    expect(`${first} ${second}`).toBe(long);
    expect(stored.externalId).toBe(`SM${sidCounter.toString(16).padStart(32, "0")}`);
    // The first piece's status callbacks still find the message.
    expect((await postWebhook(statusCallback(firstSid, "delivered"))).status).toBe(200);
    await settled(split.id, "delivered");
  });

  it("maps Twilio's errors: 429 retried, opted-out and invalid numbers fail with reasons, 20003 puts the inbox in error", async () => {
    const refuse = (status: number, code: number, message: string) =>
      twilio.on(
        "POST",
        `${API}/Messages.json`,
        { status, json: { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status } },
        { once: true },
      );
    refuse(429, 20429, "Too Many Requests");
    const throttled = await reply({ clientId: "sms-429", text: "Sent after a pause" });
    await settled(throttled.id, "sent");
    expect(messageCalls().filter((request) => request.form?.Body === "Sent after a pause")).toHaveLength(2);

    refuse(400, 21610, "Attempt to send to unsubscribed recipient");
    const optedOut = await reply({ clientId: "sms-21610", text: "Last chance!" });
    const failedOptOut = await settled(optedOut.id, "failed");
    expect(failedOptOut.deliveryError).toContain("opted out");
    expect(failedOptOut.deliveryError).toContain("21610");

    refuse(400, 21211, "The 'To' number +1555867531 is not a valid phone number.");
    const invalid = await reply({ clientId: "sms-21211", text: "Hello?" });
    expect((await settled(invalid.id, "failed")).deliveryError).toContain("not a valid number");

    refuse(401, 20003, "Authenticate");
    const revoked = await reply({ clientId: "sms-20003", text: "Token rotated meanwhile" });
    expect((await settled(revoked.id, "failed")).deliveryError).toContain("Authenticate");
    const status = await suite.channelConnection();
    expect(status.json<TChannelConnection>().status).toBe("error");
    expect(status.json<TChannelConnection>().error).toContain("Authenticate");
  });

  it("disconnects: the number stops pointing at Parley, and its webhooks are refused", async () => {
    expect(smsUrl).toBe(webhookUrl);
    const disconnected = await suite.disconnectChannel();
    expect(disconnected.json<TChannelConnection>().status).toBe("disconnected");
    expect(smsUrl).toBe("");
    const params = incoming("SMafterdisconnect0000000000000000001");
    expect((await postWebhook(params)).status).toBe(403);
  });
});
