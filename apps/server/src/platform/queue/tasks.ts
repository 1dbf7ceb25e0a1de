import type { z } from "zod";
import type { Config } from "../config.ts";
import type { Database } from "../db.ts";
import type { Logger } from "../logger.ts";

export type TaskContext = {
  db: Database;
  config: Config;
  logger: Logger;
  attempt: number;
  maxAttempts: number;
  abortSignal: AbortSignal;
};

export type TaskDefinition<Schema extends z.ZodType = z.ZodType> = {
  name: string;
  payload: Schema;
  /** Attempts before the job lands in the dead-letter table; the queue backs off exponentially between them. */
  maxAttempts: number;
  run: (payload: z.infer<Schema>, context: TaskContext) => Promise<void>;
};

export const defineTask = <Schema extends z.ZodType>(definition: TaskDefinition<Schema>): TaskDefinition<Schema> => definition;

export type CronItem = { task: string; match: string; identifier?: string };
