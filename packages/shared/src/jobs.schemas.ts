import { z } from "zod";

export const ZDeadLetterJob = z.object({
  id: z.uuid(),
  task: z.string(),
  payload: z.unknown(),
  attempts: z.number().int(),
  lastError: z.string(),
  failedAt: z.iso.datetime(),
  retriedAt: z.iso.datetime().nullable(),
});
export type TDeadLetterJob = z.infer<typeof ZDeadLetterJob>;

export const ZCursorQuery = z.strictObject({
  cursor: z.uuid({ message: "use the nextCursor value from the previous page" }).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(25),
});

export const ZDeadLetterPage = z.object({
  items: z.array(ZDeadLetterJob),
  nextCursor: z.string().nullable(),
});
export type TDeadLetterPage = z.infer<typeof ZDeadLetterPage>;
