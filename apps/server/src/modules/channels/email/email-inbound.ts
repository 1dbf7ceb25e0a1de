import PostalMime, { type Address, type Attachment, type Email } from "postal-mime";
import type { ContentType } from "../../messages/messages.tables.ts";
import type { ChannelContext, ChannelInbox, InboundMedia, NormalizedEvent } from "../channel-adapter.ts";
import { fallbackMessageId, headerValue, messageIdsIn, readHeaderFields } from "./email-headers.ts";
import { htmlToPlainText, sanitizeEmailHtml } from "./email-html.ts";
import { extractReplyText } from "./email-reply-text.ts";
import { readReplyToken, replyTokenIn } from "./email-reply-token.ts";

type HeaderList = Email["headers"];

/** Newsletters with inlined images can be megabytes of HTML; past this only the text is kept. */
const MAX_HTML_CHARS = 1_000_000;

const mailboxesOf = (addresses: Address[] | Address | undefined): Array<{ name: string; address: string }> =>
  (Array.isArray(addresses) ? addresses : addresses ? [addresses] : []).flatMap((entry) =>
    entry.group ? entry.group : entry.address ? [{ name: entry.name, address: entry.address }] : [],
  );

const header = (headers: HeaderList, name: string): string | null => headers.find((entry) => entry.key === name)?.value ?? null;

/**
 * Mail a machine wrote (vacation notices, ticket receipts, newsletters): RFC 3834's
 * Auto-Submitted, and the de-facto headers of Exchange, Outlook and list servers.
 */
export const autoReplyReason = (headers: HeaderList): string | null => {
  const autoSubmitted = header(headers, "auto-submitted")?.toLowerCase();
  if (autoSubmitted && !autoSubmitted.startsWith("no")) return `Auto-Submitted: ${autoSubmitted}`;
  for (const name of ["x-autoreply", "x-autorespond", "x-autoresponder"]) {
    const value = header(headers, name);
    if (value !== null && !/^(no|false)$/i.test(value.trim())) return `${name}: ${value}`;
  }
  const precedence = header(headers, "precedence")?.toLowerCase().trim();
  if (precedence && ["bulk", "auto_reply", "junk"].includes(precedence)) return `Precedence: ${precedence}`;
  const suppress = header(headers, "x-auto-response-suppress");
  if (suppress && /\b(all|oof|autoreply)\b/i.test(suppress)) return `X-Auto-Response-Suppress: ${suppress}`;
  return null;
};

const bytesOf = (content: Attachment["content"]): Buffer =>
  typeof content === "string"
    ? Buffer.from(content, "utf8")
    : Buffer.from(content instanceof ArrayBuffer ? new Uint8Array(content) : content);

const isReportPart = (attachment: Attachment) =>
  ["message/delivery-status", "message/global-delivery-status"].includes(attachment.mimeType);

const isOriginalMessagePart = (attachment: Attachment) =>
  ["message/rfc822", "text/rfc822-headers", "message/global", "message/global-headers"].includes(attachment.mimeType);

/** "Diagnostic-Code: smtp; 550 5.1.1 <x@y>: user unknown" and friends, from a delivery-status part. */
const readDeliveryStatus = (text: string) => {
  const fields = readHeaderFields(Buffer.from(text.replace(/\r?\n\r?\n/g, "\n"), "latin1"));
  const value = (name: string) => headerValue(fields, name);
  const diagnostic = value("diagnostic-code")?.replace(/^[\w-]+;\s*/, "") ?? null;
  const recipient = (value("final-recipient") ?? value("original-recipient"))?.replace(/^[\w-]+;\s*/, "") ?? null;
  return { action: value("action")?.toLowerCase() ?? null, status: value("status"), diagnostic, recipient };
};

const bounceEvent = (parsed: Email, raw: Buffer): NormalizedEvent[] => {
  const report = parsed.attachments.find(isReportPart);
  const status = report ? readDeliveryStatus(bytesOf(report.content).toString("utf8")) : null;
  // "delayed" and "delivered" reports are news, not failures: the message may still arrive.
  if (status?.action && status.action !== "failed") return [];
  const original = parsed.attachments.find(isOriginalMessagePart);
  const originalId =
    (original ? messageIdsIn(headerValue(readHeaderFields(bytesOf(original.content)), "message-id"))[0] : undefined) ??
    messageIdsIn(parsed.inReplyTo)[0] ??
    messageIdsIn(/^Message-ID:\s*(.+)$/im.exec(parsed.text ?? raw.toString("latin1"))?.[1])[0];
  if (!originalId) return [];
  const reason =
    status?.diagnostic ??
    (status?.status ? `status ${status.status}` : null) ??
    (parsed.text ?? "").trim().split("\n").slice(0, 3).join(" ").slice(0, 300);
  return [
    {
      kind: "status",
      externalId: originalId,
      status: "failed",
      error: `The mail could not be delivered${status?.recipient ? ` to ${status.recipient}` : ""}: ${reason || "the receiving server bounced it"}`,
    },
  ];
};

