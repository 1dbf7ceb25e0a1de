import { z } from "zod";
import { CONVERSATION_SORTS, ZConversationListFilter } from "./conversation-list.schemas.ts";
import { CONVERSATION_PRIORITIES, CONVERSATION_STATUSES } from "./conversations.schemas.ts";
import { zPlainText } from "./text.schemas.ts";

export const SAVED_VIEW_NAME_MAX_LENGTH = 60;
/** How many views one member may keep (private and shared together). */
export const MAX_SAVED_VIEWS_PER_OWNER = 50;

const ZSavedViewName = zPlainText({ max: SAVED_VIEW_NAME_MAX_LENGTH, emptyMessage: "Name the view." });

/**
 * A stored filter as the API answers it: the list filter after parsing (lists are arrays, flags
 * booleans). Responses are encoded, and the request schema's string-splitting steps only run one way.
 */
export const ZSavedViewFilter = z.object({
  ...ZConversationListFilter.omit({
    status: true,
    priority: true,
    unread: true,
    hasUnanswered: true,
    missed: true,
    archived: true,
  }).shape,
  status: z.array(z.enum(CONVERSATION_STATUSES)).optional(),
  priority: z.array(z.enum(CONVERSATION_PRIORITIES)).optional(),
  unread: z.boolean().optional(),
  hasUnanswered: z.boolean().optional(),
  missed: z.boolean().optional(),
  archived: z.boolean().optional(),
});

export const ZSavedView = z.object({
  id: z.uuid(),
  name: z.string(),
  filter: ZSavedViewFilter,
  sort: z.enum(CONVERSATION_SORTS),
  /** Shared views are listed for every member; each member still sees only the conversations they may see. */
  shared: z.boolean(),
  position: z.number().int(),
  ownerId: z.uuid(),
  ownerName: z.string().nullable(),
  /** The caller owns the view. */
  mine: z.boolean(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});
export type TSavedView = z.infer<typeof ZSavedView>;

export const ZSavedViewList = z.object({ items: z.array(ZSavedView) });

/** Open and pending, not archived conversations matching each view, for the caller, by view id. */
export const ZSavedViewCounts = z.record(z.uuid(), z.number().int());
export type TSavedViewCounts = z.infer<typeof ZSavedViewCounts>;

export const ZSavedViewParams = z.strictObject({ id: z.uuid({ message: "must be a saved view id" }) });

export const ZCreateSavedViewRequest = z.strictObject({
  name: ZSavedViewName,
  filter: ZConversationListFilter,
  sort: z.enum(CONVERSATION_SORTS).default("latest"),
  /** Sharing with the workspace needs `views.manage_shared`. */
  shared: z.boolean().default(false),
});
export type TCreateSavedViewRequest = z.infer<typeof ZCreateSavedViewRequest>;

export const ZUpdateSavedViewRequest = z
  .strictObject({
    name: ZSavedViewName.optional(),
    filter: ZConversationListFilter.optional(),
    sort: z.enum(CONVERSATION_SORTS).optional(),
    shared: z.boolean().optional(),
    position: z.number().int().min(0).max(10_000).optional(),
  })
  .refine((body) => Object.values(body).some((value) => value !== undefined), {
    message: "change the name, filter, sort, sharing or position",
  });
export type TUpdateSavedViewRequest = z.infer<typeof ZUpdateSavedViewRequest>;
