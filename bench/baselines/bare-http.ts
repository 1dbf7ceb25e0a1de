import path from "node:path";
import autocannon from "autocannon";
import { forkManaged, nextMessage } from "../lib/child.ts";
import { envNumber } from "../lib/env.ts";
import { formatInt, formatMs } from "../lib/format.ts";
import { summarize } from "../lib/stats.ts";
import type { BenchItem, ItemResult } from "../lib/types.ts";

export type BareHttpOptions = {
  /** Response body size in bytes; set it to the compared budget's body size. */
  bodyBytes: number;
  connections: number;
  durationSeconds: number;
  warmupSeconds: number;
};

export const bareHttpDefaults = (): BareHttpOptions => ({
  bodyBytes: envNumber("BENCH_HTTP_BODY_BYTES", 17),
  connections: envNumber("BENCH_HTTP_CONNECTIONS", 50),
  durationSeconds: envNumber("BENCH_HTTP_SECONDS", 5),
  warmupSeconds: 1,
});

const MAX_LATENCY_SAMPLES = 5_000_000;

const isListening = (message: unknown): { port: number; bodyBytes: number } | undefined => {
  if (typeof message !== "object" || message === null) return undefined;
  if (!("type" in message) || message.type !== "listening") return undefined;
  if (!("port" in message) || typeof message.port !== "number") return undefined;
  if (!("bodyBytes" in message) || typeof message.bodyBytes !== "number") return undefined;
  return { port: message.port, bodyBytes: message.bodyBytes };
};

/** A Fastify hello route in a child process, loaded by autocannon from this process. */
export const measureBareHttp = async (options: BareHttpOptions): Promise<ItemResult> => {
  const server = forkManaged(
    path.join(import.meta.dirname, "bare-http-server.ts"),
    [String(options.bodyBytes)],
    [],
    "bare-http server",
  );
  try {
    const { port, bodyBytes } = await nextMessage(server, isListening, 15_000);
    const run = autocannon({
      url: `http://127.0.0.1:${port}/hello`,
      connections: options.connections,
      duration: options.durationSeconds,
      warmup: { connections: options.connections, duration: options.warmupSeconds },
      timeout: 10,
    });
    // autocannon's own histogram keeps whole milliseconds, and a loopback hello route answers well under one.
    const latencies: number[] = [];
    run.on("response", (_client, _status, _bytes, responseTimeMs) => {
      if (latencies.length < MAX_LATENCY_SAMPLES) latencies.push(responseTimeMs);
    });
    const result = await run;
    const latency = summarize(latencies);
    const failures = result.errors + result.timeouts + result.non2xx;
    const requestsPerSecond = result.requests.average;
    return {
      figures: [
        `${formatInt(requestsPerSecond)} req/s`,
        `p50 ${formatMs(latency.p50)}`,
        `p99 ${formatMs(latency.p99)}`,
        `${options.connections} conns, ${bodyBytes} B body`,
        ...(failures > 0 ? [`${formatInt(failures)} failed`] : []),
      ].join("  "),
      metrics: {
        requestsPerSecond,
        latencyP50Ms: latency.p50,
        latencyP99Ms: latency.p99,
        latencyMeanMs: latency.mean,
        requestsTotal: result.requests.total,
        errors: result.errors,
        timeouts: result.timeouts,
        non2xx: result.non2xx,
      },
      checks: [],
      ratios: [],
      details: { ...options, bodyBytes, durationSeconds: result.duration, tool: "autocannon" },
    };
  } finally {
    await server.stopTree();
  }
};

export const bareHttp: BenchItem = {
  id: "bare-http",
  kind: "baseline",
  title: "Fastify hello route, autocannon on loopback",
  needs: [],
  run: () => measureBareHttp(bareHttpDefaults()),
};
