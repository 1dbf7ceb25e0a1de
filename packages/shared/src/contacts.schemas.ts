import { z } from "zod";
import { ZEmail } from "./auth.schemas.ts";
import { CONVERSATION_STATUSES, ZInboxSummary } from "./conversations.schemas.ts";

const MAX_CUSTOM_ATTRIBUTES = 50;

const zNoNul = (value: string) => !value.includes("\u0000");

const ZContactName = z
  .string()
  .trim()
  .min(1, { message: "Use a name, or null for none." })
  .max(200, { message: "Use at most 200 characters." })
  .refine(zNoNul, { message: "Remove the NUL character from this text." });

export const ZContactPhone = z
  .string()
  .trim()
  .regex(/^\+?[0-9 ()-]{5,20}$/, { message: 'Use a phone number such as "+44 20 7946 0958".' });

const ZAvatarUrl = z
  .url({ protocol: /^https?$/, message: "Use an http(s):// address for the avatar." })
  .max(2048, { message: "Use an address of at most 2048 characters." });

const ZAttributeValue = z.union([z.string().max(1000).refine(zNoNul), z.number().finite(), z.boolean(), z.null()], {
  message: "Attribute values are text, numbers, true/false or null.",
});

/** Free-form facts about the contact (plan, company …); flat, so every channel and filter can use them. */
export const ZCustomAttributes = z
  .record(z.string().trim().min(1).max(100).refine(zNoNul), ZAttributeValue)
  .refine((value) => Object.keys(value).length <= MAX_CUSTOM_ATTRIBUTES, {
    message: `Use at most ${MAX_CUSTOM_ATTRIBUTES} custom attributes.`,
  });

export const ZContactTag = z
  .string()
  .trim()
  .min(1, { message: "A tag cannot be empty." })
  .max(50, { message: "Use tags of at most 50 characters." })
  .refine(zNoNul, { message: "Remove the NUL character from this tag." });

const ZContactTags = z
  .array(ZContactTag)
  .max(50, { message: "Use at most 50 tags." })
  .transform((tags) => [...new Set(tags)]);

export const ZContact = z.object({
  id: z.uuid(),
  name: z.string().nullable(),
  email: z.string().nullable(),
  phone: z.string().nullable(),
  avatarUrl: z.string().nullable(),
  customAttributes: z.record(z.string(), z.unknown()),
  tags: z.array(z.string()),
  /** A website visitor who has not written or been named yet (listed with `kind=visitors`). */
  isAnonymous: z.boolean(),
  isBlocked: z.boolean(),
  blockedAt: z.iso.datetime().nullable(),
  lastSeenAt: z.iso.datetime().nullable(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});
export type TContact = z.infer<typeof ZContact>;

/** How the contact is known on one inbox (visitor id, PSID, phone …). */
export const ZContactIdentity = z.object({
  id: z.uuid(),
  inbox: ZInboxSummary,
  sourceId: z.string(),
  createdAt: z.iso.datetime(),
});

export const ZContactConversation = z.object({
  id: z.uuid(),
  number: z.number().int(),
  status: z.enum(CONVERSATION_STATUSES),
  inbox: ZInboxSummary,
  lastActivityAt: z.iso.datetime(),
});

/** A contact with its identities and the conversations the caller may see. */
export const ZContactDetail = ZContact.extend({
  identities: z.array(ZContactIdentity),
  conversations: z.array(ZContactConversation),
});
export type TContactDetail = z.infer<typeof ZContactDetail>;

export const ZContactParams = z.strictObject({ id: z.uuid({ message: "must be a contact id" }) });

export const ZContactListQuery = z.strictObject({
  /** Words matched as prefixes against name, email and phone. */
  search: z.string().trim().max(200).optional(),
  tag: ZContactTag.optional(),
  /** People (the default), anonymous website visitors, or both. */
  kind: z.enum(["people", "visitors", "all"]).default("people"),
  cursor: z.uuid({ message: "must be a cursor from a previous page" }).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(25),
});
export type TContactListQuery = z.infer<typeof ZContactListQuery>;

export const ZContactList = z.object({ items: z.array(ZContact), nextCursor: z.uuid().nullable() });
export type TContactList = z.infer<typeof ZContactList>;

export const ZCreateContactRequest = z.strictObject({
  name: ZContactName.nullable().default(null),
  email: ZEmail.nullable().default(null),
  phone: ZContactPhone.nullable().default(null),
  avatarUrl: ZAvatarUrl.nullable().default(null),
  customAttributes: ZCustomAttributes.default({}),
  tags: ZContactTags.default([]),
});
export type TCreateContactRequest = z.infer<typeof ZCreateContactRequest>;

/** Fields sent replace the stored ones (custom attributes and tags as a whole); null clears. */
export const ZUpdateContactRequest = z.strictObject({
  name: ZContactName.nullable().optional(),
  email: ZEmail.nullable().optional(),
  phone: ZContactPhone.nullable().optional(),
  avatarUrl: ZAvatarUrl.nullable().optional(),
  customAttributes: ZCustomAttributes.optional(),
  tags: ZContactTags.optional(),
});
export type TUpdateContactRequest = z.infer<typeof ZUpdateContactRequest>;
