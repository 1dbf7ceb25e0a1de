import { index, integer, jsonb, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { newId } from "../ids.ts";

/** Jobs that failed on their last attempt, kept for admins to inspect and retry. */
export const deadLetterJobs = pgTable(
  "dead_letter_jobs",
  {
    id: uuid("id").primaryKey().$defaultFn(newId),
    /** Null for system jobs that belong to no workspace; only platform operators see those. */
    workspaceId: uuid("workspace_id"),
    task: text("task").notNull(),
    payload: jsonb("payload").notNull(),
    attempts: integer("attempts").notNull(),
    maxAttempts: integer("max_attempts").notNull(),
    lastError: text("last_error").notNull(),
    queueJobId: text("queue_job_id").notNull().unique(),
    failedAt: timestamp("failed_at", { withTimezone: true }).notNull().defaultNow(),
    retriedAt: timestamp("retried_at", { withTimezone: true }),
  },
  (table) => [index("dead_letter_jobs_workspace_idx").on(table.workspaceId, table.id)],
);
