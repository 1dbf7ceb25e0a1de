import { parseCronItems, type Runner, run, type Task, type TaskList } from "graphile-worker";
import pg from "pg";
import { guardPool } from "../db.ts";
import { jobsCompleted, jobsFailed } from "../metrics.ts";
import { quietGraphileLogger } from "../migrate.ts";
import type { AppServices } from "../services.ts";
import { recordDeadLetter } from "./dead-letters.ts";
import type { CronItem, TaskDefinition } from "./tasks.ts";

export type WorkerOptions = {
  connectionString: string;
  services: Omit<AppServices, "pool">;
  tasks: readonly TaskDefinition[];
  cron?: readonly CronItem[];
  concurrency: number;
};

export type Worker = { stop: () => Promise<void> };

const describe = (error: unknown): string => (error instanceof Error ? (error.stack ?? error.message) : String(error));

/**
 * Wraps a task so its payload is parsed at the edge and its last failure is moved to the
 * dead-letter table (the queue row is then completed, so failed jobs never pile up in the queue).
 */
const wrapTask =
  (task: TaskDefinition, services: Omit<AppServices, "pool">): Task =>
  async (rawPayload, helpers) => {
    const { job } = helpers;
    const isLastAttempt = job.attempts >= job.max_attempts;
    const moveToDeadLetters = (error: string) =>
      recordDeadLetter(services.db, {
        queueJobId: job.id,
        task: task.name,
        payload: rawPayload,
        attempts: job.attempts,
        maxAttempts: job.max_attempts,
        error,
      });
    const parsed = task.payload.safeParse(rawPayload);
    if (!parsed.success) {
      // A payload that does not parse will never succeed: no point retrying it.
      await moveToDeadLetters(`invalid payload: ${parsed.error.message}`);
      jobsFailed.inc({ task: task.name, final: "true" });
      return;
    }
    try {
      await task.run(parsed.data, {
        ...services,
        logger: services.logger.child({ task: task.name, jobId: job.id }),
        attempt: job.attempts,
        maxAttempts: job.max_attempts,
        abortSignal: helpers.abortSignal,
      });
      jobsCompleted.inc({ task: task.name });
    } catch (error) {
      jobsFailed.inc({ task: task.name, final: String(isLastAttempt) });
      if (!isLastAttempt) throw error;
      services.logger.error(
        { err: error, task: task.name, jobId: job.id },
        "job failed on its last attempt; moved to dead letters",
      );
      await moveToDeadLetters(describe(error));
    }
  };

export const startWorker = async (options: WorkerOptions): Promise<Worker> => {
  const taskList: TaskList = Object.fromEntries(options.tasks.map((task) => [task.name, wrapTask(task, options.services)]));
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.concurrency + 2,
    application_name: "parley-worker",
  });
  guardPool(pool, options.services.logger, "jobs");
  const runner: Runner = await run({
    pgPool: pool,
    concurrency: options.concurrency,
    taskList,
    parsedCronItems: parseCronItems(
      (options.cron ?? []).map((item) => ({ task: item.task, match: item.match, identifier: item.identifier ?? item.task })),
    ),
    noHandleSignals: true,
    logger: quietGraphileLogger(options.services.logger),
  });
  let stopping: Promise<void> | undefined;
  return {
    stop: () => {
      stopping ??= (async () => {
        await runner.stop();
        // stop() resolves before the queue's LISTEN connection is released; wait for that too.
        await runner.promise.catch(() => undefined);
        await pool.end();
      })();
      return stopping;
    },
  };
};
