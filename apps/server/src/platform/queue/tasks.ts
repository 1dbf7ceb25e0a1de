import type { z } from "zod";
import type { AppServices } from "../services.ts";

/** What a task gets: the app's services (database, realtime, mail, secrets…) and its attempt. */
export type TaskContext = Omit<AppServices, "pool"> & {
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
