import { type TMessageButton, ZButtonsContent, ZCardsContent, ZMetaMessageTag } from "@parley/shared";
import { AppError } from "../../../platform/errors.ts";
import { type ChannelContext, ChannelSendError, type NormalizedOutbound } from "../channel-adapter.ts";
import type { GraphHost } from "../meta/meta-common.ts";
import { fallbackText, splitText } from "../render-fallback.ts";
import { sendPartOnce } from "../send-parts.ts";
import { postSendApi } from "./meta-graph.ts";

/**
 * The Send API as Messenger and Instagram share it: text, quick replies, button and generic
 * templates, attachments by URL; and the messaging window that decides whether and how a reply may go.
 * https://developers.facebook.com/docs/messenger-platform/reference/send-api/
 */

export type MetaSendLimits = {
  platformName: "Messenger" | "Instagram";
  maxTextLength: number;
  /** Instagram takes only HUMAN_AGENT; Messenger also takes the update tags. */
  tags: ReadonlyArray<string>;
  media: ReadonlySet<"image" | "video" | "audio" | "file">;
};

const HOUR_MS = 60 * 60 * 1000;
const STANDARD_WINDOW_MS = 24 * HOUR_MS;
const HUMAN_AGENT_WINDOW_MS = 7 * 24 * HOUR_MS;
const QUICK_REPLY_LIMIT = 13;
const QUICK_REPLY_TITLE_MAX = 20;
const BUTTON_TITLE_MAX = 20;
const TEMPLATE_BUTTON_LIMIT = 3;
const BUTTON_TEMPLATE_TEXT_MAX = 640;
const CARD_LIMIT = 10;
const CARD_TEXT_MAX = 80;

type Window = { messagingType: "RESPONSE" } | { messagingType: "MESSAGE_TAG"; tag: string };

const clip = (text: string, max: number): string => (text.length <= max ? text : `${text.slice(0, max - 1)}…`);

/**
 * Meta's rules: anyone may answer within 24 hours of the contact's last message; a person (not a
 * bot) may answer with the HUMAN_AGENT tag within 7 days; update tags go any time (Messenger).
 */
export const messagingWindow = (
  input: { lastInboundAt: Date | null; content: Record<string, unknown>; senderType: "agent" | "bot" },
  limits: MetaSendLimits,
  now = Date.now(),
): Window => {
  const requested = input.content.messageTag;
  const since = input.lastInboundAt ? now - input.lastInboundAt.getTime() : Number.POSITIVE_INFINITY;
  if (requested !== undefined) {
    const tag = ZMetaMessageTag.safeParse(requested);
    if (!tag.success || !limits.tags.includes(tag.data)) {
      throw new AppError("validation_failed", `${limits.platformName} accepts these message tags: ${limits.tags.join(", ")}.`, [
        { path: "content.messageTag", message: "Unknown message tag." },
      ]);
    }
    if (tag.data === "HUMAN_AGENT" && since > HUMAN_AGENT_WINDOW_MS) throw outsideWindow(limits, "7 days");
    return { messagingType: "MESSAGE_TAG", tag: tag.data };
  }
  if (since <= STANDARD_WINDOW_MS) return { messagingType: "RESPONSE" };
  if (since <= HUMAN_AGENT_WINDOW_MS) {
    if (input.senderType === "bot") throw outsideWindow(limits, "24 hours");
    return { messagingType: "MESSAGE_TAG", tag: "HUMAN_AGENT" };
  }
  throw outsideWindow(limits, "7 days");
};

const outsideWindow = (limits: MetaSendLimits, span: string) =>
  new AppError(
    "outside_messaging_window",
    `More than ${span} have passed since the contact last wrote, so ${limits.platformName} does not allow this reply. It can go once they write again.`,
  );

/** checkSendable: refuses at once what Meta would refuse (bots are checked again at send time). */
export const checkMetaSendable =
  (limits: MetaSendLimits) =>
  (outbound: Pick<NormalizedOutbound, "contentType" | "content" | "lastInboundAt">): void => {
    messagingWindow({ lastInboundAt: outbound.lastInboundAt, content: outbound.content, senderType: "agent" }, limits);
  };

const toButton = (button: TMessageButton) =>
  button.url
    ? { type: "web_url", url: button.url, title: clip(button.title, BUTTON_TITLE_MAX) }
    : { type: "postback", title: clip(button.title, BUTTON_TITLE_MAX), payload: button.payload ?? button.title };

const textMessages = (text: string, limits: MetaSendLimits) =>
  text.trim() === "" ? [] : splitText(text.trim(), limits.maxTextLength).map((piece) => ({ text: piece }));

/** Text whose last piece carries `attach` (quick replies, a template's text). */
const withLastPiece = (text: string, max: number, limits: MetaSendLimits) => {
  const pieces = splitText(text.trim(), max);
  const last = pieces.pop() ?? "";
  return { leading: pieces.flatMap((piece) => textMessages(piece, limits)), last };
};

