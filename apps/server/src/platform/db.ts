import { drizzle, type NodePgDatabase } from "drizzle-orm/node-postgres";
import pg from "pg";
import type { Logger } from "./logger.ts";

export type Database = NodePgDatabase;
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
  // No schema: every query is written with the SQL builder, and with one drizzle would build a relational
  // query builder per table for each transaction (about 20 KB a transaction on the message path).
  const db = drizzle({ client: pool });
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

type PreparedRun<Values, Result> = { execute: (values: Values) => Promise<Result> };

/** The connection a drizzle database or transaction runs its statements on (its pool, or the pool's client it holds). */
const connectionOf = (db: DatabaseOrTransaction): object => {
  const client = (db as unknown as { session?: { client?: unknown } }).session?.client;
  if (typeof client !== "object" || client === null) throw new Error("this drizzle version does not expose its session's client");
  return client;
};

/**
 * A named prepared statement whose query is built once per connection. Drizzle renders a query's
 * SQL on every call, which for a wide select allocates and costs more than PostgreSQL's run of it;
 * this builds it the first time a connection (or a transaction on it) runs it, then reuses it —
 * the prepared query only holds the connection, so a later transaction on the same pooled client
 * runs it inside itself. `build` must give the same SQL every time, with values as placeholders.
 */
export const preparedPerConnection = <Values extends Record<string, unknown>, Result>(
  build: (db: DatabaseOrTransaction) => PreparedRun<Values, Result>,
) => {
  const byConnection = new WeakMap<object, PreparedRun<Values, Result>>();
  return (db: DatabaseOrTransaction, values: Values): Promise<Result> => {
    const connection = connectionOf(db);
    let prepared = byConnection.get(connection);
    if (!prepared) {
      prepared = build(db);
      byConnection.set(connection, prepared);
    }
    return prepared.execute(values);
  };
};

/**
 * Runs a named statement (prepared once per connection by pg) on the connection of `db`, inside
 * its transaction if it is one, and returns pg's rows as they come (snake_case, driver types).
 */
export const queryOnConnection = async <Row extends Record<string, unknown>>(
  db: DatabaseOrTransaction,
  statement: { name: string; text: string },
  values: readonly unknown[],
): Promise<Row[]> => {
  const connection = connectionOf(db) as pg.Pool | pg.PoolClient;
  const result = await connection.query<Row>({ ...statement, values: [...values] });
  return result.rows;
};
