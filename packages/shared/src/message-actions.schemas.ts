import { z } from "zod";
import { zPlainText } from "./text.schemas.ts";

/** Characters that make a string an emoji: pictographs, regional-indicator flags, keycaps. */
const EMOJI_CODEPOINT = /\p{Extended_Pictographic}|\p{Regional_Indicator}|\u20e3/u;

/** A reaction: a short string with at least one emoji in it (👍, ❤️, 🇫🇷, 👩‍💻). */
export const zEmoji = z
  .string()
  .min(1, { message: "Pick an emoji." })
  .max(16, { message: "Use at most 16 characters." })
  .refine((value) => EMOJI_CODEPOINT.test(value), { message: "Use an emoji." });

export const ZMessageParams = z.strictObject({ id: z.uuid({ message: "must be a message id" }) });
export const ZReactionParams = z.strictObject({ id: z.uuid({ message: "must be a message id" }), emoji: zEmoji });

export const ZEditMessageRequest = z.strictObject({ text: zPlainText({ max: 20_000, emptyMessage: "Write the new text." }) });
export type TEditMessageRequest = z.infer<typeof ZEditMessageRequest>;

/** One earlier version of an edited message. */
export const ZMessageEdit = z.object({
  id: z.uuid(),
  previousText: z.string(),
  previousContent: z.record(z.string(), z.unknown()),
  editedByUserId: z.uuid().nullable(),
  createdAt: z.iso.datetime(),
});
export const ZMessageEditList = z.object({ items: z.array(ZMessageEdit) });
export type TMessageEdit = z.infer<typeof ZMessageEdit>;

/** A private note that @mentioned the caller. */
export const ZMention = z.object({
  id: z.uuid(),
  messageId: z.uuid(),
  conversationId: z.uuid(),
  conversationNumber: z.number().int(),
  authorId: z.uuid().nullable(),
  /** The note's text; empty once the note was deleted. */
  text: z.string(),
  readAt: z.iso.datetime().nullable(),
  createdAt: z.iso.datetime(),
});
export type TMention = z.infer<typeof ZMention>;
export const ZMentionList = z.object({ items: z.array(ZMention) });
export const ZMentionListQuery = z.strictObject({
  unread: z.enum(["true", "false"]).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
});
export const ZMentionParams = z.strictObject({ id: z.uuid({ message: "must be a mention id" }) });

/** Widget → server: the visitor adds (or with `remove`, takes back) a reaction. */
export const ZVisitorReactRequest = z.strictObject({
  messageId: z.uuid(),
  emoji: zEmoji,
  remove: z.boolean().default(false),
});

/** Widget → server: the visitor has seen (read) or received (delivered) messages up to a seq. */
export const ZVisitorReceiptRequest = z.strictObject({
  conversationId: z.uuid(),
  upToSeq: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
});
export type TVisitorReceiptRequest = z.infer<typeof ZVisitorReceiptRequest>;

/** Widget → server: the visitor is (not) typing; the conversation defaults to their latest open one. */
export const ZVisitorTypingRequest = z.strictObject({ conversationId: z.uuid().optional(), isTyping: z.boolean() });
/** Widget → server: what the visitor is typing, before sending (agents only). */
export const ZSneakPeekRequest = z.strictObject({ conversationId: z.uuid().optional(), text: z.string().max(500) });
/** Server → agents: a visitor's draft. Not yet in the typed agent event map. */
export const ZSneakPeekEvent = z.object({ conversationId: z.uuid(), text: z.string() });

export const ZAttachmentDownloadParams = z.strictObject({ id: z.uuid({ message: "must be an attachment id" }) });
export const ZAttachmentDownloadQuery = z.strictObject({ token: z.string().min(1).max(2_000) });
