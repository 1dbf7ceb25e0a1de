import type { ContentType } from "../../messages/messages.tables.ts";
import type { ChannelContext, ChannelInbox, InboundMedia, NormalizedEvent, SenderProfile } from "../channel-adapter.ts";
import { BOT_DOWNLOAD_LIMIT_BYTES, callBot, downloadBotFile, downloadProfilePhoto } from "./telegram-api.ts";
import { matchKeyboardChoice, payloadOfCallbackData } from "./telegram-keys.ts";
import {
  isPrivateChat,
  messageExternalId,
  type TTelegramMessage,
  type TTelegramUpdate,
  ZTelegramUpdate,
} from "./telegram-updates.ts";

type MessageEvent = Extract<NormalizedEvent, { kind: "message" }>;
type Described = Pick<MessageEvent, "contentType" | "text"> & { content: Record<string, unknown>; media: InboundMedia[] };

const EXTENSION_BY_MIME: Record<string, string> = {
  "image/jpeg": "jpg",
  "image/png": "png",
  "image/webp": "webp",
  "image/gif": "gif",
  "application/pdf": "pdf",
  "audio/mpeg": "mp3",
  "audio/ogg": "ogg",
  "audio/opus": "ogg",
  "video/mp4": "mp4",
  "video/webm": "webm",
};

/** A name our storage accepts: the sender's own when given, else one built from the kind and MIME type. */
const fileNameOf = (given: string | undefined, base: string, mimeType: string | undefined): string => {
  if (given && given.trim() !== "") return given;
  const extension = mimeType ? EXTENSION_BY_MIME[mimeType.split(";")[0]?.trim() ?? ""] : undefined;
  return extension ? `${base}.${extension}` : base;
};

const profileOf = (user: { first_name?: string | undefined; last_name?: string | undefined; username?: string | undefined }) => {
  const name = [user.first_name, user.last_name].filter((part) => part && part.trim() !== "").join(" ");
  const profile: SenderProfile = { name: name || (user.username ? `@${user.username}` : null) };
  return profile;
};

/**
 * Updates carry names but no picture: the processing job fetches the sender's photo through the
 * Bot API, only while their contact has none (see applyProfilePicture).
 */
const pictureOf = (userId: number, sourceId: string, inbox: ChannelInbox, context: ChannelContext): NormalizedEvent => ({
  kind: "profile",
  sourceId,
  profile: {},
  picture: { fetch: () => downloadProfilePhoto(context, inbox.secrets.botToken ?? "", userId) },
});

const megabytes = (bytes: number) => `${Math.ceil(bytes / 1_048_576)} MB`;

/**
 * Describes what a message carries. Files are fetched later by the processing job through the
 * returned media; a file over the Bot API's download limit is named in the text instead.
 */
