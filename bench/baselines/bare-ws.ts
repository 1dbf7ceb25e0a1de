import path from "node:path";
import { performance } from "node:perf_hooks";
import { WebSocket } from "ws";
import { forkManaged, type ManagedChild, nextMessage } from "../lib/child.ts";
import { envNumber } from "../lib/env.ts";
import { formatInt, formatKB, formatMs } from "../lib/format.ts";
import { summarize } from "../lib/stats.ts";
import { sleep, withTimeout } from "../lib/time.ts";
import type { BenchItem, ItemResult } from "../lib/types.ts";

export type BareWsOptions = {
  clients: number;
  payloadBytes: number;
  /** Echo messages per second, spread round-robin over the clients. */
  ratePerSecond: number;
  rttSeconds: number;
  /** Messages fanned out to every client, one after another; 0 measures no fan-out. */
  broadcasts: number;
  connectConcurrency: number;
};

export const bareWsDefaults = (): BareWsOptions => ({
  clients: envNumber("BENCH_WS_CLIENTS", 500),
  payloadBytes: envNumber("BENCH_WS_PAYLOAD_BYTES", 64),
  ratePerSecond: envNumber("BENCH_WS_RATE", 1_000),
  rttSeconds: envNumber("BENCH_WS_SECONDS", 3),
  broadcasts: 20,
  connectConcurrency: 100,
});

const TICK_MS = 10;
const GRACE_MS = 2_000;

const asObject = (message: unknown): Record<string, unknown> | undefined =>
  typeof message === "object" && message !== null ? (message as Record<string, unknown>) : undefined;

const isListening = (message: unknown): number | undefined => {
  const object = asObject(message);
  return object?.type === "listening" && typeof object.port === "number" ? object.port : undefined;
};

const isMeasured = (message: unknown): { rss: number; connections: number } | undefined => {
  const object = asObject(message);
  if (object?.type !== "measured" || typeof object.rss !== "number" || typeof object.connections !== "number") return undefined;
  return { rss: object.rss, connections: object.connections };
};

const measureServer = async (server: ManagedChild) => {
  server.process.send({ type: "measure" });
  return nextMessage(server, isMeasured, 10_000);
};

const connect = (url: string): Promise<WebSocket> =>
  new Promise((resolve, reject) => {
    const socket = new WebSocket(url, { perMessageDeflate: false, handshakeTimeout: 10_000 });
    socket.once("open", () => resolve(socket));
    socket.once("error", reject);
  });

