import { z } from "zod";

export const SEARCH_TYPES = ["messages", "contacts", "all"] as const;

export const ZSearchQuery = z.strictObject({
  q: z.string().trim().min(1, { message: "Type something to search for." }).max(200, { message: "Use at most 200 characters." }),
  type: z.enum(SEARCH_TYPES).default("all"),
  inboxId: z.uuid().optional(),
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
  sender: z.enum(["contact", "agent"]).optional(),
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(50).default(20),
});
export type TSearchQuery = z.infer<typeof ZSearchQuery>;

/** A message that matches; `highlight` is HTML-escaped text with matches in <mark>…</mark>. */
export const ZSearchMessageHit = z.object({
  messageId: z.uuid(),
  seq: z.number().int(),
  senderType: z.string(),
  senderId: z.uuid().nullable(),
  isPrivate: z.boolean(),
  highlight: z.string(),
  createdAt: z.iso.datetime(),
  conversation: z.object({ id: z.uuid(), number: z.number().int(), status: z.string() }),
  inbox: z.object({ id: z.uuid(), name: z.string() }),
  contact: z.object({ id: z.uuid(), name: z.string().nullable(), email: z.string().nullable() }),
});
export type TSearchMessageHit = z.infer<typeof ZSearchMessageHit>;

export const ZSearchContactHit = z.object({
  id: z.uuid(),
  name: z.string().nullable(),
  email: z.string().nullable(),
  phone: z.string().nullable(),
  createdAt: z.iso.datetime(),
});
export type TSearchContactHit = z.infer<typeof ZSearchContactHit>;

/** `nextCursor` pages messages (type messages or all) or contacts (type contacts). */
export const ZSearchResponse = z.object({
  messages: z.array(ZSearchMessageHit),
  contacts: z.array(ZSearchContactHit),
  nextCursor: z.string().nullable(),
});
export type TSearchResponse = z.infer<typeof ZSearchResponse>;
