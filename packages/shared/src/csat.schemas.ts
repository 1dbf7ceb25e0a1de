import { z } from "zod";

/** What the bot's CSAT request carries in `content` (contentType "form"). */
export const CSAT_SCALE = 5;

/** Widget event `csat.submit`: the visitor's answer to the latest rating request. */
export const ZCsatSubmit = z.strictObject({
  conversationId: z.uuid(),
  rating: z.number().int().min(1).max(CSAT_SCALE),
  comment: z.string().trim().max(2_000).optional(),
});
export type TCsatSubmit = z.infer<typeof ZCsatSubmit>;

export const ZCsatResponse = z.object({
  id: z.uuid(),
  conversationId: z.uuid(),
  /** Who had the conversation when it was rated. */
  assigneeId: z.uuid().nullable(),
  rating: z.number().int().min(1).max(CSAT_SCALE),
  comment: z.string(),
  createdAt: z.iso.datetime(),
});
export type TCsatResponse = z.infer<typeof ZCsatResponse>;

export const ZConversationCsat = z.object({ items: z.array(ZCsatResponse) });

export const ZCsatQuery = z.strictObject({
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
  inboxId: z.uuid().optional(),
});

export const ZCsatReport = z.object({
  items: z.array(ZCsatResponse),
  count: z.number().int(),
  /** Mean rating of the matching responses; null when there are none. */
  average: z.number().nullable(),
});
export type TCsatReport = z.infer<typeof ZCsatReport>;

/** Agent request: mail the conversation's transcript, by default to the contact's address. */
export const ZTranscriptRequest = z.strictObject({ email: z.email().max(320).optional() });

/** Widget event `transcript.request`. */
export const ZVisitorTranscriptRequest = z.strictObject({ conversationId: z.uuid(), email: z.email().max(320) });

export const ZTranscriptQueued = z.object({ email: z.string() });
