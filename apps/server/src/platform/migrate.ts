import { readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { migrate } from "drizzle-orm/node-postgres/migrator";
import { Logger as GraphileLogger, runMigrations } from "graphile-worker";
import pg from "pg";
import { z } from "zod";
import type { Database } from "./db.ts";
import type { Logger } from "./logger.ts";

export const MIGRATIONS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../drizzle");

const ZJournal = z.object({ entries: z.array(z.object({ tag: z.string(), when: z.number() })) });

/** Applies Parley's schema migrations and the job queue's own, under one advisory lock so concurrent nodes wait their turn. */
export const migrateDatabase = async (db: Database, databaseUrl: string, logger: Logger): Promise<void> => {
  const client = new pg.Client({ connectionString: databaseUrl, application_name: "parley-migrate" });
  await client.connect();
  try {
    await client.query("select pg_advisory_lock(hashtext('parley.migrate'))");
    await migrate(db, { migrationsFolder: MIGRATIONS_DIR });
    await runMigrations({ connectionString: databaseUrl, logger: quietGraphileLogger(logger) });
  } finally {
    await client.query("select pg_advisory_unlock(hashtext('parley.migrate'))").catch(() => undefined);
    await client.end();
  }
};

/** Newest migration timestamp in the committed journal. */
export const latestMigrationTimestamp = async (): Promise<number> => {
  const journal = ZJournal.parse(JSON.parse(await readFile(path.join(MIGRATIONS_DIR, "meta/_journal.json"), "utf8")));
  return Math.max(0, ...journal.entries.map((entry) => entry.when));
};

/** True when the database has every committed migration applied. */
export const isSchemaCurrent = async (pool: pg.Pool, expectedTimestamp: number): Promise<boolean> => {
  const result = await pool.query<{ latest: string | null }>(
    "select max(created_at)::text as latest from drizzle.__drizzle_migrations",
  );
  return Number(result.rows[0]?.latest ?? 0) >= expectedTimestamp;
};

export const quietGraphileLogger = (logger: Logger): GraphileLogger =>
  new GraphileLogger((scope) => (level, message, meta) => {
    const child = logger.child({ component: "jobs", ...(scope.taskIdentifier ? { task: scope.taskIdentifier } : {}) });
    if (level === "error") child.error(meta ?? {}, message);
    else if (level === "warning") child.warn(meta ?? {}, message);
    else child.debug(meta ?? {}, message);
  });
