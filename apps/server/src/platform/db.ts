import { drizzle, type NodePgDatabase } from "drizzle-orm/node-postgres";
import pg from "pg";
import type { Logger } from "./logger.ts";
import * as schema from "./schema.ts";

export type Database = NodePgDatabase<typeof schema>;
/** A transaction handle; services take it explicitly so callers decide the boundary. */
export type Transaction = Parameters<Parameters<Database["transaction"]>[0]>[0];
export type DatabaseOrTransaction = Database | Transaction;

export type DatabaseHandle = {
  db: Database;
  pool: pg.Pool;
  close: () => Promise<void>;
};

/**
 * A connection losing its server (restart, failover, shutdown) emits "error"; unheard, that event
 * crashes the process. Idle ones are dropped by the pool; busy ones fail their current query.
 */
export const guardPool = (pool: pg.Pool, logger: Logger, purpose: string): void => {
  pool.on("error", (error) => logger.warn({ err: error, purpose }, "idle database connection failed"));
  pool.on("connect", (client) => {
    client.on("error", (error) => logger.warn({ err: error, purpose }, "database connection failed"));
  });
};

export const connectDatabase = (url: string, options: { poolSize: number; logger: Logger }): DatabaseHandle => {
  const pool = new pg.Pool({ connectionString: url, max: options.poolSize, application_name: "parley" });
  guardPool(pool, options.logger, "app");
  const db = drizzle({ client: pool, schema });
  let closed = false;
  return {
    db,
    pool,
    close: async () => {
      if (closed) return;
      closed = true;
      await pool.end();
    },
  };
};

/** Postgres error codes we turn into user-facing answers. */
export const PG_UNIQUE_VIOLATION = "23505";

export const isUniqueViolation = (error: unknown, constraint?: string): boolean => {
  const cause = error instanceof Error && "cause" in error && error.cause ? error.cause : error;
  if (typeof cause !== "object" || cause === null) return false;
  const code = "code" in cause ? cause.code : undefined;
  const name = "constraint" in cause ? cause.constraint : undefined;
  return code === PG_UNIQUE_VIOLATION && (constraint === undefined || name === constraint);
};
