import type { TDeadLetterJob, TDeadLetterPage } from "@parley/shared";
import { and, desc, eq, isNull, lt, sql } from "drizzle-orm";
import type { Database, DatabaseOrTransaction } from "../db.ts";
import { AppError } from "../errors.ts";
import { deadLetterJobs } from "./dead-letter.tables.ts";

export type DeadLetterInput = {
  queueJobId: string;
  task: string;
  payload: unknown;
  attempts: number;
  maxAttempts: number;
  error: string;
};

/** Jobs carry their tenant as `workspaceId` in the payload so their failures are shown to that workspace only. */
const workspaceIdOf = (payload: unknown): string | null => {
  if (typeof payload !== "object" || payload === null || !("workspaceId" in payload)) return null;
  const value = payload.workspaceId;
  return typeof value === "string" && /^[0-9a-f-]{36}$/i.test(value) ? value : null;
};

export const recordDeadLetter = async (db: DatabaseOrTransaction, input: DeadLetterInput): Promise<void> => {
  await db
    .insert(deadLetterJobs)
    .values({
      workspaceId: workspaceIdOf(input.payload),
      task: input.task,
      payload: input.payload ?? null,
      attempts: input.attempts,
      maxAttempts: input.maxAttempts,
      lastError: input.error.slice(0, 4000),
      queueJobId: input.queueJobId,
    })
    .onConflictDoNothing({ target: deadLetterJobs.queueJobId });
};

const toDeadLetterJob = (row: typeof deadLetterJobs.$inferSelect): TDeadLetterJob => ({
  id: row.id,
  task: row.task,
  payload: row.payload,
  attempts: row.attempts,
  lastError: row.lastError,
  failedAt: row.failedAt.toISOString(),
  retriedAt: row.retriedAt?.toISOString() ?? null,
});

/** Newest first; the id (UUIDv7) is the cursor. */
export const listDeadLetters = async (
  db: Database,
  workspaceId: string,
  page: { cursor?: string | undefined; limit: number },
): Promise<TDeadLetterPage> => {
  const cursor = page.cursor;
  const rows = await db
    .select()
    .from(deadLetterJobs)
    .where(and(eq(deadLetterJobs.workspaceId, workspaceId), cursor ? lt(deadLetterJobs.id, cursor) : undefined))
    .orderBy(desc(deadLetterJobs.id))
    .limit(page.limit + 1);
  const items = rows.slice(0, page.limit).map(toDeadLetterJob);
  return { items, nextCursor: rows.length > page.limit ? (items.at(-1)?.id ?? null) : null };
};

/**
 * Puts a dead job back on the queue with a fresh set of attempts, in the caller's transaction;
 * a job is retried once per dead-letter entry.
 */
export const requeueDeadLetter = async (tx: DatabaseOrTransaction, workspaceId: string, id: string): Promise<TDeadLetterJob> => {
  const [row] = await tx
    .update(deadLetterJobs)
    .set({ retriedAt: new Date() })
    .where(and(eq(deadLetterJobs.id, id), eq(deadLetterJobs.workspaceId, workspaceId), isNull(deadLetterJobs.retriedAt)))
    .returning();
  if (!row) {
    const [existing] = await tx
      .select({ id: deadLetterJobs.id })
      .from(deadLetterJobs)
      .where(and(eq(deadLetterJobs.id, id), eq(deadLetterJobs.workspaceId, workspaceId)));
    if (existing) {
      throw new AppError("conflict", "This job was already put back on the queue.", undefined, { reason: "job_already_retried" });
    }
    throw new AppError("not_found", "No failed job with this id in your workspace.");
  }
  await tx.execute(sql`
    select graphile_worker.add_job(
      identifier => ${row.task},
      payload => ${JSON.stringify(row.payload)}::json,
      max_attempts => ${row.maxAttempts}::integer
    )`);
  return toDeadLetterJob(row);
};
