import { parleyModules } from "./parley-modules.ts";
import type { CronItem, TaskDefinition } from "./platform/queue/tasks.ts";

/** Every background task Parley runs, from every module. */
export const allTasks = (): TaskDefinition[] => parleyModules().flatMap((module) => module.tasks ?? []);

export const allCronItems = (): CronItem[] => parleyModules().flatMap((module) => module.cron ?? []);
