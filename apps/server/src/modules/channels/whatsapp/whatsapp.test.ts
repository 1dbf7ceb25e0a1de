import { describe, expect, it } from "vitest";
import { loadConfig } from "../../../platform/config.ts";
import { createSecretBox } from "../../../platform/crypto.ts";
import { createLogger } from "../../../platform/logger.ts";
import { storageFor } from "../../../platform/storage.ts";
import type { ChannelContext, NormalizedOutbound, PlatformHttpRequest, WebhookRequest } from "../channel-adapter.ts";
import { whatsappAdapter } from "./whatsapp.adapter.ts";
import { parseWhatsAppEnvelope } from "./whatsapp-inbound.ts";
import { planWhatsAppMessages } from "./whatsapp-outbound.ts";
import { whatsappEnvelopes } from "./whatsapp-webhook.ts";

const request = (body: unknown): WebhookRequest => ({
  method: "POST",
  url: "https://parley.example.com/webhooks/whatsapp",
  headers: {},
  query: {},
  rawBody: Buffer.from(JSON.stringify(body)),
  inboxId: null,
});

const outbound = (overrides: Partial<NormalizedOutbound>): NormalizedOutbound => ({
  messageId: "0190f5a2-7c1e-7000-8000-000000000001",
  recipientId: "16505551234",
  contentType: "text",
  text: "",
  content: {},
  attachments: [],
  replyToExternalId: null,
  lastInboundAt: null,
  conversation: { id: "0190f5a2-7c1e-7000-8000-000000000002", number: 1, subject: null },
  threadExternalIds: [],
  sender: { type: "agent", name: "Ada" },
  partsAlreadySent: [],
  onPartSent: async () => {},
  ...overrides,
});

describe("WhatsApp webhook envelopes", () => {
  it("splits every message and status into its own envelope, routed by phone number id", () => {
    const envelopes = whatsappEnvelopes(
      request({
        object: "whatsapp_business_account",
        entry: [
          {
            id: "102290129340398",
            changes: [
              {
                field: "messages",
                value: {
                  messaging_product: "whatsapp",
                  metadata: { display_phone_number: "15550783881", phone_number_id: "111" },
                  contacts: [
                    { profile: { name: "Sheena Nelson" }, wa_id: "16505551234" },
                    { profile: { name: "Pablo Morales" }, wa_id: "16505559999" },
                  ],
                  messages: [
                    { from: "16505551234", id: "wamid.A", timestamp: "1", type: "text", text: { body: "a" } },
                    { from: "16505559999", id: "wamid.B", timestamp: "2", type: "text", text: { body: "b" } },
                  ],
                },
              },
              {
                field: "messages",
                value: {
                  messaging_product: "whatsapp",
                  metadata: { display_phone_number: "15550000000", phone_number_id: "222" },
                  statuses: [
                    { id: "wamid.C", status: "delivered", timestamp: "3", recipient_id: "1" },
                    { id: "wamid.C", status: "read", timestamp: "4", recipient_id: "1" },
                  ],
                },
              },
              // A template review names no phone number: nothing to route, nothing rejected.
              {
                field: "message_template_status_update",
                value: {
                  event: "APPROVED",
                  message_template_id: 1,
                  message_template_name: "x",
                  message_template_language: "en_US",
                },
              },
            ],
          },
        ],
      }),
    );
    expect(envelopes.map((envelope) => [envelope.inbox, envelope.dedupeKey])).toEqual([
      [{ channelKey: "111" }, "wamid.A"],
      [{ channelKey: "111" }, "wamid.B"],
      [{ channelKey: "222" }, "wamid.C:delivered"],
      [{ channelKey: "222" }, "wamid.C:read"],
    ]);
    expect(envelopes[1]?.payload).toMatchObject({ kind: "message", profileName: "Pablo Morales" });
  });

  it("rejects bodies that are not WhatsApp Business Account webhooks", () => {
    expect(() => whatsappEnvelopes(request({ object: "page", entry: [] }))).toThrow(/WhatsApp Business Account/);
    expect(() => whatsappEnvelopes({ ...request({}), rawBody: Buffer.from("nope") })).toThrow(/JSON/);
  });
});

