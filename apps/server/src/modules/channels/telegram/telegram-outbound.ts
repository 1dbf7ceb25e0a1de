import { type TMessageButton, ZButtonsContent, ZCardsContent, ZContactCardContent, ZLocationContent } from "@parley/shared";
import { type ChannelContext, type ChannelInbox, ChannelSendError, type NormalizedOutbound } from "../channel-adapter.ts";
import { fallbackText, splitText } from "../render-fallback.ts";
import { sendPartOnce } from "../send-parts.ts";
import { callBot, ZSentMessage } from "./telegram-api.ts";
import { callbackDataFor, rememberKeyboard } from "./telegram-keys.ts";
import { messageExternalId } from "./telegram-updates.ts";

export const TELEGRAM_TEXT_MAX = 4096;
const CAPTION_MAX = 1024;
/** sendPhoto takes uploads up to 10 MB; larger images go as documents (up to 50 MB). */
const PHOTO_UPLOAD_MAX_BYTES = 10 * 1024 * 1024;

type Attachment = NormalizedOutbound["attachments"][number];
type ReplyMarkup = Record<string, unknown>;
type ReplyParameters = { message_id: number; allow_sending_without_reply: boolean };

/** Which Bot API method shows a file best, by its type. */
const mediaMethodOf = (attachment: Attachment): { method: string; field: string } => {
  const type = attachment.contentType;
  if (/^image\/(jpeg|png|webp)$/.test(type) && attachment.byteSize <= PHOTO_UPLOAD_MAX_BYTES)
    return { method: "sendPhoto", field: "photo" };
  if (type === "image/gif") return { method: "sendAnimation", field: "animation" };
  if (type === "video/mp4") return { method: "sendVideo", field: "video" };
  // Voice notes must be OGG/Opus to show as a voice message; other audio plays as a track.
  if (type === "audio/ogg" || type === "audio/opus") return { method: "sendVoice", field: "voice" };
  if (type === "audio/mpeg") return { method: "sendAudio", field: "audio" };
  return { method: "sendDocument", field: "document" };
};

/**
 * Sends one Parley message as one or more Telegram messages, plain text (no parse_mode, so no
 * character is ever misread as markup). The last Telegram message sent is the one we track.
 * Each Telegram message is a part: a retry after a failure sends only the parts not yet delivered.
 */
