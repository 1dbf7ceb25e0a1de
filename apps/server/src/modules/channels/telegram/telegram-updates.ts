import { z } from "zod";
import { ZTelegramUser } from "./telegram-api.ts";

/**
 * The parts of a Bot API Update Parley reads (https://core.telegram.org/bots/api#update).
 * Objects stay loose: Telegram adds fields often, and an unknown field must never drop a message.
 */
const ZChat = z.object({
  id: z.number(),
  /** Always sent today; the oldest documented examples leave it out for private chats. */
  /** private, group, supergroup or channel; kept open so a new kind never makes an update unreadable. */
  type: z.string().optional(),
  title: z.string().optional(),
  username: z.string().optional(),
  first_name: z.string().optional(),
  last_name: z.string().optional(),
});

const ZFileRef = z.object({
  file_id: z.string(),
  file_unique_id: z.string().optional(),
  file_size: z.number().optional(),
});
const ZPhotoSize = ZFileRef.extend({ width: z.number().optional(), height: z.number().optional() });
const ZNamedFile = ZFileRef.extend({ file_name: z.string().optional(), mime_type: z.string().optional() });

const ZMessageFields = {
  message_id: z.number(),
  date: z.number().optional(),
  chat: ZChat,
  from: ZTelegramUser.optional(),
  text: z.string().optional(),
  caption: z.string().optional(),
  photo: z.array(ZPhotoSize).optional(),
  document: ZNamedFile.optional(),
  animation: ZNamedFile.optional(),
  video: ZNamedFile.optional(),
  video_note: ZFileRef.optional(),
  voice: ZNamedFile.optional(),
  audio: ZNamedFile.extend({ title: z.string().optional(), performer: z.string().optional() }).optional(),
  sticker: ZFileRef.extend({
    emoji: z.string().optional(),
    is_animated: z.boolean().optional(),
    is_video: z.boolean().optional(),
    thumbnail: ZPhotoSize.optional(),
    thumb: ZPhotoSize.optional(),
  }).optional(),
  location: z.object({ latitude: z.number(), longitude: z.number() }).optional(),
  venue: z.object({ title: z.string().optional(), address: z.string().optional() }).optional(),
  contact: z
    .object({
      phone_number: z.string(),
      first_name: z.string().optional(),
      last_name: z.string().optional(),
      user_id: z.number().optional(),
    })
    .optional(),
  poll: z.object({ question: z.string().optional() }).optional(),
  dice: z.object({ emoji: z.string().optional(), value: z.number().optional() }).optional(),
  game: z.object({ title: z.string().optional() }).optional(),
  edit_date: z.number().optional(),
  reply_markup: z
    .object({
      inline_keyboard: z
        .array(z.array(z.object({ text: z.string(), callback_data: z.string().optional(), url: z.string().optional() })))
        .optional(),
    })
    .optional(),
};
export const ZTelegramMessage = z.object({
  ...ZMessageFields,
  reply_to_message: z.object({ message_id: z.number(), chat: ZChat.optional() }).optional(),
});
export type TTelegramMessage = z.infer<typeof ZTelegramMessage>;

const ZReactionType = z.object({ type: z.string(), emoji: z.string().optional() });

export const ZTelegramUpdate = z.object({
  update_id: z.number().int(),
  message: ZTelegramMessage.optional(),
  edited_message: ZTelegramMessage.optional(),
  callback_query: z
    .object({
      id: z.string(),
      from: ZTelegramUser,
      /** Absent for buttons under inline-mode messages, which are not in a chat with the bot. */
      message: ZTelegramMessage.optional(),
      inline_message_id: z.string().optional(),
      data: z.string().optional(),
    })
    .optional(),
  message_reaction: z
    .object({
      chat: ZChat,
      message_id: z.number(),
      user: ZTelegramUser.optional(),
      new_reaction: z.array(ZReactionType).default([]),
    })
    .optional(),
});
export type TTelegramUpdate = z.infer<typeof ZTelegramUpdate>;

/** What the bot asks Telegram to deliver; everything else (inline queries, polls) it never hears of. */
export const ALLOWED_UPDATES = ["message", "edited_message", "callback_query", "message_reaction"] as const;

/** Only one-to-one chats become conversations: a bot in a group hears the whole group. */
export const isPrivateChat = (chat: { id: number; type?: string | undefined }): boolean =>
  chat.type === "private" || (chat.type === undefined && chat.id > 0);

export const messageExternalId = (chatId: number | string, messageId: number | string): string => `${chatId}:${messageId}`;
