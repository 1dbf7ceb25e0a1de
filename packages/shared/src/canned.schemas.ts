import { z } from "zod";

export const CANNED_SCOPES = ["personal", "shared"] as const;

/** Typed after "/" in the composer: lowercase letters, digits, "_" and "-". */
export const zCannedShortcut = z.string().regex(/^[a-z0-9_-]{1,40}$/, "use 1–40 lowercase letters, digits, _ or -");

export const ZCannedResponse = z.object({
  id: z.uuid(),
  scope: z.enum(CANNED_SCOPES),
  /** The owner of a personal response; null for shared ones. */
  ownerUserId: z.uuid().nullable(),
  shortcut: z.string(),
  /** May use {{contact.name}}, {{contact.email}}, {{agent.name}}, {{conversation.number}}, {{contact.custom.<key>}}. */
  content: z.string(),
  attachmentIds: z.array(z.uuid()),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});
export type TCannedResponse = z.infer<typeof ZCannedResponse>;

export const ZCannedResponseList = z.object({ items: z.array(ZCannedResponse) });

export const ZCannedResponseQuery = z.strictObject({ search: z.string().trim().max(100).optional() });

export const ZCreateCannedResponseRequest = z.strictObject({
  scope: z.enum(CANNED_SCOPES).default("personal"),
  shortcut: zCannedShortcut,
  content: z.string().trim().min(1).max(10_000),
  attachmentIds: z.array(z.uuid()).max(10).default([]),
});
export type TCreateCannedResponseRequest = z.infer<typeof ZCreateCannedResponseRequest>;

export const ZUpdateCannedResponseRequest = z.strictObject({
  shortcut: zCannedShortcut.optional(),
  content: z.string().trim().min(1).max(10_000).optional(),
  attachmentIds: z.array(z.uuid()).max(10).optional(),
});
export type TUpdateCannedResponseRequest = z.infer<typeof ZUpdateCannedResponseRequest>;

export const ZCannedResponseParams = z.strictObject({ id: z.uuid({ message: "must be a canned response id" }) });

export const ZRenderCannedResponseRequest = z.strictObject({ conversationId: z.uuid() });

export const ZRenderedCannedResponse = z.object({
  text: z.string(),
  /** Variables that had no value (or are unknown); they render as empty text. */
  missing: z.array(z.string()),
  attachmentIds: z.array(z.uuid()),
});
export type TRenderedCannedResponse = z.infer<typeof ZRenderedCannedResponse>;
