import { randomBytes, timingSafeEqual } from "node:crypto";
import { z } from "zod";
import { type ChannelAdapter, ChannelSendError, WebhookRejected, type WebhookRequest } from "../channel-adapter.ts";
import { emailDedupeKey, headerValue, readHeaderFields } from "./email-headers.ts";
import { parseEmail } from "./email-inbound.ts";
import { sendEmail } from "./email-outbound.ts";
import { smtpTransportFor, verifyImap, verifySmtp, ZImapSettings, ZSmtpSettings } from "./email-servers.ts";

/**
 * Email: an inbox per address. Replies leave by SMTP (the inbox's server or Parley's), customers'
 * mail arrives by IMAP polling (email-imap-sync.ts) or as raw MIME posted to
 * `/webhooks/email/<inbox id>` with the token issued at connect (a Postfix pipe, a provider's
 * inbound-parse hook). Both paths store the raw message and parse it with the same code.
 */

const ZConnectInput = z.strictObject({
  address: z.email().max(320),
  /** The name customers see: "<agent> via <display name>". Defaults to the inbox's name. */
  displayName: z.string().trim().min(1).max(100).optional(),
  /** null: send through Parley's own SMTP server (SMTP_URL). */
  smtp: ZSmtpSettings.nullable(),
  /** null: mail arrives only through the raw MIME endpoint. */
  imap: ZImapSettings.nullable(),
  /**
   * Replies carry `Reply-To: local+<token>@domain` so they thread even when a client drops the
   * In-Reply-To header. Turn off when the mail server does not deliver plus-addresses to this mailbox.
   */
  plusAddressing: z.boolean().default(true),
});

export const ZEmailEventPayload = z.object({
  source: z.enum(["http", "imap"]),
  /** The message exactly as received, base64 (mail may carry 8-bit bytes that are not UTF-8). */
  mime: z.string(),
});

const ACCEPTED_TYPES = new Set(["message/rfc822", "text/plain"]);

/** Bearer, or Basic with the token as password: inbound-parse services often only offer URL credentials. */
const tokenOf = (request: WebhookRequest): string | null => {
  const header = request.headers.authorization ?? "";
  if (header.startsWith("Bearer ")) return header.slice(7).trim();
  if (header.startsWith("Basic ")) {
    const decoded = Buffer.from(header.slice(6).trim(), "base64").toString("utf8");
    return decoded.slice(decoded.indexOf(":") + 1);
  }
  return null;
};

const sameSecret = (given: string, expected: string | undefined): boolean => {
  if (!expected) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
};

export const emailChannelAdapter: ChannelAdapter<typeof ZConnectInput> = {
  platform: "email",
  inboxType: "email",
  sharedWebhook: false,
  connectInput: ZConnectInput,
  capabilities: {
    maxTextLength: 100_000,
    buttons: 0,
    quickReplies: 0,
    cards: false,
    templates: false,
    location: false,
    contactCard: false,
    media: ["image", "video", "audio", "file"],
    reactions: false,
    edits: false,
    markdown: "html",
  },

  connect: async (input, _inbox, context) => {
    const address = input.address.toLowerCase();
    const transport = smtpTransportFor(input.smtp, context);
    if (!transport) {
      throw new ChannelSendError({
        message: "Parley has no SMTP server of its own (SMTP_URL is not set), so give this inbox its SMTP settings.",
        retryable: false,
      });
    }
    await verifySmtp(transport);
    if (input.imap) await verifyImap(input.imap);
    // Connecting again issues a new token, so a leaked one is revoked by reconnecting.
    const token = `pem_${randomBytes(24).toString("base64url")}`;
    return {
      channelKey: address,
      config: {
        address,
        senderName: input.displayName ?? null,
        plusAddressing: input.plusAddressing,
        smtp: input.smtp
          ? { host: input.smtp.host, port: input.smtp.port, secure: input.smtp.secure, user: input.smtp.user ?? null }
          : null,
        imap: input.imap
          ? {
              host: input.imap.host,
              port: input.imap.port,
              secure: input.imap.secure,
              user: input.imap.user,
              mailbox: input.imap.mailbox,
            }
          : null,
        // Polling starts over: unread mail first, then everything newer.
        imapState: null,
      },
      secrets: {
        token,
        ...(input.smtp?.password ? { smtpPassword: input.smtp.password } : {}),
        ...(input.imap ? { imapPassword: input.imap.password } : {}),
      },
      displayName: input.displayName ? `${input.displayName} <${address}>` : address,
      issuedCredentials: { token },
    };
  },

  envelopes: (request) => {
    if (!request.inboxId) throw new WebhookRejected("Post raw messages to /webhooks/email/<inbox id>.", 404);
    const contentType = (request.headers["content-type"] ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
    if (!ACCEPTED_TYPES.has(contentType)) {
      throw new WebhookRejected("Post the raw message with Content-Type: message/rfc822 (or text/plain).", 415);
    }
    const fields = readHeaderFields(request.rawBody);
    if (!headerValue(fields, "from")) throw new WebhookRejected("The body is not a MIME message: it has no From header.");
    return [
      {
        inbox: { id: request.inboxId },
        dedupeKey: emailDedupeKey(request.rawBody, fields),
        payload: { source: "http", mime: request.rawBody.toString("base64") },
      },
    ];
  },

  verify: (request, inbox) => {
    const token = tokenOf(request);
    return token !== null && sameSecret(token, inbox.secrets.token);
  },

  acknowledge: () => ({ status: 202, body: { ok: true } }),

  parse: async (payload, inbox, context) => {
    const { mime } = ZEmailEventPayload.parse(payload);
    return parseEmail(Buffer.from(mime, "base64"), inbox, context);
  },

  send: sendEmail,
};
