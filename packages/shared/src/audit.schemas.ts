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
