import { z } from "zod";
import type { ContentType } from "../../messages/messages.tables.ts";
import {
  type ChannelContext,
  type ChannelInbox,
  ChannelSendError,
  type InboundMedia,
  type NormalizedEvent,
  type NormalizedOutbound,
} from "../channel-adapter.ts";
import { isRetryableStatus } from "../platform-http.ts";
import { fallbackText, splitText } from "../render-fallback.ts";
import { sendPartOnce } from "../send-parts.ts";
import { accountUrl, basicAuth, callTwilio, reasonOfCode, type TwilioCredentials } from "./twilio-api.ts";

/**
 * Twilio's messaging webhooks, form-encoded: an incoming message
 * (https://www.twilio.com/docs/messaging/guides/webhook-request) or a status callback for one we
 * sent (https://www.twilio.com/docs/messaging/guides/track-outbound-message-status).
 */
export const ZTwilioWebhook = z.looseObject({
  MessageSid: z.string().min(1),
  AccountSid: z.string().optional(),
  From: z.string().optional(),
  To: z.string().optional(),
  Body: z.string().optional(),
  NumMedia: z.string().optional(),
  MessageStatus: z.string().optional(),
  ErrorCode: z.string().optional(),
  ErrorMessage: z.string().optional(),
  OptOutType: z.string().optional(),
});
export type TTwilioWebhook = z.infer<typeof ZTwilioWebhook>;

/** Twilio's body limit: longer bodies are refused, so Parley splits them itself. */
export const SMS_BODY_MAX = 1600;
/** MMS carries at most 10 files and 5 MB in all. */
const MMS_MAX_FILES = 10;
const MMS_MAX_BYTES = 5 * 1024 * 1024;

export const isStatusCallback = (webhook: Pick<TTwilioWebhook, "MessageStatus">): boolean =>
  webhook.MessageStatus !== undefined && webhook.MessageStatus !== "received";

export const credentialsOf = (inbox: ChannelInbox): TwilioCredentials => {
  const accountSid = typeof inbox.config.accountSid === "string" ? inbox.config.accountSid : "";
  const authToken = inbox.secrets.authToken ?? "";
  if (!accountSid || !authToken) {
    throw new ChannelSendError({
      message: "The inbox has no Twilio credentials; connect it again.",
      retryable: false,
      code: "channel_auth",
    });
  }
  return { accountSid, authToken };
};

/** Where Twilio posts this inbox's messages and status callbacks. */
export const twilioWebhookUrl = (context: Pick<ChannelContext, "config">, inboxId: string) =>
  `${context.config.publicUrl}/webhooks/twilio/${inboxId}`;

const EXTENSION_BY_TYPE: Record<string, string> = {
  "image/jpeg": "jpg",
  "image/png": "png",
  "image/gif": "gif",
  "image/webp": "webp",
  "application/pdf": "pdf",
  "audio/mpeg": "mp3",
  "audio/ogg": "ogg",
  "video/mp4": "mp4",
  "text/plain": "txt",
};

const contentTypeOf = (mediaType: string | undefined): ContentType => {
  if (!mediaType) return "file";
  if (mediaType.startsWith("image/")) return "image";
  if (mediaType.startsWith("video/")) return "video";
  if (mediaType.startsWith("audio/")) return "audio";
  return "file";
};

/**
 * Media sit behind Twilio's API (with HTTP basic auth when the account requires it). Credentials
 * are only ever sent to Twilio's own API host, never to a URL elsewhere.
 */
const fetchMedia = (context: ChannelContext, credentials: TwilioCredentials, url: string) => async () => {
  const isTwilioHost = new URL(url).origin === new URL(context.config.channels.twilioApiUrl).origin;
  const response = await context.http({
    url,
    headers: isTwilioHost ? { authorization: basicAuth(credentials) } : {},
    timeoutMs: 30_000,
  });
  if (response.status >= 400) {
    throw new ChannelSendError({
      message: `Twilio's media answered ${response.status}.`,
      retryable: isRetryableStatus(response.status),
    });
  }
  return { bytes: response.body, contentType: response.headers.get("content-type") ?? undefined };
};

const DELIVERY: Record<string, "sent" | "delivered" | "read" | "failed"> = {
  sent: "sent",
  delivered: "delivered",
  read: "read",
  undelivered: "failed",
  failed: "failed",
  canceled: "failed",
};

