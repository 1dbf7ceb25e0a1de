import { sql } from "drizzle-orm";
import type { z } from "zod";
import type { DatabaseOrTransaction } from "../db.ts";
import type { TaskDefinition } from "./tasks.ts";

export type EnqueueOptions = {
  runAt?: Date;
  /** Jobs with the same key replace each other while pending (debounce). */
  jobKey?: string;
  priority?: number;
};

/**
 * Outbox: the job row is written by the caller's transaction, so it exists exactly when the
 * data change commits; the queue's NOTIFY fires on commit and a worker starts it within milliseconds.
 */
export const enqueueJob = async <Schema extends z.ZodType>(
  tx: DatabaseOrTransaction,
  task: Pick<TaskDefinition<Schema>, "name" | "payload" | "maxAttempts">,
  payload: z.input<Schema>,
  options: EnqueueOptions = {},
): Promise<string> => {
  const parsed = task.payload.parse(payload);
  const result = await tx.execute<{ id: string }>(sql`
    select id::text as id from graphile_worker.add_job(
      identifier => ${task.name},
      payload => ${JSON.stringify(parsed)}::json,
      run_at => ${options.runAt?.toISOString() ?? null}::timestamptz,
      max_attempts => ${task.maxAttempts}::integer,
      job_key => ${options.jobKey ?? null}::text,
      priority => ${options.priority ?? null}::integer
    )`);
  const id = result.rows[0]?.id;
  if (id === undefined) throw new Error(`queue did not return a job id for ${task.name}`);
  return id;
};
