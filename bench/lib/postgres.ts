import pg from "pg";
import { type EmbeddedPostgres, startEmbeddedPostgres } from "../../apps/server/src/platform/embedded-postgres.ts";
import { createLogger } from "../../apps/server/src/platform/logger.ts";
import { onCleanup } from "./cleanup.ts";
import { freePort } from "./ports.ts";
import { processesMentioning } from "./proc.ts";
import { withTimeout } from "./time.ts";
import { makeTempDir } from "./tmp.ts";

export type BenchPostgres = {
  kind: "embedded" | "external";
  /** Where it runs, without credentials, for the JSON file. */
  description: string;
  /** Creates an empty database; `drop` removes it even if connections are still open. */
  createScratchDatabase: () => Promise<{ url: string; drop: () => Promise<void> }>;
  stop: () => Promise<void>;
};

let scratchCount = 0;

const scratchDatabases =
  (serverUrl: string): BenchPostgres["createScratchDatabase"] =>
  async () => {
    scratchCount += 1;
    const name = `parley_bench_${process.pid}_${scratchCount}`;
    const admin = new pg.Client({ connectionString: serverUrl });
    await admin.connect();
    try {
      await admin.query(`create database "${name}"`);
    } finally {
      await admin.end();
    }
    const url = new URL(serverUrl);
    url.pathname = `/${name}`;
    let dropped = false;
    const drop = async () => {
      if (dropped) return;
      dropped = true;
      unregister();
      const client = new pg.Client({ connectionString: serverUrl });
      await client.connect();
      try {
        await client.query(`drop database if exists "${name}" with (force)`);
      } finally {
        await client.end();
      }
    };
    const unregister = onCleanup(drop);
    return { url: url.toString(), drop };
  };

/** Starts a throwaway PostgreSQL exactly as Parley's embedded default does (same binaries, same flags). */
const startEmbedded = async (): Promise<BenchPostgres> => {
  const temp = await makeTempDir("pg");
  const port = await freePort();
  let embedded: EmbeddedPostgres | undefined;
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    unregister();
    try {
      if (embedded) await withTimeout(embedded.stop(), 30_000, "stopping embedded PostgreSQL");
    } catch {
      for (const { pid } of await processesMentioning(temp.path)) process.kill(pid, "SIGKILL");
    } finally {
      await temp.remove();
    }
  };
  const unregister = onCleanup(stop);
  try {
    embedded = await startEmbeddedPostgres({
      dataDir: temp.path,
      port,
      logger: createLogger({ logLevel: "silent", logFormat: "json" }),
    });
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    kind: "embedded",
    description: `embedded-postgres on 127.0.0.1:${port}, data in ${temp.path}`,
    createScratchDatabase: scratchDatabases(embedded.url),
    stop,
  };
};

const useExternal = (serverUrl: string): BenchPostgres => {
  const url = new URL(serverUrl);
  return {
    kind: "external",
    description: `BENCH_DATABASE_URL at ${url.hostname}:${url.port || "5432"}`,
    createScratchDatabase: scratchDatabases(serverUrl),
    stop: async () => undefined,
  };
};

let shared: Promise<BenchPostgres> | undefined;

/**
 * The run's PostgreSQL, started on first use and shared by every benchmark (each in its own
 * scratch database): BENCH_DATABASE_URL when set, else an embedded one in a temp folder.
 */
export const benchPostgres = (): Promise<BenchPostgres> => {
  const external = process.env.BENCH_DATABASE_URL;
  shared ??= external ? Promise.resolve(useExternal(external)) : startEmbedded();
  return shared;
};

export const stopBenchPostgres = async (): Promise<void> => {
  if (!shared) return;
  const running = shared;
  shared = undefined;
  try {
    await (await running).stop();
  } catch {
    // It never started; its own start-up already cleaned up.
  }
};