export const parseTwilioWebhook = async (
  payload: unknown,
  inbox: ChannelInbox,
  context: ChannelContext,
): Promise<NormalizedEvent[]> => {
  const webhook = ZTwilioWebhook.parse(payload);
  if (isStatusCallback(webhook)) {
    // queued, accepted, sending…: the message is still on its way; pending → sent happens when Twilio accepts it.
    const status = DELIVERY[webhook.MessageStatus ?? ""];
    if (!status) return [];
    const code = webhook.ErrorCode && /^\d+$/.test(webhook.ErrorCode) ? Number(webhook.ErrorCode) : null;
    return [
      {
        kind: "status",
        externalId: webhook.MessageSid,
        status,
        error:
          status === "failed"
            ? webhook.MessageStatus === "canceled"
              ? "The scheduled message was canceled."
              : reasonOfCode(code, webhook.ErrorMessage ?? null)
            : null,
      },
    ];
  }
  if (!webhook.From) return [];
  const credentials = credentialsOf(inbox);
  const count = Math.min(Number.parseInt(webhook.NumMedia ?? "0", 10) || 0, MMS_MAX_FILES);
  const media: InboundMedia[] = [];
  let firstType: string | undefined;
  for (let index = 0; index < count; index++) {
    const url = webhook[`MediaUrl${index}`];
    const type = webhook[`MediaContentType${index}`];
    if (typeof url !== "string" || !/^https?:\/\//.test(url)) continue;
    const mediaType = typeof type === "string" ? type.split(";")[0]?.trim() : undefined;
    firstType ??= mediaType;
    const extension = mediaType ? EXTENSION_BY_TYPE[mediaType] : undefined;
    media.push({
      fileName: `${webhook.MessageSid}-${index + 1}${extension ? `.${extension}` : ""}`,
      fetch: fetchMedia(context, credentials, url),
    });
  }
  const phone = /^\+\d{6,15}$/.test(webhook.From) ? webhook.From : null;
  return [
    {
      kind: "message",
      externalId: webhook.MessageSid,
      direction: "in",
      sourceId: webhook.From,
      profile: { phone },
      contentType: media.length > 0 ? contentTypeOf(firstType) : "text",
      text: webhook.Body ?? "",
      // STOP, START and HELP are handled by Twilio itself; agents see that the contact opted out or in.
      content: webhook.OptOutType ? { smsOptOut: webhook.OptOutType } : {},
      media,
    },
  ];
};

/**
 * Sends one Parley message as SMS/MMS: structured content as readable text, long text in pieces
 * of at most 1,600 characters, files as MediaUrl (our signed links, which Twilio downloads).
 */
export const sendTwilioMessage = async (
  outbound: NormalizedOutbound,
  inbox: ChannelInbox,
  context: ChannelContext,
): Promise<{ externalId: string }> => {
  const credentials = credentialsOf(inbox);
  const from = inbox.channelKey ?? (typeof inbox.config.phoneNumber === "string" ? inbox.config.phoneNumber : "");
  if (outbound.attachments.length > MMS_MAX_FILES) {
    throw new ChannelSendError({ message: `MMS carries at most ${MMS_MAX_FILES} files.`, retryable: false });
  }
  const totalBytes = outbound.attachments.reduce((sum, attachment) => sum + attachment.byteSize, 0);
  if (totalBytes > MMS_MAX_BYTES) {
    throw new ChannelSendError({
      message: "MMS carries at most 5 MB of files in all; send smaller files or a link.",
      retryable: false,
    });
  }
  const text = fallbackText(outbound);
  const pieces = text === "" ? [] : splitText(text, SMS_BODY_MAX);
  if (pieces.length === 0 && outbound.attachments.length === 0) {
    throw new ChannelSendError({ message: "The message is empty; nothing was sent.", retryable: false });
  }
  const requests = pieces.length > 0 ? pieces : [""];
  let lastSid: string | null = null;
  for (const [index, body] of requests.entries()) {
    // Each piece is a part: a retry after a failed piece sends only the pieces not yet accepted.
    lastSid = await sendPartOnce(outbound, index, async () => {
      const form = new URLSearchParams({ To: outbound.recipientId, From: from });
      if (body !== "") form.append("Body", body);
      // Files ride with the first piece, so a picture and its caption arrive together.
      if (index === 0) for (const attachment of outbound.attachments) form.append("MediaUrl", attachment.url);
      form.append("StatusCallback", twilioWebhookUrl(context, inbox.id));
      const created = z.object({ sid: z.string().min(1) }).parse(
        await callTwilio(context, credentials, {
          method: "POST",
          url: accountUrl(context, credentials.accountSid, "/Messages"),
          form,
        }),
      );
      return created.sid;
    });
  }
  if (!lastSid) throw new ChannelSendError({ message: "Twilio did not return a message id.", retryable: true });
  // The last piece's delivery stands for the message: it arrives after the others.
  return { externalId: lastSid };
};
