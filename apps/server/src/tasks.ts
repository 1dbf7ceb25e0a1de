import { pruneSessionsTask } from "./modules/auth/auth.tasks.ts";
import { sendMailTask } from "./platform/mail/mailer.ts";
import type { CronItem, TaskDefinition } from "./platform/queue/tasks.ts";

/** Every background task Parley runs; modules add theirs here. */
export const TASKS: readonly TaskDefinition[] = [pruneSessionsTask, sendMailTask];

export const CRON: readonly CronItem[] = [{ task: pruneSessionsTask.name, match: "17 3 * * *" }];
