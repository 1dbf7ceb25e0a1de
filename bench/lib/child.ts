import { type ChildProcess, fork, type SpawnOptions, spawn } from "node:child_process";
import { onCleanup } from "./cleanup.ts";
import { isAlive, processTree } from "./proc.ts";
import { sleep } from "./time.ts";

export type Exit = { code: number | null; signal: NodeJS.Signals | null };

export type ManagedChild = {
  process: ChildProcess;
  pid: number;
  /** The last lines the child wrote, stdout and stderr mixed, for error messages. */
  outputTail: () => string;
  exited: Promise<Exit>;
  isRunning: () => boolean;
  /** Resolves with the exit, or undefined if the child is still running after `ms`. */
  waitForExit: (ms: number) => Promise<Exit | undefined>;
  /** Stops the child and everything it started: SIGTERM, then SIGKILL after `graceMs`. */
  stopTree: (graceMs?: number) => Promise<void>;
};

const TAIL_LINES = 40;

const manage = (child: ChildProcess, label: string): ManagedChild => {
  if (child.pid === undefined) throw new Error(`${label} did not start`);
  const pid = child.pid;
  const tail: string[] = [];
  const remember = (chunk: Buffer) => {
    tail.push(...chunk.toString("utf8").split("\n").filter(Boolean));
    if (tail.length > TAIL_LINES) tail.splice(0, tail.length - TAIL_LINES);
  };
  child.stdout?.on("data", remember);
  child.stderr?.on("data", remember);

  let exit: Exit | undefined;
  const exited = new Promise<Exit>((resolve) => {
    child.once("exit", (code, signal) => {
      exit = { code, signal };
      resolve(exit);
    });
  });

  const waitForExit = async (ms: number): Promise<Exit | undefined> => {
    if (exit) return exit;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), ms);
    });
    try {
      return await Promise.race([exited, timedOut]);
    } finally {
      clearTimeout(timer);
    }
  };

  const stopTree = async (graceMs = 5_000): Promise<void> => {
    // Descendants are listed before the parent dies: afterwards they are re-parented and unfindable.
    const descendants = (await processTree(pid)).map((process) => process.pid).filter((other) => other !== pid);
    // The parent goes first so it can stop its own children in order (Parley drains, then stops PostgreSQL).
    if (!exit) child.kill("SIGTERM");
    if (!(await waitForExit(graceMs))) child.kill("SIGKILL");
    const leftovers = descendants.filter(isAlive);
    for (const other of leftovers) signal(other, "SIGTERM");
    const deadline = Date.now() + 3_000;
    while (Date.now() < deadline && leftovers.some(isAlive)) await sleep(50);
    for (const other of leftovers) if (isAlive(other)) signal(other, "SIGKILL");
    await waitForExit(2_000);
  };

  const unregister = onCleanup(() => stopTree());
  void exited.then(unregister);

  return {
    process: child,
    pid,
    outputTail: () => tail.join("\n"),
    exited,
    isRunning: () => exit === undefined,
    waitForExit,
    stopTree,
  };
};

const signal = (pid: number, name: NodeJS.Signals) => {
  try {
    process.kill(pid, name);
  } catch {
    // Already gone.
  }
};

export const spawnManaged = (command: string, args: string[], options: SpawnOptions, label: string): ManagedChild =>
  manage(spawn(command, args, { ...options, stdio: ["ignore", "pipe", "pipe"] }), label);

/**
 * Runs a bench TypeScript module in a child Node with an IPC channel. The child module should
 * exit when the channel closes, so a crashed bench leaves nothing behind.
 */
export const forkManaged = (modulePath: string, args: string[], execArgv: string[], label: string): ManagedChild =>
  manage(fork(modulePath, args, { execArgv, stdio: ["ignore", "pipe", "pipe", "ipc"] }), label);

/** The first IPC message from the child that satisfies `accept`; fails if the child exits first or time runs out. */
export const nextMessage = <T>(child: ManagedChild, accept: (message: unknown) => T | undefined, ms: number): Promise<T> =>
  new Promise<T>((resolve, reject) => {
    const onMessage = (message: unknown) => {
      const accepted = accept(message);
      if (accepted === undefined) return;
      done();
      resolve(accepted);
    };
    const onExit = (code: number | null) => {
      done();
      reject(new Error(`child exited (code ${code}) before answering:\n${child.outputTail()}`));
    };
    const timer = setTimeout(() => {
      done();
      reject(new Error(`child did not answer within ${ms} ms:\n${child.outputTail()}`));
    }, ms);
    const done = () => {
      clearTimeout(timer);
      child.process.off("message", onMessage);
      child.process.off("exit", onExit);
    };
    child.process.on("message", onMessage);
    child.process.once("exit", onExit);
  });