export const sendTelegramMessage = async (
  outbound: NormalizedOutbound,
  inbox: ChannelInbox,
  context: ChannelContext,
): Promise<{ externalId: string }> => {
  const token = inbox.secrets.botToken;
  if (!token) {
    throw new ChannelSendError({
      message: "The inbox has no bot token; connect it again.",
      retryable: false,
      code: "channel_auth",
    });
  }
  const chatId = outbound.recipientId;
  let lastExternalId: string | null = null;
  let nextPart = 0;
  // Only the first Telegram message quotes the message this reply answers, also when a retry skips it.
  let replyParameters = replyParametersOf(outbound.replyToExternalId, chatId);

  /** Sends the next part (unless an earlier attempt did); `send` gets the quote to add and returns Telegram's message id. */
  const sendPart = async (send: (reply: ReplyParameters | null) => Promise<number>) => {
    const reply = replyParameters;
    replyParameters = null;
    const index = nextPart;
    nextPart += 1;
    lastExternalId = await sendPartOnce(outbound, index, async () => messageExternalId(chatId, await send(reply)));
  };

  const callJson = async (method: string, json: Record<string, unknown>, reply: ReplyParameters | null) =>
    ZSentMessage.parse(
      await callBot(context, token, method, {
        json: { chat_id: chatId, ...json, ...(reply ? { reply_parameters: reply } : {}) },
      }),
    ).message_id;

  const call = (method: string, json: Record<string, unknown>) => sendPart((reply) => callJson(method, json, reply));

  const sendText = async (text: string, replyMarkup?: ReplyMarkup) => {
    const pieces = splitText(text, TELEGRAM_TEXT_MAX);
    for (const [index, piece] of pieces.entries()) {
      const isLast = index === pieces.length - 1;
      await call("sendMessage", { text: piece, ...(isLast && replyMarkup ? { reply_markup: replyMarkup } : {}) });
    }
  };

  const inlineKeyboard = async (buttons: TMessageButton[]): Promise<ReplyMarkup> => ({
    inline_keyboard: await Promise.all(
      buttons.map(async (button) => [
        button.url
          ? { text: button.title, url: button.url }
          : { text: button.title, callback_data: await callbackDataFor(context.storage, inbox, button.payload ?? button.title) },
      ]),
    ),
  });

  let text = outbound.text.trim();
  for (const [index, attachment] of outbound.attachments.entries()) {
    const { method, field } = mediaMethodOf(attachment);
    // The text rides along as the first file's caption when it fits and nothing structured follows.
    const isCaption = index === 0 && text !== "" && text.length <= CAPTION_MAX && outbound.contentType !== "buttons";
    const caption = isCaption ? text : null;
    await sendPart(async (reply) => {
      const form = new FormData();
      form.append("chat_id", chatId);
      form.append(
        field,
        new Blob([new Uint8Array(await attachment.read())], { type: attachment.contentType }),
        attachment.fileName,
      );
      if (caption) form.append("caption", caption);
      if (reply) form.append("reply_parameters", JSON.stringify(reply));
      return ZSentMessage.parse(await callBot(context, token, method, { multipart: form })).message_id;
    });
    if (isCaption) text = "";
  }

  switch (outbound.contentType) {
    case "buttons": {
      const parsed = ZButtonsContent.safeParse(outbound.content);
      if (!parsed.success) {
        await sendText(fallbackText({ ...outbound, text }));
        break;
      }
      const { buttons, style } = parsed.data;
      const body = text || buttons.map((button) => button.title).join(" · ");
      // A reply keyboard answers with its title as plain text and cannot open links.
      if (style === "quick_replies" && buttons.every((button) => !button.url)) {
        await rememberKeyboard(
          context.storage,
          inbox,
          chatId,
          buttons.map((button) => ({ title: button.title, payload: button.payload ?? button.title })),
        );
        await sendText(body, {
          keyboard: buttons.map((button) => [{ text: button.title }]),
          one_time_keyboard: true,
          resize_keyboard: true,
        });
      } else {
        await sendText(body, await inlineKeyboard(buttons));
      }
      break;
    }
    case "cards": {
      const parsed = ZCardsContent.safeParse(outbound.content);
      if (!parsed.success) {
        await sendText(fallbackText({ ...outbound, text }));
        break;
      }
      if (text) await sendText(text);
      for (const card of parsed.data.cards) {
        const caption = [card.title, card.subtitle, card.url].filter(Boolean).join("\n").slice(0, CAPTION_MAX);
        const markup = card.buttons.length > 0 ? { reply_markup: await inlineKeyboard(card.buttons) } : {};
        // One part whichever way it goes, so a retry never sends a card twice.
        await sendPart(async (reply) => {
          if (card.imageUrl) {
            try {
              return await callJson("sendPhoto", { photo: card.imageUrl, caption, ...markup }, reply);
            } catch (error) {
              // Telegram could not fetch the picture: the card still goes, as text.
              if (!(error instanceof ChannelSendError) || error.retryable || error.code === "channel_auth") throw error;
            }
          }
          return callJson("sendMessage", { text: caption, ...markup }, reply);
        });
      }
      break;
    }
    case "location": {
      const parsed = ZLocationContent.safeParse(outbound.content);
      if (!parsed.success) {
        await sendText(fallbackText({ ...outbound, text }));
        break;
      }
      if (text) await sendText(text);
      const { latitude, longitude, name, address } = parsed.data;
      if (name && address) await call("sendVenue", { latitude, longitude, title: name, address });
      else await call("sendLocation", { latitude, longitude });
      break;
    }
    case "contact_card": {
      const parsed = ZContactCardContent.safeParse(outbound.content);
      const phone = parsed.success ? parsed.data.phones[0] : undefined;
      if (!parsed.success || !phone) {
        await sendText(fallbackText({ ...outbound, text }));
        break;
      }
      if (text) await sendText(text);
      await call("sendContact", { phone_number: phone, first_name: parsed.data.name });
      break;
    }
    default: {
      const body = outbound.contentType === "form" ? fallbackText({ ...outbound, text }) : text;
      if (body) await sendText(body);
    }
  }
  if (lastExternalId === null)
    throw new ChannelSendError({ message: "The message is empty; nothing was sent.", retryable: false });
  return { externalId: lastExternalId };
};

/** A reply quotes the Telegram message it answers, when that message is in the same chat. */
const replyParametersOf = (replyToExternalId: string | null, chatId: string): ReplyParameters | null => {
  if (!replyToExternalId) return null;
  const [chat, messageId] = replyToExternalId.split(":");
  if (chat !== chatId || !messageId || !/^\d+$/.test(messageId)) return null;
  return { message_id: Number(messageId), allow_sending_without_reply: true };
};
