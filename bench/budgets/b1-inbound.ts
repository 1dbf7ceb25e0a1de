import type { Socket } from "socket.io-client";
import { envNumber } from "../lib/env.ts";
import { formatInt, formatMs } from "../lib/format.ts";
import { openConversations, runVisitorLoad, VISITOR_SEND_SPACING_MS } from "../lib/load.ts";
import { restartAllocationProfile } from "../lib/parley.ts";
import { summarize } from "../lib/stats.ts";
import { sleep } from "../lib/time.ts";
import { type BenchItem, baselineMetric, type ItemResult } from "../lib/types.ts";
import { closeAll, connectMany, isFull, startWorld } from "../lib/world.ts";

const RATE_BUDGET = 1_500;
const ACK_P99_BUDGET_MS = 100;
const RATIO_LIMIT = 0.3;

const run: BenchItem["run"] = async (context): Promise<ItemResult> => {
  const seconds = envNumber("BENCH_B1_SECONDS", isFull() ? 60 : 20);
  // Each widget may send 5 messages a second, so the widgets cap what the load can reach: 2,400 put
  // that cap near 11,700 msg/s, far above what one 2-core box persists (800 capped it at 3,900).
  const visitors = envNumber("BENCH_B1_VISITORS", 2_400);
  const generatorCeiling = (visitors * 1000) / VISITOR_SEND_SPACING_MS;
  const inflight = envNumber("BENCH_B1_INFLIGHT", 64);
  const world = await startWorld(context);
  const opened: Socket[] = [];
  try {
    const agent = await world.connectAgent();
    opened.push(agent);
    context.log(`connecting ${visitors} visitors`);
    const tokens = Array.from({ length: visitors }, () => world.mintVisitorToken());
    const connected = await connectMany(tokens, world.connectVisitor, 50, 60_000);
    opened.push(...connected.sockets);
    if (connected.failures > 0) throw new Error(`${connected.failures} of ${visitors} visitors could not connect`);
    const openFailures = await openConversations(connected.sockets, "b1");
    if (openFailures > 0) throw new Error(`${openFailures} visitors could not open their conversation`);
    // Past the widget's one-second send window of the opening messages.
    await sleep(1_100);

    restartAllocationProfile(world.parley);
    context.log(`${seconds} s of visitor messages, ${inflight} in flight over ${visitors} widgets`);
    const load = await runVisitorLoad({
      senders: connected.sockets,
      agent,
      durationMs: seconds * 1000,
      inflight,
      prefix: "b1",
    });
    const stored = await world.pool.query<{ count: string }>(
      "select count(*) from messages where workspace_id = $1 and client_id like 'b1-%' and client_id not like 'b1-open-%'",
      [world.owner.workspaceId],
    );
    const notPersisted = load.acked - Number(stored.rows[0]?.count ?? 0);
    const messagesPerSecond = load.acked / (load.elapsedMs / 1000);
    const ack = summarize(load.ackMs);
    const missing = load.acked - load.delivered;
    const ratio = messagesPerSecond / baselineMetric(context, "bare-insert", "rowsPerSecond");
    return {
      figures: [
        `${formatInt(messagesPerSecond)} msg/s (≥ ${formatInt(RATE_BUDGET)})`,
        `ack p50 ${formatMs(ack.p50)} p99 ${formatMs(ack.p99)} (≤ ${ACK_P99_BUDGET_MS} ms)`,
        `${formatInt(load.acked)} msgs in ${seconds} s, ${inflight} in flight, ${visitors} widgets (at most ${formatInt(generatorCeiling)} msg/s)`,
        ...(load.starved > 0 ? [`${formatInt(load.starved)} waits for a widget (generator-bound)`] : []),
        `agent got ${formatInt(load.delivered)}, DB has ${formatInt(load.acked - notPersisted)}`,
        ...(load.failedAcks > 0 ? [`${formatInt(load.failedAcks)} failed ${JSON.stringify(load.failureCodes)}`] : []),
      ].join("  "),
      metrics: {
        messagesPerSecond,
        ackP50Ms: ack.p50,
        ackP99Ms: ack.p99,
        ackMaxMs: ack.max,
        sent: load.sent,
        acked: load.acked,
        failedAcks: load.failedAcks,
        deliveredToAgent: load.delivered,
        missingAtAgent: missing,
        ackedButNotStored: notPersisted,
        generatorCeilingPerSecond: generatorCeiling,
        waitsForAWidget: load.starved,
      },
      checks: [
        { name: "msg/s", value: messagesPerSecond, unit: "per second", op: ">=", limit: RATE_BUDGET },
        { name: "ack p99", value: ack.p99, unit: "ms", op: "<=", limit: ACK_P99_BUDGET_MS },
        { name: "failed acks", value: load.failedAcks, unit: "count", op: "<=", limit: 0 },
        { name: "acked but not in the database", value: notPersisted, unit: "count", op: "<=", limit: 0 },
        { name: "acked but not delivered to the agent", value: missing, unit: "count", op: "<=", limit: 0 },
        // A wait means every widget had used its rate window: the load measured itself, not Parley.
        { name: "waits for a widget's rate window", value: load.starved, unit: "count", op: "<=", limit: 0 },
      ],
      ratios: [{ name: "× bare-insert rows/s", value: ratio, unit: "ratio", op: ">=", limit: RATIO_LIMIT }],
      details: { seconds, visitors, inflight, failureCodes: load.failureCodes, conversations: load.conversationIds.size },
    };
  } finally {
    closeAll(opened);
    await world.close();
  }
};

export const b1Inbound: BenchItem = {
  id: "B1",
  kind: "budget",
  title: "inbound widget messages persisted and fanned out to an agent, sustained",
  needs: ["bare-insert"],
  run,
};
