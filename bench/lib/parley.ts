import path from "node:path";
import { performance } from "node:perf_hooks";
import { SERVER_NODE_FLAGS } from "../../apps/server/src/node-flags.ts";
import { type Exit, type ManagedChild, spawnManaged } from "./child.ts";
import { sleep } from "./time.ts";

export type ParleyProcess = {
  child: ManagedChild;
  port: number;
  baseUrl: string;
  /** ms from spawn to the first 200 from GET /readyz. */
  readyMs: number;
  /** SIGINT (Parley's graceful stop), then waits; kills the tree if it overruns `ms`. */
  stop: (ms?: number) => Promise<Exit & { stopMs: number; timedOut: boolean }>;
};

export type StartParleyOptions = {
  repoRoot: string;
  /** The child's whole environment. */
  env: NodeJS.ProcessEnv;
  port: number;
  cwd: string;
  args?: string[];
  readyTimeoutMs?: number;
  pollIntervalMs?: number;
};

const isReady = async (url: string): Promise<boolean> => {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
    await response.body?.cancel();
    return response.status === 200;
  } catch {
    return false;
  }
};

/**
 * `BENCH_SERVER_CPU_PROFILE=<dir>`: each server the bench starts writes a V8 CPU profile there when it
 * stops. `BENCH_SERVER_ALLOCATION_PROFILE=<dir>`: a sampled profile of everything it allocated.
 */
const profileFlags = (): string[] => {
  const cpuDir = process.env.BENCH_SERVER_CPU_PROFILE;
  return [
    ...(cpuDir ? ["--cpu-prof", `--cpu-prof-dir=${cpuDir}`] : []),
    ...(process.env.BENCH_SERVER_ALLOCATION_PROFILE ? ["--import", path.join(import.meta.dirname, "allocation-profile.ts")] : []),
  ];
};

/** With `BENCH_SERVER_ALLOCATION_PROFILE` set, the server's allocation profile starts over from here. */
export const restartAllocationProfile = (parley: ParleyProcess): void => {
  if (process.env.BENCH_SERVER_ALLOCATION_PROFILE) process.kill(parley.child.pid, "SIGUSR2");
};

/**
 * Spawns the real server from its TypeScript source on the project's pinned Node and waits
 * for readiness. Throws with the server's last output if it exits or is not ready in time.
 */
export const startParley = async (options: StartParleyOptions): Promise<ParleyProcess> => {
  const node = path.join(options.repoRoot, "node_modules/.bin/node");
  const main = path.join(options.repoRoot, "apps/server/src/main.ts");
  const readyUrl = `http://127.0.0.1:${options.port}/readyz`;
  const readyTimeoutMs = options.readyTimeoutMs ?? 60_000;
  const pollIntervalMs = options.pollIntervalMs ?? 50;

  const spawnedAt = performance.now();
  const child = spawnManaged(
    node,
    [...SERVER_NODE_FLAGS, ...profileFlags(), main, ...(options.args ?? [])],
    { cwd: options.cwd, env: options.env },
    "parley server",
  );
  let readyMs: number | undefined;
  try {
    while (performance.now() - spawnedAt < readyTimeoutMs) {
      if (!child.isRunning()) {
        const exit = await child.exited;
        throw new Error(
          `the server exited before it was ready (code ${exit.code}, signal ${exit.signal}):\n${child.outputTail()}`,
        );
      }
      if (await isReady(readyUrl)) {
        readyMs = performance.now() - spawnedAt;
        break;
      }
      await sleep(pollIntervalMs);
    }
    if (readyMs === undefined) throw new Error(`GET /readyz gave no 200 within ${readyTimeoutMs} ms:\n${child.outputTail()}`);
  } catch (error) {
    await child.stopTree();
    throw error;
  }

  const stop = async (ms = 30_000) => {
    const startedAt = performance.now();
    if (child.isRunning()) child.process.kill("SIGINT");
    const exit = await child.waitForExit(ms);
    if (exit) return { ...exit, stopMs: performance.now() - startedAt, timedOut: false };
    await child.stopTree();
    const forced = await child.exited;
    return { ...forced, stopMs: performance.now() - startedAt, timedOut: true };
  };

  return { child, port: options.port, baseUrl: `http://127.0.0.1:${options.port}`, readyMs, stop };
};
