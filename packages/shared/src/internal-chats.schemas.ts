import { z } from "zod";

export const INTERNAL_CHAT_KINDS = ["direct", "team"] as const;

export const ZInternalMessage = z.object({
  id: z.uuid(),
  seq: z.number().int(),
  channelId: z.uuid(),
  senderId: z.uuid(),
  text: z.string(),
  clientId: z.string().nullable(),
  createdAt: z.iso.datetime(),
});
export type TInternalMessage = z.infer<typeof ZInternalMessage>;

export const ZInternalChat = z.object({
  id: z.uuid(),
  kind: z.enum(INTERNAL_CHAT_KINDS),
  teamId: z.uuid().nullable(),
  /** The other member's name for a direct chat, the team's name for a team chat. */
  title: z.string(),
  memberUserIds: z.array(z.uuid()),
  lastMessage: ZInternalMessage.nullable(),
  /** Others' messages after the caller's read mark. */
  unreadCount: z.number().int(),
  lastReadSeq: z.number().int(),
});
export type TInternalChat = z.infer<typeof ZInternalChat>;

export const ZInternalChatList = z.object({ items: z.array(ZInternalChat) });
export const ZInternalChatParams = z.strictObject({ id: z.uuid({ message: "must be an internal chat id" }) });

export const ZOpenDirectChatRequest = z.strictObject({ userId: z.uuid() });
export const ZOpenTeamChatRequest = z.strictObject({ teamId: z.uuid() });

export const ZInternalMessagesQuery = z.strictObject({
  before: z.coerce.number().int().min(1).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
});

export const ZInternalMessagePage = z.object({ items: z.array(ZInternalMessage), hasOlder: z.boolean() });

export const ZSendInternalMessageRequest = z.strictObject({
  /** The sender's id for this message: sending twice with it stores it once. */
  clientId: z.string().min(1).max(100),
  text: z.string().trim().min(1).max(10_000),
});

/** Agent socket event `internal.send`: the same as the HTTP send, with realtime delivery to members. */
export const ZInternalSendEvent = ZSendInternalMessageRequest.extend({ channelId: z.uuid() });

export const ZMarkInternalReadRequest = z.strictObject({ upToSeq: z.number().int().min(0) });
export const ZInternalReadState = z.object({ lastReadSeq: z.number().int(), unreadCount: z.number().int() });

/** Server event `internal.message` on agent sockets of the chat's members. */
export const ZInternalMessageEvent = z.object({ message: ZInternalMessage });
