import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { PlatformHttpResponse, WebhookRequest } from "../channel-adapter.ts";
import { graphSendError, isValidMetaSignature, metaHandshake } from "./meta-common.ts";

const request = (query: Record<string, string>): WebhookRequest => ({
  method: "GET",
  url: "https://parley.example.com/webhooks/whatsapp",
  headers: {},
  query,
  rawBody: Buffer.alloc(0),
  inboxId: null,
});

const graphAnswer = (status: number, error: unknown): PlatformHttpResponse => ({
  status,
  headers: new Headers(),
  body: Buffer.from(JSON.stringify({ error })),
  json: () => ({ error }),
});

describe("Meta webhooks", () => {
  it("accepts only the HMAC-SHA256 of the exact raw body with the app secret", () => {
    const body = Buffer.from('{"object":"whatsapp_business_account","entry":[]}');
    const signature = `sha256=${createHmac("sha256", "app-secret").update(body).digest("hex")}`;
    expect(isValidMetaSignature(body, signature, "app-secret")).toBe(true);
    expect(isValidMetaSignature(Buffer.from(`${body.toString()} `), signature, "app-secret")).toBe(false);
    expect(isValidMetaSignature(body, signature, "other-secret")).toBe(false);
    expect(isValidMetaSignature(body, undefined, "app-secret")).toBe(false);
    expect(isValidMetaSignature(body, "sha1=abc", "app-secret")).toBe(false);
    expect(isValidMetaSignature(body, signature, undefined)).toBe(false);
  });

  it("answers the subscribe challenge only for the configured verify token", () => {
    const ok = metaHandshake(
      request({ "hub.mode": "subscribe", "hub.verify_token": "our-token-1", "hub.challenge": "1158201444" }),
      "our-token-1",
    );
    expect(ok).toEqual({ status: 200, body: "1158201444", contentType: "text/plain" });
    expect(
      metaHandshake(request({ "hub.mode": "subscribe", "hub.verify_token": "guess", "hub.challenge": "1" }), "our-token-1")
        .status,
    ).toBe(403);
    expect(
      metaHandshake(request({ "hub.mode": "subscribe", "hub.verify_token": "x", "hub.challenge": "1" }), undefined).status,
    ).toBe(403);
  });

  it("maps Graph errors: throttling retries, expired tokens need a reconnect, the re-engagement window is final", () => {
    expect(graphSendError(graphAnswer(400, { message: "Rate limit hit", code: 130429 })).retryable).toBe(true);
    const expired = graphSendError(graphAnswer(401, { message: "Error validating access token", code: 190 }));
    expect(expired).toMatchObject({ retryable: false, code: "channel_auth" });
    const window = graphSendError(
      graphAnswer(400, {
        message: "Re-engagement message",
        code: 131047,
        error_data: { details: "More than 24 hours have passed" },
      }),
    );
    expect(window).toMatchObject({ retryable: false, code: "outside_messaging_window" });
    expect(window.message).toContain("More than 24 hours have passed");
    expect(graphSendError(graphAnswer(500, { message: "Unknown", code: 131000 })).retryable).toBe(true);
  });
});
