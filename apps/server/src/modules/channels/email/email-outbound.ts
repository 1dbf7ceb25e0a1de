import type { ChannelContext, ChannelInbox, NormalizedOutbound } from "../channel-adapter.ts";
import { ChannelSendError } from "../channel-adapter.ts";
import { fallbackText } from "../render-fallback.ts";
import { markdownToEmailHtml, markdownToEmailText } from "./email-html.ts";
import { inboxAddressOf } from "./email-inbound.ts";
import { makeReplyToken, replyAddressFor } from "./email-reply-token.ts";
import { serverWords, smtpTransportFor, storedSmtpOf } from "./email-servers.ts";

/** RFC 5322 asks to keep the first id and the newest ones when References grows long. */
const REFERENCES_MAX = 20;

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null;

/** The subject a reply carries: the thread's with one "Re:", or the conversation's number. */
export const replySubject = (conversation: NormalizedOutbound["conversation"]): string => {
  const subject = conversation.subject?.trim();
  if (!subject) return `Conversation #${conversation.number}`;
  return /^re:/i.test(subject) ? subject : `Re: ${subject}`;
};

/**
 * SMTP replies: 4xx is "try later" (greylisting, full mailbox, rate limits), 5xx is final (no such
 * user, policy refusal); a refused login puts the inbox in error for an admin to fix.
 */
const toSendError = (error: unknown): ChannelSendError => {
  const words = serverWords(error);
  const code = isRecord(error) && typeof error.code === "string" ? error.code : "";
  const responseCode = isRecord(error) && typeof error.responseCode === "number" ? error.responseCode : null;
  if (code === "EAUTH") {
    return new ChannelSendError({
      message: `The SMTP server refused our login: ${words}`,
      retryable: false,
      code: "channel_auth",
    });
  }
  if (responseCode !== null && responseCode >= 500) {
    return new ChannelSendError({ message: `The mail server refused the message: ${words}`, retryable: false });
  }
  if (responseCode !== null && responseCode >= 400) {
    return new ChannelSendError({ message: `The mail server deferred the message: ${words}`, retryable: true });
  }
  return new ChannelSendError({ message: `The mail server could not be reached: ${words}`, retryable: true });
};

/** Sends an agent's or bot's reply as a mail in the customer's thread. */
export const sendEmail = async (
  outbound: NormalizedOutbound,
  inbox: ChannelInbox,
  context: ChannelContext,
): Promise<{ externalId: string }> => {
  const address = inboxAddressOf(inbox);
  const domain = address.split("@")[1];
  if (!domain) throw new ChannelSendError({ message: "This inbox has no address to send from; reconnect it.", retryable: false });
  const smtp = storedSmtpOf(inbox);
  const transport = smtpTransportFor(smtp ? { ...smtp, password: inbox.secrets.smtpPassword ?? null } : null, context);
  if (!transport) {
    throw new ChannelSendError({
      message: "No SMTP server is set for this inbox and Parley has none configured (SMTP_URL).",
      retryable: false,
    });
  }
  const inboxName = typeof inbox.config.senderName === "string" && inbox.config.senderName ? inbox.config.senderName : inbox.name;
  const fromName = outbound.sender.name ? `${outbound.sender.name} via ${inboxName}` : inboxName;
  // Our id for the message becomes its Message-ID, so replies and bounces name it.
  const messageId = `${outbound.messageId}@${domain}`;
  const thread = outbound.threadExternalIds;
  const references = thread.length > REFERENCES_MAX ? [...thread.slice(0, 1), ...thread.slice(1 - REFERENCES_MAX)] : thread;
  const parent = thread.at(-1);
  const replyTo =
    inbox.config.plusAddressing === false
      ? null
      : replyAddressFor(address, makeReplyToken(context.secrets, outbound.conversation.id));
  const body = fallbackText(outbound);
  const attachments = await Promise.all(
    outbound.attachments.map(async (file) => ({
      filename: file.fileName,
      contentType: file.contentType,
      content: await file.read(),
    })),
  );
  try {
    await transport.sendMail({
      from: { name: fromName, address },
      to: outbound.recipientId,
      ...(replyTo ? { replyTo: { name: inboxName, address: replyTo } } : {}),
      subject: replySubject(outbound.conversation),
      messageId: `<${messageId}>`,
      ...(parent ? { inReplyTo: `<${parent}>`, references: references.map((id) => `<${id}>`) } : {}),
      text: markdownToEmailText(body),
      html: markdownToEmailHtml(body),
      attachments,
      // RFC 3834: a bot's answer is automatic, so the customer's auto-responder stays quiet.
      ...(outbound.sender.type === "bot" ? { headers: { "Auto-Submitted": "auto-replied" } } : {}),
    });
  } catch (error) {
    throw toSendError(error);
  } finally {
    transport.close();
  }
  return { externalId: messageId };
};