/** Opens `count` connections, at most `concurrency` handshakes in flight at once. */
const connectAll = async (url: string, count: number, concurrency: number, into: WebSocket[]): Promise<void> => {
  let next = 0;
  let failed = false;
  const lane = async () => {
    while (next < count && !failed) {
      next += 1;
      try {
        into.push(await connect(url));
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, lane));
};

const message = (kind: "e" | "b", id: number, bytes: number): string => {
  const head = `${kind}${id} `;
  return head + "x".repeat(Math.max(0, bytes - head.length));
};

const idOf = (text: string): number => Number(text.slice(1, text.indexOf(" ")));

/** Resolves when `isDone()` holds or `ms` have passed, checking every few milliseconds. */
const waitUntil = async (isDone: () => boolean, ms: number): Promise<void> => {
  const deadline = performance.now() + ms;
  while (!isDone() && performance.now() < deadline) await sleep(5);
};

/** A plain `ws` server in a child process, with the clients in this process. */
export const measureBareWs = async (options: BareWsOptions): Promise<ItemResult> => {
  const server = forkManaged(path.join(import.meta.dirname, "bare-ws-server.ts"), [], ["--expose-gc"], "bare-ws server");
  const sockets: WebSocket[] = [];
  try {
    const port = await nextMessage(server, isListening, 15_000);
    const url = `ws://127.0.0.1:${port}`;
    const before = await measureServer(server);

    const connectStart = performance.now();
    await withTimeout(connectAll(url, options.clients, options.connectConcurrency, sockets), 60_000, "connecting the clients");
    const connectMs = performance.now() - connectStart;
    const handshakesPerSecond = options.clients / (connectMs / 1000);

    // A moment idle so connection set-up garbage is gone before RSS is read.
    await sleep(1_000);
    const after = await measureServer(server);
    if (after.connections !== options.clients) {
      throw new Error(`the server holds ${after.connections} connections, expected ${options.clients}`);
    }
    const bytesPerConnection = (after.rss - before.rss) / options.clients;

    const total = Math.round(options.ratePerSecond * options.rttSeconds);
    const echoSentAt = new Float64Array(total);
    const rtts: number[] = [];
    const fanoutSentAt = new Float64Array(options.broadcasts);
    const fanoutReceived = new Uint32Array(options.broadcasts);
    const fanoutLatencies: number[] = [];
    const onMessage = (data: WebSocket.RawData) => {
      const now = performance.now();
      const text = data.toString();
      const id = idOf(text);
      if (text.startsWith("e")) {
        rtts.push(now - (echoSentAt[id] ?? now));
      } else if (text.startsWith("b") && id < options.broadcasts) {
        fanoutLatencies.push(now - (fanoutSentAt[id] ?? now));
        fanoutReceived[id] = (fanoutReceived[id] ?? 0) + 1;
      }
    };
    for (const socket of sockets) socket.on("message", onMessage);

    const rttStart = performance.now();
    let sent = 0;
    await new Promise<void>((resolve) => {
      const timer = setInterval(() => {
        const due = Math.min(total, Math.floor(((performance.now() - rttStart) / 1000) * options.ratePerSecond));
        while (sent < due) {
          echoSentAt[sent] = performance.now();
          sockets[sent % sockets.length]?.send(message("e", sent, options.payloadBytes));
          sent += 1;
        }
        if (sent >= total) {
          clearInterval(timer);
          resolve();
        }
      }, TICK_MS);
    });
    await waitUntil(() => rtts.length >= total, GRACE_MS);
    const rtt = summarize(rtts);

    for (let id = 0; id < options.broadcasts; id++) {
      fanoutSentAt[id] = performance.now();
      sockets[id % sockets.length]?.send(message("b", id, options.payloadBytes));
      await waitUntil(() => (fanoutReceived[id] ?? 0) >= sockets.length, GRACE_MS);
    }
    const fanout = summarize(fanoutLatencies);
    const lost = total - rtts.length + (options.broadcasts * sockets.length - fanoutLatencies.length);

    return {
      figures: [
        `${formatInt(options.clients)} clients`,
        `rtt p50 ${formatMs(rtt.p50)} p99 ${formatMs(rtt.p99)}`,
        ...(options.broadcasts > 0 ? [`fan-out p99 ${formatMs(fanout.p99)}`] : []),
        `handshakes ${formatInt(handshakesPerSecond)}/s`,
        `${formatKB(bytesPerConnection)}/conn`,
        ...(lost > 0 ? [`${formatInt(lost)} lost`] : []),
      ].join("  "),
      metrics: {
        clients: options.clients,
        rttP50Ms: rtt.p50,
        rttP99Ms: rtt.p99,
        rttMaxMs: rtt.max,
        ...(options.broadcasts > 0 ? { fanoutP50Ms: fanout.p50, fanoutP99Ms: fanout.p99 } : {}),
        handshakesPerSecond,
        bytesPerConnection,
        serverRssIdleBytes: before.rss,
        serverRssConnectedBytes: after.rss,
        echoMessages: total,
        lostMessages: lost,
      },
      checks: [],
      ratios: [],
      details: { ...options, connectMs },
    };
  } finally {
    for (const socket of sockets) socket.terminate();
    await server.stopTree();
  }
};

export const bareWs: BenchItem = {
  id: "bare-ws",
  kind: "baseline",
  title: "plain ws echo/fan-out server in a child process, clients on loopback",
  needs: [],
  run: () => measureBareWs(bareWsDefaults()),
};
