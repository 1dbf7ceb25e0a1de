import { describe, expect, it } from "vitest";
import type { ChannelContext, ChannelInbox, NormalizedOutbound } from "../src/modules/channels/channel-adapter.ts";
import { INSTAGRAM_LIMITS } from "../src/modules/channels/instagram/instagram.adapter.ts";
import { MESSENGER_LIMITS, messengerAdapter } from "../src/modules/channels/messenger/messenger.adapter.ts";
import { buildMetaMessages, messagingWindow } from "../src/modules/channels/messenger/meta-messaging.send.ts";
import { metaEnvelopes, parseMessagingEvent } from "../src/modules/channels/messenger/meta-messaging.webhook.ts";
import { platformHttp } from "../src/modules/channels/platform-http.ts";
import { createSecretBox } from "../src/platform/crypto.ts";
import { storageFor } from "../src/platform/storage.ts";
import { silentLogger, TEST_ENCRYPTION_KEY, testConfig } from "./helpers.ts";

/**
 * The pure parts of the Messenger and Instagram adapters: Meta's messaging windows, how content
 * degrades to what the Send API can show, and the rarer webhook shapes from Meta's reference
 * (https://developers.facebook.com/docs/messenger-platform/reference/webhook-events/messages).
 */

const HOUR = 60 * 60 * 1000;
const now = Date.parse("2026-11-20T12:00:00Z");

const outbound = (overrides: Partial<NormalizedOutbound>): NormalizedOutbound => ({
  messageId: "0190f5a2-7c1e-7000-8000-000000000001",
  recipientId: "2468013579",
  contentType: "text",
  text: "",
  content: {},
  attachments: [],
  replyToExternalId: null,
  lastInboundAt: new Date(now - HOUR),
  conversation: { id: "0190f5a2-7c1e-7000-8000-000000000002", number: 1, subject: null },
  threadExternalIds: [],
  sender: { type: "agent", name: "Ada" },
  partsAlreadySent: [],
  onPartSent: async () => {},
  ...overrides,
});

const config = testConfig({ META_APP_ID: "1517776481860111" });
const context: ChannelContext = {
  config,
  logger: silentLogger,
  secrets: createSecretBox(TEST_ENCRYPTION_KEY),
  http: platformHttp,
  storage: storageFor(config),
};
const inbox: ChannelInbox = {
  id: "0190f5a2-7c1e-7000-8000-000000000003",
  workspaceId: "0190f5a2-7c1e-7000-8000-000000000004",
  type: "messenger",
  name: "Acme",
  channelKey: "1234567890123",
  config: {},
  secrets: {},
};
const parse = (event: Record<string, unknown>) =>
  parseMessagingEvent(
    { accountId: "1234567890123", event: { sender: { id: "2468013579" }, recipient: { id: "1234567890123" }, ...event } },
    { inbox, context, profileOf: async () => undefined },
  );

describe("Meta messaging windows", () => {
  const window = (hoursAgo: number | null, senderType: "agent" | "bot" = "agent", content: Record<string, unknown> = {}) =>
    messagingWindow(
      { lastInboundAt: hoursAgo === null ? null : new Date(now - hoursAgo * HOUR), content, senderType },
      MESSENGER_LIMITS,
      now,
    );

  it("answers within 24 hours, tags a person's reply within 7 days, and refuses after", () => {
    expect(window(23)).toEqual({ messagingType: "RESPONSE" });
    expect(window(30)).toEqual({ messagingType: "MESSAGE_TAG", tag: "HUMAN_AGENT" });
    expect(() => window(24 * 8)).toThrow(expect.objectContaining({ code: "outside_messaging_window" }));
    expect(() => window(null)).toThrow(expect.objectContaining({ code: "outside_messaging_window" }));
  });

  it("lets bots answer only within 24 hours: HUMAN_AGENT is for people", () => {
    expect(window(2, "bot")).toEqual({ messagingType: "RESPONSE" });
    expect(() => window(30, "bot")).toThrow(expect.objectContaining({ code: "outside_messaging_window" }));
  });

  it("honours explicit tags, and Instagram takes only HUMAN_AGENT", () => {
    expect(window(24 * 30, "bot", { messageTag: "ACCOUNT_UPDATE" })).toEqual({
      messagingType: "MESSAGE_TAG",
      tag: "ACCOUNT_UPDATE",
    });
    expect(() => window(24 * 8, "agent", { messageTag: "HUMAN_AGENT" })).toThrow(
      expect.objectContaining({ code: "outside_messaging_window" }),
    );
    expect(() =>
      messagingWindow(
        { lastInboundAt: new Date(now - HOUR), content: { messageTag: "ACCOUNT_UPDATE" }, senderType: "agent" },
        INSTAGRAM_LIMITS,
        now,
      ),
    ).toThrow(expect.objectContaining({ code: "validation_failed" }));
  });
});

