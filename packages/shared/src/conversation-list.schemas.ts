import { z } from "zod";
import { CONVERSATION_PRIORITIES, CONVERSATION_STATUSES, INBOX_TYPES, ZConversation } from "./conversations.schemas.ts";

/** A query-string flag ("true"/"false") or a JSON boolean (bulk filters). */
const ZFlag = z.union([z.boolean(), z.enum(["true", "false"]).transform((value) => value === "true")]);

/** One value or several: repeated query parameters, a comma-separated list, or a JSON array. */
const oneOrMany = <Schema extends z.ZodType>(item: Schema) =>
  z.preprocess((value) => (typeof value === "string" ? value.split(",").filter(Boolean) : value), z.array(item).min(1).max(20));

export const CONVERSATION_VIEWS = ["mine", "unassigned", "all", "mentions"] as const;
export const CONVERSATION_SORTS = ["latest", "created", "priority", "waiting"] as const;

/** Which conversations a list (or a bulk action's filter selection) covers; always within what the caller may see. */
export const ZConversationListFilter = z.strictObject({
  status: oneOrMany(z.enum(CONVERSATION_STATUSES)).optional(),
  inboxId: z.uuid().optional(),
  assigneeId: z.uuid().optional(),
  /** `me` = the caller, `unassigned` = nobody. */
  assignee: z.enum(["me", "unassigned"]).optional(),
  teamId: z.uuid().optional(),
  label: z.string().min(1).max(100).optional(),
  priority: oneOrMany(z.enum(CONVERSATION_PRIORITIES)).optional(),
  /** The inbox type. */
  channel: z.enum(INBOX_TYPES).optional(),
  /** Contact messages the caller has not read yet. */
  unread: ZFlag.optional(),
  /** Created from / to. */
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
  /** A contact message waits for an answer. */
  hasUnanswered: ZFlag.optional(),
  missed: ZFlag.optional(),
  archived: ZFlag.optional(),
  view: z.enum(CONVERSATION_VIEWS).optional(),
});
export type TConversationListFilter = z.infer<typeof ZConversationListFilter>;

export const ZConversationListQuery = ZConversationListFilter.extend({
  sort: z.enum(CONVERSATION_SORTS).default("latest"),
  cursor: z.string().max(500, { message: "use the nextCursor value from the previous page" }).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(25),
});
export type TConversationListQuery = z.infer<typeof ZConversationListQuery>;

export const ZConversationPage = z.object({
  items: z.array(ZConversation),
  nextCursor: z.string().nullable(),
});
export type TConversationPage = z.infer<typeof ZConversationPage>;

/** Open and pending, not archived conversations per view, for the caller. */
export const ZConversationCounts = z.object({
  mine: z.number().int(),
  unassigned: z.number().int(),
  all: z.number().int(),
  mentions: z.number().int(),
});
export type TConversationCounts = z.infer<typeof ZConversationCounts>;

/** Statuses an agent sets directly; snoozing has its own request. */
export const SETTABLE_STATUSES = ["open", "pending", "resolved", "closed"] as const;

export const ZChangeStatusRequest = z.strictObject({ status: z.enum(SETTABLE_STATUSES) });
export type TChangeStatusRequest = z.infer<typeof ZChangeStatusRequest>;

export const ZSnoozeRequest = z.strictObject({
  /** Null or absent: until the contact writes again. */
  until: z.iso.datetime({ offset: true }).nullable().default(null),
});
export type TSnoozeRequest = z.infer<typeof ZSnoozeRequest>;

export const ZUpdateConversationRequest = z
  .strictObject({
    priority: z.enum(CONVERSATION_PRIORITIES).optional(),
    labels: z.array(z.string().trim().min(1).max(100)).max(50).optional(),
  })
  .refine((body) => body.priority !== undefined || body.labels !== undefined, {
    message: "change the priority or the labels",
  });
export type TUpdateConversationRequest = z.infer<typeof ZUpdateConversationRequest>;

export const ZBulkAction = z.discriminatedUnion("type", [
  z.strictObject({ type: z.literal("assign"), assigneeId: z.uuid() }),
  z.strictObject({ type: z.literal("unassign") }),
  z.strictObject({ type: z.literal("label_add"), label: z.string().trim().min(1).max(100) }),
  z.strictObject({ type: z.literal("label_remove"), label: z.string().trim().min(1).max(100) }),
  z.strictObject({ type: z.literal("status"), status: z.enum(SETTABLE_STATUSES) }),
  z.strictObject({ type: z.literal("priority"), priority: z.enum(CONVERSATION_PRIORITIES) }),
]);
export type TBulkAction = z.infer<typeof ZBulkAction>;

export const ZBulkSelection = z.union([
  z.strictObject({ ids: z.array(z.uuid()).min(1).max(10_000) }),
  z.strictObject({ filter: ZConversationListFilter }),
]);
export type TBulkSelection = z.infer<typeof ZBulkSelection>;

export const ZBulkRequest = z.strictObject({ action: ZBulkAction, selection: ZBulkSelection });
export type TBulkRequest = z.infer<typeof ZBulkRequest>;

export const ZBulkAccepted = z.object({ operationId: z.uuid() });

export const BULK_STATUSES = ["queued", "running", "done", "failed"] as const;

/** A bulk operation's progress; also the payload of the `bulk.progress` socket event to the requester. */
export const ZBulkProgress = z.object({
  operationId: z.uuid(),
  status: z.enum(BULK_STATUSES),
  total: z.number().int(),
  processed: z.number().int(),
  failed: z.number().int(),
});
export type TBulkProgress = z.infer<typeof ZBulkProgress>;