describe("WhatsApp outbound rendering", () => {
  const buttons = (titles: string[]) => ({ buttons: titles.map((title, index) => ({ title, payload: `p${index}` })) });

  it("uses a list when titles are too long for reply buttons, and text when the list cannot hold them", () => {
    const list = planWhatsAppMessages(
      outbound({ contentType: "buttons", text: "Pick", content: buttons(["A rather long title here"]) }),
    );
    expect(list).toMatchObject([{ body: { type: "interactive", interactive: { type: "list" } } }]);
    const tooMany = planWhatsAppMessages(
      outbound({
        contentType: "buttons",
        text: "Pick",
        content: buttons(Array.from({ length: 11 }, (_, i) => `Option ${i + 1}`)),
      }),
    );
    expect(tooMany).toMatchObject([{ body: { type: "text" } }]);
    const noBody = planWhatsAppMessages(outbound({ contentType: "buttons", text: "", content: buttons(["Yes", "No"]) }));
    expect(noBody).toEqual([{ body: { type: "text", text: { preview_url: false, body: "1. Yes\n2. No" } } }]);
  });

  it("turns a single link button into a call-to-action button", () => {
    const plan = planWhatsAppMessages(
      outbound({
        contentType: "buttons",
        text: "Track it",
        content: { buttons: [{ title: "Open", url: "https://example.com/t/1" }] },
      }),
    );
    expect(plan).toEqual([
      {
        body: {
          type: "interactive",
          interactive: {
            type: "cta_url",
            body: { text: "Track it" },
            action: { name: "cta_url", parameters: { display_text: "Open", url: "https://example.com/t/1" } },
          },
        },
      },
    ]);
  });

  it("sends audio after the text (audio takes no caption) and other files as documents", () => {
    const file = (fileName: string, contentType: string) => ({
      fileName,
      contentType,
      byteSize: 3,
      url: "https://parley.example.com/f",
      read: async () => Buffer.from("abc"),
    });
    const audio = planWhatsAppMessages(outbound({ text: "Listen", attachments: [file("note.ogg", "audio/ogg")] }));
    expect(audio).toMatchObject([{ body: { type: "text" } }, { kind: "audio", caption: null }]);
    const pdf = planWhatsAppMessages(outbound({ text: "Invoice", attachments: [file("invoice.pdf", "application/pdf")] }));
    expect(pdf).toMatchObject([{ kind: "document", caption: "Invoice" }]);
  });

  it("allows free-form replies only within 24 hours of the contact's last message, templates always", () => {
    const recent = new Date(Date.now() - 23 * 60 * 60 * 1000);
    const old = new Date(Date.now() - 25 * 60 * 60 * 1000);
    const inbox = { id: "i", workspaceId: "w", type: "whatsapp" as const, name: "W", channelKey: "1", config: {}, secrets: {} };
    expect(() =>
      whatsappAdapter.checkSendable?.({ contentType: "text", content: {}, lastInboundAt: recent }, inbox),
    ).not.toThrow();
    expect(() => whatsappAdapter.checkSendable?.({ contentType: "text", content: {}, lastInboundAt: old }, inbox)).toThrow(
      /template/,
    );
    expect(() => whatsappAdapter.checkSendable?.({ contentType: "text", content: {}, lastInboundAt: null }, inbox)).toThrow(
      /template/,
    );
    expect(() =>
      whatsappAdapter.checkSendable?.(
        { contentType: "text", content: { template: { name: "x", language: "en" } }, lastInboundAt: old },
        inbox,
      ),
    ).not.toThrow();
  });
});