describe("Send API rendering", () => {
  it("splits long text at Messenger's 2,000 characters", () => {
    const text = `${"word ".repeat(500)}end`;
    const parts = buildMetaMessages(outbound({ text }), MESSENGER_LIMITS);
    expect(parts.length).toBe(2);
    expect(parts.every((part) => String(part.text).length <= 2000)).toBe(true);
  });

  it("turns more than three postback buttons into quick replies, and link buttons beyond three into text", () => {
    const postbacks = Array.from({ length: 5 }, (_, index) => ({ title: `Option ${index + 1}`, payload: `OPT_${index + 1}` }));
    const [quick] = buildMetaMessages(
      outbound({ contentType: "buttons", text: "Pick one", content: { style: "buttons", buttons: postbacks } }),
      MESSENGER_LIMITS,
    );
    expect(quick).toMatchObject({
      text: "Pick one",
      quick_replies: expect.arrayContaining([expect.objectContaining({ payload: "OPT_5" })]),
    });

    const links = Array.from({ length: 4 }, (_, index) => ({
      title: `Site ${index + 1}`,
      url: `https://example.com/${index + 1}`,
    }));
    const [fallback] = buildMetaMessages(
      outbound({ contentType: "buttons", text: "Our sites", content: { style: "buttons", buttons: links } }),
      MESSENGER_LIMITS,
    );
    expect(fallback).toEqual({
      text: "Our sites\n\n1. Site 1 — https://example.com/1\n2. Site 2 — https://example.com/2\n3. Site 3 — https://example.com/3\n4. Site 4 — https://example.com/4",
    });
  });

  it("sends locations and contact cards as readable text", () => {
    const [location] = buildMetaMessages(
      outbound({ contentType: "location", content: { latitude: 48.8584, longitude: 2.2945, name: "Eiffel Tower" } }),
      MESSENGER_LIMITS,
    );
    expect(String(location?.text)).toContain("Eiffel Tower");
    expect(String(location?.text)).toContain("mlat=48.8584");
    const [card] = buildMetaMessages(
      outbound({ contentType: "contact_card", content: { name: "Acme support", phones: ["+1 555 0100"], emails: [] } }),
      MESSENGER_LIMITS,
    );
    expect(card).toEqual({ text: "Acme support\n+1 555 0100" });
  });

  it("clips card text to the generic template's 80 characters", () => {
    const [, cards] = buildMetaMessages(
      outbound({
        contentType: "cards",
        text: "New arrivals",
        content: { cards: [{ title: "T".repeat(80), subtitle: "S".repeat(200), buttons: [] }] },
      }),
      MESSENGER_LIMITS,
    );
    const element = (cards as { attachment: { payload: { elements: Array<{ title: string; subtitle: string }> } } }).attachment
      .payload.elements[0];
    expect(element?.title).toHaveLength(80);
    expect(element?.subtitle).toHaveLength(80);
    expect(element?.subtitle.endsWith("…")).toBe(true);
  });
});

describe("Messenger webhook shapes", () => {
  it("reads a location, a shared link, a sticker and an unsupported message", async () => {
    const [location] = await parse({
      message: {
        mid: "m_loc",
        attachments: [{ type: "location", title: "Pinned", payload: { coordinates: { lat: 52.52, long: 13.405 } } }],
      },
    });
    expect(location).toMatchObject({ contentType: "location", content: { latitude: 52.52, longitude: 13.405, name: "Pinned" } });
    const [link] = await parse({
      message: {
        mid: "m_fallback",
        attachments: [{ type: "fallback", title: "Parley", url: "https://example.com/post", payload: null }],
      },
    });
    expect(link).toMatchObject({ contentType: "text", text: "Parley\nhttps://example.com/post" });
    const [sticker] = await parse({
      message: {
        mid: "m_sticker",
        attachments: [{ type: "image", payload: { url: "https://cdn.example.com/s.png", sticker_id: 369239263222822 } }],
      },
    });
    expect(sticker).toMatchObject({ contentType: "image", content: { stickerId: "369239263222822" } });
    expect(sticker?.kind === "message" ? sticker.media : []).toHaveLength(1);
    const [unsupported] = await parse({ message: { mid: "m_unsupported", is_unsupported: true } });
    expect(unsupported).toMatchObject({ content: { unsupported: true } });
  });

  it("gives each kind of event its own dedupe key (an unsend reuses its message's id)", () => {
    const request = (messaging: unknown[]) => ({
      method: "POST" as const,
      url: "https://parley.example.com/webhooks/messenger",
      headers: {},
      query: {},
      rawBody: Buffer.from(JSON.stringify({ object: "page", entry: [{ id: "1", time: 1, messaging }] })),
      inboxId: null,
    });
    const base = { sender: { id: "2" }, recipient: { id: "1" }, timestamp: 5 };
    const keys = metaEnvelopes(
      request([
        { ...base, message: { mid: "m_1", text: "hi" } },
        { ...base, message: { mid: "m_1", is_deleted: true } },
        { ...base, delivery: { mids: ["m_1"], watermark: 5 } },
      ]),
      "page",
    ).map((envelope) => envelope.dedupeKey);
    expect(keys).toEqual(["message:m_1", "deleted:m_1", null]);
  });

  it("reads what a template echoed from another app showed the contact", async () => {
    const [echo] = await parse({
      sender: { id: "1234567890123" },
      recipient: { id: "2468013579" },
      message: {
        mid: "m_template_echo",
        is_echo: true,
        app_id: 263902037430900,
        attachments: [
          {
            type: "template",
            payload: {
              template_type: "generic",
              elements: [{ title: "Welcome!", subtitle: "We have the right hat for everyone." }],
            },
          },
        ],
      },
    });
    expect(echo).toMatchObject({
      direction: "echo",
      sourceId: "2468013579",
      text: "Welcome! — We have the right hat for everyone.",
    });
  });

  it("refuses to connect while Meta's webhooks could not be verified (no app secret)", async () => {
    const unsigned = { ...context, config: testConfig() };
    await expect(
      messengerAdapter.connect(
        { pageId: "1234567890123", pageAccessToken: "EAAGpagetoken0123456789abcdef" },
        inbox,
        unsigned,
        "",
      ),
    ).rejects.toMatchObject({ code: "bad_request", message: expect.stringContaining("META_APP_SECRET") });
  });

  it("ignores a delivery receipt that names no messages", async () => {
    expect(await parse({ delivery: { watermark: 1458668856253 } })).toEqual([]);
  });
});