const describeMessage = (message: TTelegramMessage, inbox: ChannelInbox, context: ChannelContext): Described => {
  const token = inbox.secrets.botToken ?? "";
  const text = message.text ?? message.caption ?? "";
  const notes: string[] = [];
  const media: InboundMedia[] = [];
  const content: Record<string, unknown> = {};
  const addFile = (file: { file_id: string; file_size?: number | undefined }, fileName: string) => {
    if (file.file_size !== undefined && file.file_size > BOT_DOWNLOAD_LIMIT_BYTES) {
      notes.push(`[${fileName} (${megabytes(file.file_size)}) is too large for bots to download; open it in Telegram]`);
      return;
    }
    media.push({ fileName, fetch: () => downloadBotFile(context, token, file.file_id) });
  };
  const id = message.message_id;
  let contentType: ContentType = "text";
  const finish = (body: string): Described => ({
    contentType,
    text: [body, ...notes].filter((part) => part !== "").join("\n"),
    content,
    media,
  });

  if (message.photo && message.photo.length > 0) {
    // Telegram sends every size it made; the last is the largest, but compare to be sure.
    const largest = message.photo.reduce((best, size) =>
      (size.width ?? 0) * (size.height ?? 0) > (best.width ?? 0) * (best.height ?? 0) ? size : best,
    );
    contentType = "image";
    addFile(largest, `photo-${id}.jpg`);
  } else if (message.sticker) {
    const sticker = message.sticker;
    contentType = "image";
    const thumbnail = sticker.thumbnail ?? sticker.thumb;
    // Animated (.tgs) and video stickers are not images; their still thumbnail stands in.
    if (!sticker.is_animated && !sticker.is_video) addFile(sticker, `sticker-${id}.webp`);
    else if (thumbnail) addFile(thumbnail, `sticker-${id}`);
    content.sticker = { emoji: sticker.emoji ?? null };
    return finish(sticker.emoji ?? text);
  } else if (message.animation) {
    contentType = "video";
    addFile(message.animation, fileNameOf(message.animation.file_name, `animation-${id}`, message.animation.mime_type));
  } else if (message.video) {
    contentType = "video";
    addFile(message.video, fileNameOf(message.video.file_name, `video-${id}`, message.video.mime_type ?? "video/mp4"));
  } else if (message.video_note) {
    contentType = "video";
    addFile(message.video_note, `video-note-${id}.mp4`);
  } else if (message.voice) {
    contentType = "audio";
    addFile(message.voice, fileNameOf(undefined, `voice-${id}`, message.voice.mime_type ?? "audio/ogg"));
  } else if (message.audio) {
    contentType = "audio";
    addFile(message.audio, fileNameOf(message.audio.file_name, `audio-${id}`, message.audio.mime_type));
  } else if (message.document) {
    contentType = "file";
    addFile(message.document, fileNameOf(message.document.file_name, `document-${id}`, message.document.mime_type));
  } else if (message.location) {
    contentType = "location";
    Object.assign(content, {
      latitude: message.location.latitude,
      longitude: message.location.longitude,
      ...(message.venue?.title ? { name: message.venue.title } : {}),
      ...(message.venue?.address ? { address: message.venue.address } : {}),
    });
  } else if (message.contact) {
    const name =
      [message.contact.first_name, message.contact.last_name].filter(Boolean).join(" ") || message.contact.phone_number;
    contentType = "contact_card";
    Object.assign(content, { name, phones: [message.contact.phone_number], emails: [] });
    return finish(name);
  } else if (message.poll) {
    notes.push(`[A poll: ${message.poll.question ?? ""}]`);
  } else if (message.dice) {
    notes.push(`[${message.dice.emoji ?? "🎲"} ${message.dice.value ?? ""}]`);
  } else if (message.game) {
    notes.push(`[A game: ${message.game.title ?? ""}]`);
  }
  return finish(text);
};

/** `/start <payload>` is how deep links (t.me/<bot>?start=<payload>) open a chat; the payload says where from. */
const startPayloadOf = (text: string): string | null => {
  const match = /^\/start(?:@\w+)?\s+(\S.*)$/s.exec(text.trim());
  return match?.[1] ? match[1].trim() : null;
};

const isEmpty = (described: Described) =>
  described.text === "" && described.media.length === 0 && Object.keys(described.content).length === 0;

