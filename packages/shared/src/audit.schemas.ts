import { z } from "zod";

export const ZAuditEntry = z.object({
  id: z.uuid(),
  actor: z.object({ type: z.enum(["user", "api_key", "system"]), id: z.uuid().nullable(), label: z.string() }),
  action: z.string(),
  target: z.object({ type: z.string(), id: z.string().nullable(), label: z.string().nullable() }),
  before: z.unknown().nullable(),
  after: z.unknown().nullable(),
  ip: z.string().nullable(),
  userAgent: z.string().nullable(),
  createdAt: z.iso.datetime(),
});
export type TAuditEntry = z.infer<typeof ZAuditEntry>;

/** A search box value: empty means no filter. */
const ZAuditSearch = z
  .string()
  .trim()
  .max(200, { message: "Use at most 200 characters." })
  .refine((value) => !value.includes("\u0000"), { message: "Remove the NUL character from this text." });

const ZAuditDate = z.iso.datetime({ offset: true, message: "Use an ISO 8601 date and time, e.g. 2030-01-31T00:00:00Z." });

const auditFilterFields = {
  actorId: z.uuid({ message: "must be a member or API key id" }).optional(),
  actorType: z.enum(["user", "api_key", "system"]).optional(),
  /** An exact action (`member.role_changed`) or a whole domain (`member.*`). */
  action: z
    .string()
    .trim()
    .max(100)
    .regex(/^[a-z0-9_]+(\.[a-z0-9_]+)*(\.\*)?$/, { message: "Use an action name such as member.role_changed, or member.*" })
    .optional(),
  targetType: z
    .string()
    .trim()
    .max(100)
    .regex(/^[a-z0-9_]+$/, { message: "Use a target type such as member or api_key" })
    .optional(),
  targetId: z.string().trim().min(1).max(200).optional(),
  /** Inclusive. */
  from: ZAuditDate.optional(),
  /** Exclusive. */
  to: ZAuditDate.optional(),
  /** Matches the action, the actor's label and the target's label or id. */
  search: ZAuditSearch.optional(),
};

const isRangeOrdered = (query: { from?: string | undefined; to?: string | undefined }) =>
  query.from === undefined || query.to === undefined || Date.parse(query.from) < Date.parse(query.to);
const RANGE_PROBLEM = { message: "The start of the range must come before its end.", path: ["from"] };

export const ZAuditLogFilter = z.strictObject(auditFilterFields).refine(isRangeOrdered, RANGE_PROBLEM);
export type TAuditLogFilter = z.infer<typeof ZAuditLogFilter>;

export const ZAuditLogQuery = z
  .strictObject({
    ...auditFilterFields,
    cursor: z.uuid({ message: "use the nextCursor value from the previous page" }).optional(),
    limit: z.coerce.number().int().min(1).max(100).default(50),
  })
  .refine(isRangeOrdered, RANGE_PROBLEM);
export type TAuditLogQuery = z.infer<typeof ZAuditLogQuery>;

export const ZAuditLogPage = z.object({
  items: z.array(ZAuditEntry),
  nextCursor: z.string().nullable(),
});
export type TAuditLogPage = z.infer<typeof ZAuditLogPage>;
