import { createHmac, timingSafeEqual } from "node:crypto";
import type { Config } from "../../../platform/config.ts";
import { ChannelSendError, type PlatformHttpResponse, type WebhookReply, type WebhookRequest } from "../channel-adapter.ts";
import { isRetryableStatus } from "../platform-http.ts";

/**
 * What Messenger, Instagram and WhatsApp share: one Meta app signs every webhook
 * (`X-Hub-Signature-256: sha256=<hex HMAC of the raw body with the app secret>`), subscribes with
 * a GET handshake, and answers Graph API errors in one shape.
 */
export const isValidMetaSignature = (rawBody: Buffer, header: string | undefined, appSecret: string | undefined): boolean => {
  if (!appSecret || !header?.startsWith("sha256=")) return false;
  const given = Buffer.from(header.slice("sha256=".length), "hex");
  const expected = createHmac("sha256", appSecret).update(rawBody).digest();
  return given.length === expected.length && timingSafeEqual(given, expected);
};

/** Meta's subscribe handshake: echo `hub.challenge` only for our verify token. */
export const metaHandshake = (request: WebhookRequest, verifyToken: string | undefined): WebhookReply => {
  const mode = request.query["hub.mode"];
  const token = request.query["hub.verify_token"];
  const challenge = request.query["hub.challenge"];
  if (mode === "subscribe" && verifyToken && token === verifyToken && challenge) {
    return { status: 200, body: challenge, contentType: "text/plain" };
  }
  return { status: 403, body: { error: { code: "forbidden", message: "The verify token does not match." } } };
};

/** graph.facebook.com for page-linked channels; graph.instagram.com for Instagram Login accounts. */
export type GraphHost = "facebook" | "instagram";

export const graphUrl = (config: Pick<Config, "channels">, path: string, host: GraphHost = "facebook"): string =>
  `${host === "instagram" ? config.channels.instagramGraphUrl : config.channels.metaGraphUrl}/${config.channels.metaGraphVersion}/${path.replace(/^\/+/, "")}`;

type GraphError = { message?: string; type?: string; code?: number; error_subcode?: number; error_data?: { details?: string } };

/** Graph error codes worth retrying later: throttling and temporary platform trouble. */
const RETRYABLE_CODES = new Set([1, 2, 4, 17, 32, 341, 613, 80007, 130429, 131048, 131056]);
/** Token expired, revoked or lacking permissions: the admin must reconnect. */
const AUTH_CODES = new Set([190, 102, 10, 200]);
/** Outside the reply window: only a template (WhatsApp) or a tagged message (Messenger) may go. */
const WINDOW_CODES = new Set([131047, 10, 2018278]);

/** Maps a failed Graph API answer to a ChannelSendError with Meta's own words for the agent. */
export const graphSendError = (response: PlatformHttpResponse): ChannelSendError => {
  const body = response.json() as { error?: GraphError } | null;
  const error = body?.error;
  const detail = error?.error_data?.details;
  const message = `${error?.message ?? `Meta answered ${response.status}`}${detail ? ` (${detail})` : ""}${error?.code ? ` [code ${error.code}]` : ""}`;
  const code = error?.code;
  if (code !== undefined && (code === 131047 || (code === 10 && error?.error_subcode === 2018278) || code === 2018278)) {
    return new ChannelSendError({ message, retryable: false, code: "outside_messaging_window" });
  }
  if (code !== undefined && AUTH_CODES.has(code) && !WINDOW_CODES.has(code)) {
    return new ChannelSendError({ message, retryable: false, code: "channel_auth" });
  }
  if (code !== undefined && RETRYABLE_CODES.has(code)) return new ChannelSendError({ message, retryable: true });
  return new ChannelSendError({ message, retryable: isRetryableStatus(response.status) });
};
