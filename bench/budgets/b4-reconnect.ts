import { performance } from "node:perf_hooks";
import type { Socket } from "socket.io-client";
import { envNumber } from "../lib/env.ts";
import { formatInt, formatMs, formatSeconds } from "../lib/format.ts";
import { summarize } from "../lib/stats.ts";
import { sleep } from "../lib/time.ts";
import { type BenchItem, baselineMetric, type ItemResult } from "../lib/types.ts";
import { closeAll, connectMany, emitWithAck, isFull, type MessageDto, startWorld, type VisitorSendData } from "../lib/world.ts";

const BACK_WITHIN_MS = 30_000;
const FAILED_PERCENT_LIMIT = 0.1;
const RATIO_LIMIT = 0.5;
/** Parley lets one agent socket send 20 messages a second. */
const AGENT_SEND_SPACING_MS = 55;

type Tracked = { index: number; conversationId: string; lastSeenSeq: number; missedIds: string[] };

const run: BenchItem["run"] = async (context): Promise<ItemResult> => {
  const clients = envNumber("BENCH_B4_CLIENTS", isFull() ? 20_000 : 2_000);
  const concurrency = envNumber("BENCH_B4_CONCURRENCY", 100);
  const trackedCount = Math.min(clients, envNumber("BENCH_B4_TRACKED", 100));
  const awayMessages = envNumber("BENCH_B4_AWAY_MESSAGES", 2);
  const agentSockets = 10;
  const world = await startWorld(context);
  const opened: Socket[] = [];
  try {
    const agents: Socket[] = [];
    for (let i = 0; i < agentSockets; i++) agents.push(await world.connectAgent());
    opened.push(...agents);

    context.log(`connecting ${formatInt(clients)} widgets`);
    const tokens = Array.from({ length: clients }, () => world.mintVisitorToken());
    const first = await connectMany(tokens, world.connectVisitor, concurrency, 300_000);
    opened.push(...first.sockets);
    if (first.failures > 0) throw new Error(`${first.failures} of ${clients} widgets could not connect before the storm`);

    // Some widgets have a conversation, so the agent can write to them while they are away.
    const tracked: Tracked[] = [];
    for (let index = 0; index < trackedCount; index++) {
      const socket = first.byIndex[index];
      if (!socket) continue;
      const ack = await emitWithAck<VisitorSendData>(socket, "message.send", { clientId: `b4-open-${index}`, text: "Hi there" });
      if (!ack.ok) throw new Error(`widget ${index} could not open a conversation: ${ack.error.code}`);
      tracked.push({ index, conversationId: ack.data.conversationId, lastSeenSeq: ack.data.message.seq, missedIds: [] });
    }

    context.log("dropping every widget");
    closeAll(first.sockets);
    await sleep(500);

    // While they are away, the agent writes to every tracked conversation.
    let agentFailures = 0;
    await Promise.all(
      agents.map(async (agent, lane) => {
        for (let t = lane; t < tracked.length; t += agents.length) {
          const entry = tracked[t];
          if (!entry) continue;
          for (let m = 0; m < awayMessages; m++) {
            const before = performance.now();
            const ack = await emitWithAck<MessageDto>(agent, "message.send", {
              conversationId: entry.conversationId,
              clientId: `b4-away-${entry.index}-${m}`,
              text: `While you were away (${m + 1})`,
            }).catch(() => undefined);
            if (ack?.ok) entry.missedIds.push(ack.data.id);
            else agentFailures += 1;
            const wait = AGENT_SEND_SPACING_MS - (performance.now() - before);
            if (wait > 0) await sleep(wait);
          }
        }
      }),
    );
    if (agentFailures > 0) throw new Error(`${agentFailures} agent messages were refused while the widgets were away`);

    context.log(`storm: ${formatInt(clients)} widgets reconnect, ${concurrency} handshakes in flight`);
    const storm = await connectMany(tokens, (token) => world.connectVisitor(token, 10_000), concurrency, BACK_WITHIN_MS * 2);
    opened.push(...storm.sockets);
    const backMs = storm.elapsedMs;
    const connectedCount = storm.sockets.length;
    const handshakesPerSecond = connectedCount / (backMs / 1000);
    const failedPercent = (storm.failures / clients) * 100;

    // Each returning widget with a conversation asks for what it missed.
    let lost = 0;
    let resyncFailures = 0;
    const resyncMs: number[] = [];
    for (const entry of tracked) {
      const socket = storm.byIndex[entry.index];
      if (!socket) {
        lost += entry.missedIds.length;
        continue;
      }
      const before = performance.now();
      const ack = await emitWithAck<{ items: MessageDto[]; hasMore: boolean }>(socket, "conversation.resync", {
        conversationId: entry.conversationId,
        afterSeq: entry.lastSeenSeq,
      }).catch(() => undefined);
      resyncMs.push(performance.now() - before);
      if (!ack?.ok) {
        resyncFailures += 1;
        lost += entry.missedIds.length;
        continue;
      }
      const got = new Set(ack.data.items.map((message) => message.id));
      lost += entry.missedIds.filter((id) => !got.has(id)).length;
    }
    const resync = summarize(resyncMs);
    const connect = summarize(storm.connectMs);
    const ratio = handshakesPerSecond / baselineMetric(context, "bare-ws", "handshakesPerSecond");
    const missedTotal = tracked.reduce((sum, entry) => sum + entry.missedIds.length, 0);

    return {
      figures: [
        `${formatInt(connectedCount)}/${formatInt(clients)} back in ${formatSeconds(backMs)} (≤ 30 s)`,
        `${failedPercent.toFixed(2)} % failed (< 0.1 %)`,
        `${formatInt(handshakesPerSecond)} handshakes/s (connect p99 ${formatMs(connect.p99)})`,
        `lost ${lost} of ${missedTotal} sent while away (${tracked.length} widgets resynced, p99 ${formatMs(resync.p99)})`,
      ].join("  "),
      metrics: {
        clients,
        reconnected: connectedCount,
        backMs,
        failed: storm.failures,
        failedPercent,
        handshakesPerSecond,
        connectP50Ms: connect.p50,
        connectP99Ms: connect.p99,
        sentWhileAway: missedTotal,
        lost,
        resyncFailures,
        resyncP99Ms: resync.p99,
      },
      checks: [
        { name: "all back within", value: backMs, unit: "ms", op: "<=", limit: BACK_WITHIN_MS },
        { name: "failed reconnects", value: failedPercent, unit: "percent", op: "<=", limit: FAILED_PERCENT_LIMIT },
        { name: "messages lost", value: lost, unit: "count", op: "<=", limit: 0 },
      ],
      ratios: [{ name: "× bare-ws handshakes/s", value: ratio, unit: "ratio", op: ">=", limit: RATIO_LIMIT }],
      details: { clients, concurrency, tracked: tracked.length, awayMessages, resyncFailures },
    };
  } finally {
    closeAll(opened);
    await world.close();
  }
};

export const b4Reconnect: BenchItem = {
  id: "B4",
  kind: "budget",
  title: "reconnect storm: every widget drops and comes back, resyncing what it missed",
  needs: ["bare-ws"],
  run,
};