const isBounce = (parsed: Email, from: { address: string } | undefined): boolean => {
  const contentType = header(parsed.headers, "content-type")?.toLowerCase() ?? "";
  if (/multipart\/report/.test(contentType) && /report-type\s*=\s*"?delivery-status/.test(contentType)) return true;
  if (parsed.attachments.some(isReportPart)) return true;
  const local = from?.address.split("@")[0]?.toLowerCase() ?? "";
  return local === "mailer-daemon" || local === "postmaster";
};

/** A read receipt (RFC 8098): the customer's client says our message was displayed. */
const readReceiptEvent = (parsed: Email): NormalizedEvent[] | null => {
  const part = parsed.attachments.find((attachment) => attachment.mimeType === "message/disposition-notification");
  if (!part) return null;
  const fields = readHeaderFields(
    Buffer.from(
      bytesOf(part.content)
        .toString("utf8")
        .replace(/\r?\n\r?\n/g, "\n"),
      "latin1",
    ),
  );
  const [originalId] = messageIdsIn(headerValue(fields, "original-message-id") ?? parsed.inReplyTo);
  const isDisplayed = /;\s*displayed/i.test(headerValue(fields, "disposition") ?? "");
  return originalId && isDisplayed ? [{ kind: "status", externalId: originalId, status: "read" }] : [];
};

const EXTENSIONS: Record<string, string> = {
  "image/png": ".png",
  "image/jpeg": ".jpg",
  "image/gif": ".gif",
  "image/webp": ".webp",
  "application/pdf": ".pdf",
  "text/plain": ".txt",
  "text/calendar": ".ics",
  "message/rfc822": ".eml",
};

const kindOf = (mimeType: string): ContentType => {
  if (mimeType.startsWith("image/")) return "image";
  if (mimeType.startsWith("video/")) return "video";
  if (mimeType.startsWith("audio/")) return "audio";
  return "file";
};

const mediaOf = (attachments: Attachment[]): Array<InboundMedia & { mimeType: string }> =>
  attachments
    .filter((attachment) => !isReportPart(attachment))
    .map((attachment, index) => {
      const bytes = bytesOf(attachment.content);
      return {
        fileName: attachment.filename?.trim() || `attachment-${index + 1}${EXTENSIONS[attachment.mimeType] ?? ".bin"}`,
        mimeType: attachment.mimeType,
        fetch: async () => ({ bytes, contentType: attachment.mimeType }),
      };
    });

/** The inbox address mail arrives for (its channel key, lowercased). */
export const inboxAddressOf = (inbox: ChannelInbox): string =>
  (typeof inbox.config.address === "string" ? inbox.config.address : (inbox.channelKey ?? "")).toLowerCase();

/**
 * One raw message, from IMAP or the raw MIME endpoint, in Parley's terms: a customer message
 * threaded by its headers or reply token, a bounce that fails the reply it returns, or nothing
 * for auto-replies and our own mail coming back.
 */
export const parseEmail = async (
  raw: Buffer,
  inbox: ChannelInbox,
  context: Pick<ChannelContext, "secrets" | "logger">,
): Promise<NormalizedEvent[]> => {
  const parsed = await PostalMime.parse(raw, { attachmentEncoding: "arraybuffer" });
  const [from] = mailboxesOf(parsed.from ?? parsed.sender);
  const log = { inboxId: inbox.id, messageId: parsed.messageId ?? null, from: from?.address ?? null };
  if (isBounce(parsed, from)) {
    const events = bounceEvent(parsed, raw);
    context.logger.info({ ...log, failed: events.length > 0 }, "email bounce received");
    return events;
  }
  const receipt = readReceiptEvent(parsed);
  if (receipt) return receipt;
  if (!from) return [];
  const inboxAddress = inboxAddressOf(inbox);
  if (from.address.toLowerCase() === inboxAddress) {
    context.logger.info(log, "email from the inbox's own address ignored (a loop or a copy of our own mail)");
    return [];
  }
  const autoReply = autoReplyReason(parsed.headers);
  if (autoReply) {
    context.logger.info({ ...log, reason: autoReply }, "automatic email reply ignored");
    return [];
  }
  // A null return path marks mail a machine sent (RFC 5321 §4.5.5); no person writes with one.
  if (header(parsed.headers, "return-path")?.trim() === "<>") {
    context.logger.info(log, "email with a null return path ignored");
    return [];
  }

  const recipients = [
    ...mailboxesOf(parsed.to),
    ...mailboxesOf(parsed.cc),
    ...["delivered-to", "x-original-to", "envelope-to"].flatMap((name) =>
      parsed.headers
        .filter((entry) => entry.key === name)
        .map((entry) => ({ name: "", address: entry.value.replace(/[<>]/g, "") })),
    ),
  ].map((mailbox) => mailbox.address);
  const token = replyTokenIn(inboxAddress, recipients);
  const thread = [...messageIdsIn(parsed.references), ...messageIdsIn(parsed.inReplyTo)];
  const threadExternalIds = thread.filter((id, index) => thread.lastIndexOf(id) === index);
  const media = mediaOf(parsed.attachments);
  const html = parsed.html && parsed.html.length <= MAX_HTML_CHARS ? sanitizeEmailHtml(parsed.html) : "";
  const text = extractReplyText(parsed.text?.trim() ? parsed.text : htmlToPlainText(html));
  const sentAt = parsed.date ? new Date(parsed.date) : null;
  return [
    {
      kind: "message",
      externalId: messageIdsIn(parsed.messageId)[0] ?? fallbackMessageId(raw),
      direction: "in",
      sourceId: from.address.toLowerCase(),
      profile: { name: from.name.trim() || null, email: from.address.toLowerCase() },
      contentType: text === "" && media[0] ? kindOf(media[0].mimeType) : "text",
      text,
      content: {
        ...(parsed.subject ? { subject: parsed.subject } : {}),
        ...(html ? { html } : {}),
        ...(mailboxesOf(parsed.cc).length > 0 ? { cc: mailboxesOf(parsed.cc).map((mailbox) => mailbox.address) } : {}),
      },
      media: media.map(({ fileName, fetch }) => ({ fileName, fetch })),
      threadExternalIds,
      conversationIdHint: token ? readReplyToken(context.secrets, token) : null,
      ...(sentAt && !Number.isNaN(sentAt.getTime()) ? { sentAt } : {}),
    },
  ];
};