const inboundMessage = async (
  message: TTelegramMessage,
  inbox: ChannelInbox,
  context: ChannelContext,
): Promise<NormalizedEvent[]> => {
  if (!isPrivateChat(message.chat) || message.from?.is_bot) return [];
  const described = describeMessage(message, inbox, context);
  // Service messages (a pinned message, a changed chat photo) carry nothing to answer.
  if (isEmpty(described)) return [];
  const chatId = String(message.chat.id);
  const content = { ...described.content };
  const startPayload = described.contentType === "text" ? startPayloadOf(described.text) : null;
  if (startPayload) content.startPayload = startPayload;
  if (described.contentType === "text" && described.text.length <= 80 && !described.text.startsWith("/")) {
    const choice = await matchKeyboardChoice(context.storage, inbox, chatId, described.text);
    if (choice) content.postback = { payload: choice.payload, title: choice.title };
  }
  return [
    {
      kind: "message",
      externalId: messageExternalId(chatId, message.message_id),
      direction: "in",
      sourceId: chatId,
      profile: profileOf(message.from ?? message.chat),
      contentType: described.contentType,
      text: described.text,
      content,
      media: described.media,
      replyToExternalId: message.reply_to_message
        ? messageExternalId(message.reply_to_message.chat?.id ?? chatId, message.reply_to_message.message_id)
        : null,
      ...(message.date ? { sentAt: new Date(message.date * 1000) } : {}),
    },
    // In a private chat the chat id is the user's id.
    pictureOf(message.from?.id ?? message.chat.id, chatId, inbox, context),
  ];
};

/** A pressed inline button: the contact's answer, with the title the button showed. */
const callbackAnswer = async (
  callback: NonNullable<TTelegramUpdate["callback_query"]>,
  inbox: ChannelInbox,
  context: ChannelContext,
): Promise<NormalizedEvent[]> => {
  const token = inbox.secrets.botToken ?? "";
  // Telegram shows a spinner on the button until the bot answers; a failure here must not lose the reply.
  await callBot(context, token, "answerCallbackQuery", { json: { callback_query_id: callback.id } }).catch((error: unknown) =>
    context.logger.debug({ err: error, inboxId: inbox.id }, "answerCallbackQuery failed"),
  );
  if (callback.data === undefined) return [];
  const chat = callback.message?.chat ?? { id: callback.from.id, type: "private" as const };
  if (!isPrivateChat(chat) || callback.from.is_bot) return [];
  const payload = await payloadOfCallbackData(context.storage, inbox, callback.data);
  const button = callback.message?.reply_markup?.inline_keyboard
    ?.flat()
    .find((candidate) => candidate.callback_data === callback.data);
  const title = button?.text ?? payload;
  return [
    {
      kind: "message",
      externalId: `callback:${callback.id}`,
      direction: "in",
      sourceId: String(chat.id),
      profile: profileOf(callback.from),
      contentType: "text",
      text: title,
      content: { postback: { payload, title } },
      replyToExternalId: callback.message ? messageExternalId(chat.id, callback.message.message_id) : null,
    },
    pictureOf(callback.from.id, String(chat.id), inbox, context),
  ];
};

/** Turns one stored update into Parley events. */
export const parseTelegramUpdate = async (
  payload: unknown,
  inbox: ChannelInbox,
  context: ChannelContext,
): Promise<NormalizedEvent[]> => {
  const update = ZTelegramUpdate.parse(payload);
  if (update.message) return inboundMessage(update.message, inbox, context);
  if (update.edited_message) {
    const edited = update.edited_message;
    const text = edited.text ?? edited.caption;
    // Live locations arrive as edits without text; there is nothing to rewrite.
    if (!isPrivateChat(edited.chat) || text === undefined) return [];
    return [{ kind: "edit", externalId: messageExternalId(edited.chat.id, edited.message_id), text }];
  }
  if (update.callback_query) return callbackAnswer(update.callback_query, inbox, context);
  if (update.message_reaction) {
    const reaction = update.message_reaction;
    if (!isPrivateChat(reaction.chat)) return [];
    const emoji = reaction.new_reaction.filter((item) => item.type === "emoji" && item.emoji).at(-1)?.emoji ?? null;
    // A custom-emoji reaction has no character we can show; leave the current one as it is.
    if (emoji === null && reaction.new_reaction.length > 0) return [];
    return [
      {
        kind: "reaction",
        sourceId: String(reaction.chat.id),
        targetExternalId: messageExternalId(reaction.chat.id, reaction.message_id),
        emoji,
      },
    ];
  }
  return [];
};