describe("WhatsApp inbound media kinds", () => {
  const inbox = {
    id: "i",
    workspaceId: "w",
    type: "whatsapp" as const,
    name: "W",
    channelKey: "111",
    config: { phoneNumberId: "111" },
    secrets: { accessToken: "token-1" },
  };
  // A stand-in for the Graph API: media ids resolve to a download URL, which answers bytes.
  const calls: PlatformHttpRequest[] = [];
  const config = loadConfig({ NODE_ENV: "test", META_GRAPH_URL: "https://graph.example", LOG_LEVEL: "silent" });
  const context: ChannelContext = {
    config,
    logger: createLogger(config),
    secrets: createSecretBox(Buffer.alloc(32, 3).toString("base64")),
    storage: storageFor(config),
    http: async (request: PlatformHttpRequest) => {
      calls.push(request);
      const isLookup = request.url.startsWith("https://graph.example/v23.0/");
      const json = { url: `https://media.example/${request.url.split("/").at(-1)}`, mime_type: "audio/ogg" };
      const body = isLookup ? Buffer.from(JSON.stringify(json)) : Buffer.from("bytes");
      return { status: 200, headers: new Headers(), body, json: () => (isLookup ? json : null) };
    },
  };
  const message = (item: Record<string, unknown>) => ({
    kind: "message",
    profileName: "Sheena Nelson",
    message: { from: "16505551234", id: `wamid.${String(item.type)}`, timestamp: "1750000000", ...item },
  });

  it("keeps voice notes, videos and stickers as audio, video and image with their files", async () => {
    const [voice] = await parseWhatsAppEnvelope(
      message({ type: "audio", audio: { mime_type: "audio/ogg; codecs=opus", sha256: "x", id: "1001", voice: true } }),
      inbox,
      context,
    );
    expect(voice).toMatchObject({
      kind: "message",
      contentType: "audio",
      content: { voice: true },
      profile: { name: "Sheena Nelson", phone: "+16505551234" },
    });
    if (voice?.kind !== "message") throw new Error("not a message");
    expect(voice.media?.[0]?.fileName).toBe("audio-1001.ogg");
    expect(await voice.media?.[0]?.fetch()).toMatchObject({ bytes: Buffer.from("bytes") });
    expect(calls.map((call) => [call.url, call.headers?.authorization])).toEqual([
      ["https://graph.example/v23.0/1001", "Bearer token-1"],
      ["https://media.example/1001", "Bearer token-1"],
    ]);

    const [video] = await parseWhatsAppEnvelope(
      message({ type: "video", video: { mime_type: "video/mp4", id: "1002", caption: "Unboxing" } }),
      inbox,
      context,
    );
    expect(video).toMatchObject({ contentType: "video", text: "Unboxing" });
    const [sticker] = await parseWhatsAppEnvelope(
      message({ type: "sticker", sticker: { mime_type: "image/webp", id: "1003", animated: false } }),
      inbox,
      context,
    );
    expect(sticker).toMatchObject({ contentType: "image", content: { sticker: true } });
  });

  it("reads delivery failures with WhatsApp's reason and ignores statuses Parley does not track", async () => {
    const [failed] = await parseWhatsAppEnvelope(
      {
        kind: "status",
        status: {
          id: "wamid.X",
          status: "failed",
          timestamp: "1750000000",
          errors: [
            {
              code: 131026,
              title: "Message undeliverable",
              error_data: { details: "Receiver is incapable of receiving this message" },
            },
          ],
        },
      },
      inbox,
      context,
    );
    expect(failed).toEqual({
      kind: "status",
      externalId: "wamid.X",
      status: "failed",
      error: "Message undeliverable: Receiver is incapable of receiving this message [code 131026]",
      at: new Date(1_750_000_000_000),
    });
    expect(await parseWhatsAppEnvelope({ kind: "status", status: { id: "wamid.X", status: "deleted" } }, inbox, context)).toEqual(
      [],
    );
  });
});
