import path from "node:path";
import { forkManaged, nextMessage } from "../lib/child.ts";
import { runVisitorLoad } from "../lib/load.ts";
import { benchPostgres } from "../lib/postgres.ts";
import { type LatencySummary, summarize } from "../lib/stats.ts";
import { sleep } from "../lib/time.ts";
import { closeAll, connectMany, connectSocket } from "../lib/world.ts";

export type BareSocketIoInsertOptions = { idle: number; senders: number; ratePerSecond: number; seconds: number };

export type BareSocketIoInsertResult = { delivery: LatencySummary; delivered: number; sent: number };

const isListening = (message: unknown): number | undefined => {
  if (typeof message !== "object" || message === null) return undefined;
  const { type, port } = message as { type?: unknown; port?: unknown };
  return type === "listening" && typeof port === "number" ? port : undefined;
};

/**
 * The floor under B2: the same clients, load generator and database as B2, against a Socket.IO
 * server that stores each message with one insert and sends it to one agent socket
 * (bare-socketio-insert-server.ts). What Parley adds to a delivery is B2's figure minus this one.
 */
export const measureBareSocketIoInsert = async (options: BareSocketIoInsertOptions): Promise<BareSocketIoInsertResult> => {
  const database = await (await benchPostgres()).createScratchDatabase();
  const server = forkManaged(
    path.join(import.meta.dirname, "bare-socketio-insert-server.ts"),
    [database.url],
    [],
    "bare-socketio-insert server",
  );
  const opened: Awaited<ReturnType<typeof connectSocket>>[] = [];
  try {
    const port = await nextMessage(server, isListening, 20_000);
    const connectWidget = () => connectSocket(`http://127.0.0.1:${port}/widget`, {}, 20_000);
    const idle = await connectMany(Array.from({ length: options.idle }, String), connectWidget, 100, 180_000);
    opened.push(...idle.sockets);
    const senders = await connectMany(Array.from({ length: options.senders }, String), connectWidget, 50, 60_000);
    opened.push(...senders.sockets);
    if (idle.failures + senders.failures > 0) throw new Error(`${idle.failures + senders.failures} sockets could not connect`);
    const agent = await connectSocket(`http://127.0.0.1:${port}/agent`, {}, 20_000);
    opened.push(agent);
    await sleep(1_100);
    const load = await runVisitorLoad({
      senders: senders.sockets,
      agent,
      durationMs: options.seconds * 1000,
      ratePerSecond: options.ratePerSecond,
      prefix: "floor",
    });
    return { delivery: summarize(load.deliveryMs), delivered: load.delivered, sent: load.sent };
  } finally {
    closeAll(opened);
    await server.stopTree();
    await database.drop();
  }
};