const buttonsMessages = (outbound: NormalizedOutbound, limits: MetaSendLimits): Array<Record<string, unknown>> | null => {
  const parsed = ZButtonsContent.safeParse(outbound.content);
  if (!parsed.success) return null;
  const { style, buttons } = parsed.data;
  const allPostback = buttons.every((button) => !button.url);
  const text = outbound.text.trim() === "" ? fallbackText(outbound) : outbound.text;
  const asQuickReplies = allPostback && buttons.length <= QUICK_REPLY_LIMIT && (style === "quick_replies" || buttons.length > 3);
  if (asQuickReplies) {
    const { leading, last } = withLastPiece(text, limits.maxTextLength, limits);
    const quickReplies = buttons.map((button) => ({
      content_type: "text",
      title: clip(button.title, QUICK_REPLY_TITLE_MAX),
      payload: button.payload ?? button.title,
    }));
    return [...leading, { text: last, quick_replies: quickReplies }];
  }
  if (buttons.length <= TEMPLATE_BUTTON_LIMIT && outbound.text.trim() !== "") {
    const { leading, last } = withLastPiece(outbound.text, BUTTON_TEMPLATE_TEXT_MAX, limits);
    return [
      ...leading,
      { attachment: { type: "template", payload: { template_type: "button", text: last, buttons: buttons.map(toButton) } } },
    ];
  }
  return null;
};

const cardsMessages = (outbound: NormalizedOutbound, limits: MetaSendLimits): Array<Record<string, unknown>> | null => {
  const parsed = ZCardsContent.safeParse(outbound.content);
  if (!parsed.success || parsed.data.cards.length > CARD_LIMIT) return null;
  const elements = parsed.data.cards.map((card) => ({
    title: clip(card.title, CARD_TEXT_MAX),
    ...(card.subtitle ? { subtitle: clip(card.subtitle, CARD_TEXT_MAX) } : {}),
    ...(card.imageUrl ? { image_url: card.imageUrl } : {}),
    ...(card.url ? { default_action: { type: "web_url", url: card.url } } : {}),
    ...(card.buttons.length > 0 ? { buttons: card.buttons.slice(0, TEMPLATE_BUTTON_LIMIT).map(toButton) } : {}),
  }));
  return [
    ...textMessages(outbound.text, limits),
    { attachment: { type: "template", payload: { template_type: "generic", elements } } },
  ];
};

const mediaKindOf = (contentType: string): "image" | "video" | "audio" | "file" => {
  if (contentType.startsWith("image/")) return "image";
  if (contentType.startsWith("video/")) return "video";
  if (contentType.startsWith("audio/")) return "audio";
  return "file";
};

/** Attachments go by URL (our signed link); kinds the platform cannot take go as a link in text. */
const attachmentMessages = (outbound: NormalizedOutbound, limits: MetaSendLimits) =>
  outbound.attachments.map((file) => {
    const kind = mediaKindOf(file.contentType);
    if (!limits.media.has(kind)) return { text: clip(`${file.fileName}: ${file.url}`, limits.maxTextLength) };
    return { attachment: { type: kind, payload: { url: file.url, is_reusable: false } } };
  });

/** The Send API `message` objects for one outbound message, in the order they are sent. */
export const buildMetaMessages = (outbound: NormalizedOutbound, limits: MetaSendLimits): Array<Record<string, unknown>> => {
  const structured =
    outbound.contentType === "buttons"
      ? buttonsMessages(outbound, limits)
      : outbound.contentType === "cards"
        ? cardsMessages(outbound, limits)
        : null;
  const body = structured ?? textMessages(fallbackText(outbound), limits);
  const files = attachmentMessages(outbound, limits);
  // Quick replies vanish once another message follows them, so they go last.
  const hasQuickReplies = body.some((message) => "quick_replies" in message);
  return hasQuickReplies ? [...files, ...body] : [...body, ...files];
};

/**
 * Sends every part of a message; the first part's id becomes the message's external id. Parts
 * already delivered by an earlier attempt are not sent again, so a retry only sends the rest.
 */
export const sendMetaMessage = async (
  outbound: NormalizedOutbound,
  target: { pageId: string; token: string; host?: GraphHost },
  context: ChannelContext,
  limits: MetaSendLimits,
): Promise<{ externalId: string }> => {
  let window: Window;
  try {
    window = messagingWindow(
      { lastInboundAt: outbound.lastInboundAt, content: outbound.content, senderType: outbound.sender.type },
      limits,
    );
  } catch (error) {
    if (error instanceof AppError) {
      throw new ChannelSendError({
        message: error.message,
        retryable: false,
        ...(error.code === "outside_messaging_window" ? { code: error.code } : {}),
      });
    }
    throw error;
  }
  const messages = buildMetaMessages(outbound, limits);
  if (messages.length === 0) throw new ChannelSendError({ message: "This message has nothing to send.", retryable: false });
  const ids: string[] = [];
  for (const [index, message] of messages.entries()) {
    try {
      ids.push(
        await sendPartOnce(outbound, index, () =>
          postSendApi(
            context,
            target.token,
            target.pageId,
            {
              recipient: { id: outbound.recipientId },
              messaging_type: window.messagingType,
              ...(window.messagingType === "MESSAGE_TAG" ? { tag: window.tag } : {}),
              message,
            },
            target.host,
          ),
        ),
      );
    } catch (error) {
      if (ids.length === 0 || !(error instanceof ChannelSendError)) throw error;
      // A retryable failure resumes after the delivered parts; a final one tells the agent how far it got.
      throw new ChannelSendError({
        message: `Only part of this message reached ${limits.platformName} (${ids.length} of ${messages.length}): ${error.message}`,
        retryable: error.retryable,
        code: error.code,
      });
    }
  }
  const [first] = ids;
  if (!first) throw new ChannelSendError({ message: "This message has nothing to send.", retryable: false });
  return { externalId: first };
};
