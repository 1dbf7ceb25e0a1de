import type { Socket } from "socket.io-client";
import { measureBareSocketIoInsert } from "../baselines/bare-socketio-insert.ts";
import { measureBareWs } from "../baselines/bare-ws.ts";
import { envNumber } from "../lib/env.ts";
import { formatInt, formatMs } from "../lib/format.ts";
import { openConversations, runVisitorLoad, VISITOR_SEND_SPACING_MS, visitorSendBytes } from "../lib/load.ts";
import { restartAllocationProfile } from "../lib/parley.ts";
import { summarize } from "../lib/stats.ts";
import { sleep } from "../lib/time.ts";
import { type BenchItem, baselineMetric, type ItemResult } from "../lib/types.ts";
import { closeAll, connectMany, isFull, startWorld } from "../lib/world.ts";

const P99_BUDGET_MS = 50;
const RATIO_LIMIT = 3;

const run: BenchItem["run"] = async (context): Promise<ItemResult> => {
  const idle = envNumber("BENCH_B2_IDLE", isFull() ? 10_000 : 2_000);
  const rate = envNumber("BENCH_B2_RATE", 500);
  const seconds = envNumber("BENCH_B2_SECONDS", isFull() ? 30 : 10);
  // Enough senders that each stays well under the widget's 5 sends a second.
  const senderCount = Math.ceil((rate * VISITOR_SEND_SPACING_MS * 1.5) / 1000);
  // BENCHMARKS.md's bare-ws has the budget's client count and payload: every widget, sender and the
  // agent connected, echoing B2's messages at B2's rate, not the run's 500-client default.
  const clients = idle + senderCount + 1;
  context.log(`bare-ws at B2's load: ${formatInt(clients)} clients, echo at ${rate} msg/s`);
  const bareWs = await measureBareWs({
    clients,
    payloadBytes: visitorSendBytes("b2", rate * seconds),
    ratePerSecond: rate,
    rttSeconds: seconds,
    broadcasts: 0,
    connectConcurrency: 100,
  });
  const bareWsP99 = bareWs.metrics.rttP99Ms ?? Number.NaN;
  context.log(`floor: Socket.IO and one insert per message, ${formatInt(idle)} idle widgets, ${rate} msg/s`);
  const floor = await measureBareSocketIoInsert({ idle, senders: senderCount, ratePerSecond: rate, seconds });
  const world = await startWorld(context);
  const opened: Socket[] = [];
  try {
    const agent = await world.connectAgent();
    opened.push(agent);
    context.log(`connecting ${formatInt(idle)} idle widgets and ${senderCount} senders`);
    const idleTokens = Array.from({ length: idle }, () => world.mintVisitorToken());
    const idleSockets = await connectMany(idleTokens, world.connectVisitor, 100, 180_000);
    opened.push(...idleSockets.sockets);
    if (idleSockets.failures > 0) throw new Error(`${idleSockets.failures} of ${idle} idle widgets could not connect`);
    const senderTokens = Array.from({ length: senderCount }, () => world.mintVisitorToken());
    const senders = await connectMany(senderTokens, world.connectVisitor, 50, 60_000);
    opened.push(...senders.sockets);
    if (senders.failures > 0) throw new Error(`${senders.failures} senders could not connect`);
    const openFailures = await openConversations(senders.sockets, "b2");
    if (openFailures > 0) throw new Error(`${openFailures} senders could not open their conversation`);
    await sleep(1_100);

    restartAllocationProfile(world.parley);
    context.log(`${seconds} s at ${rate} msg/s`);
    const load = await runVisitorLoad({
      senders: senders.sockets,
      agent,
      durationMs: seconds * 1000,
      ratePerSecond: rate,
      prefix: "b2",
    });
    const delivery = summarize(load.deliveryMs);
    const ack = summarize(load.ackMs);
    const achieved = load.acked / (load.elapsedMs / 1000);
    const base = bareWsP99 + baselineMetric(context, "bare-insert", "insertP99Ms");
    const missing = load.acked - load.delivered;
    return {
      figures: [
        `send→agent p50 ${formatMs(delivery.p50)} p99 ${formatMs(delivery.p99)} (≤ ${P99_BUDGET_MS} ms)`,
        `ack p99 ${formatMs(ack.p99)}`,
        `bare-ws at this load rtt p99 ${formatMs(bareWsP99)}`,
        `floor (Socket.IO + one insert, same load) p50 ${formatMs(floor.delivery.p50)} p99 ${formatMs(floor.delivery.p99)}`,
        `${formatInt(achieved)} of ${rate} msg/s`,
        `${formatInt(idle)} idle widgets`,
        ...(missing > 0 ? [`${formatInt(missing)} not delivered`] : []),
        ...(load.failedAcks > 0 ? [`${formatInt(load.failedAcks)} failed ${JSON.stringify(load.failureCodes)}`] : []),
        ...(load.starved > 0 ? [`${formatInt(load.starved)} sends skipped (generator)`] : []),
      ].join("  "),
      metrics: {
        deliveryP50Ms: delivery.p50,
        deliveryP99Ms: delivery.p99,
        deliveryMaxMs: delivery.max,
        ackP50Ms: ack.p50,
        ackP99Ms: ack.p99,
        achievedPerSecond: achieved,
        idleWidgets: idle,
        sent: load.sent,
        delivered: load.delivered,
        failedAcks: load.failedAcks,
        baselineSumP99Ms: base,
        bareWsClients: clients,
        bareWsRttP50Ms: bareWs.metrics.rttP50Ms ?? Number.NaN,
        bareWsRttP99Ms: bareWsP99,
        floorP50Ms: floor.delivery.p50,
        floorP99Ms: floor.delivery.p99,
      },
      checks: [
        { name: "send→agent p99", value: delivery.p99, unit: "ms", op: "<=", limit: P99_BUDGET_MS },
        { name: "achieved rate", value: achieved, unit: "per second", op: ">=", limit: rate * 0.95 },
        { name: "failed or undelivered", value: load.failedAcks + missing, unit: "count", op: "<=", limit: 0 },
      ],
      ratios: [
        {
          name: "p99 ÷ (bare-ws p99 + bare-insert p99)",
          value: delivery.p99 / base,
          unit: "ratio",
          op: "<=",
          limit: RATIO_LIMIT,
        },
      ],
      details: { idle, rate, seconds, senders: senderCount, failureCodes: load.failureCodes, starved: load.starved },
    };
  } finally {
    closeAll(opened);
    await world.close();
  }
};

export const b2Latency: BenchItem = {
  id: "B2",
  kind: "budget",
  title: "visitor → agent delivery latency at a set rate with idle widgets connected",
  needs: ["bare-insert"],
  run,
};
