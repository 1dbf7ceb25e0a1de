import pg from "pg";
import type { Config } from "./config.ts";
import { connectDatabase, type DatabaseHandle } from "./db.ts";
import { startEmbeddedPostgres } from "./embedded-postgres.ts";
import type { Logger } from "./logger.ts";
import { migrateDatabase } from "./migrate.ts";

export type RunningDatabase = {
  handle: DatabaseHandle;
  url: string;
  isEmbedded: boolean;
  stop: () => Promise<void>;
};

const EMBEDDED_DATABASE = "parley";

const ensureDatabaseExists = async (serverUrl: string, name: string): Promise<void> => {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    const found = await client.query("select 1 from pg_database where datname = $1", [name]);
    if (found.rowCount === 0) await client.query(`create database "${name}"`);
  } finally {
    await client.end();
  }
};

/** Connects to DATABASE_URL, or starts the embedded PostgreSQL; applies migrations either way. */
export const openDatabase = async (
  config: Config,
  logger: Logger,
  onEmbeddedExit?: (code: number | null, signal: NodeJS.Signals | null) => void,
): Promise<RunningDatabase> => {
  let url = config.databaseUrl;
  let stopEmbedded: (() => Promise<void>) | undefined;
  if (url === undefined) {
    const embedded = await startEmbeddedPostgres({
      dataDir: config.dataDir,
      port: config.embeddedPostgresPort,
      logger,
      ...(onEmbeddedExit ? { onUnexpectedExit: onEmbeddedExit } : {}),
    });
    stopEmbedded = embedded.stop;
    try {
      await ensureDatabaseExists(embedded.url, EMBEDDED_DATABASE);
    } catch (error) {
      await embedded.stop();
      throw error;
    }
    const serverUrl = new URL(embedded.url);
    serverUrl.pathname = `/${EMBEDDED_DATABASE}`;
    url = serverUrl.toString();
  }
  const handle = connectDatabase(url, { poolSize: config.databasePoolSize, logger });
  const stop = async () => {
    await handle.close();
    await stopEmbedded?.();
  };
  try {
    await migrateDatabase(handle.db, url, logger);
  } catch (error) {
    await stop();
    throw error;
  }
  return { handle, url, isEmbedded: stopEmbedded !== undefined, stop };
};
