import { performance } from "node:perf_hooks";
import type { Socket } from "socket.io-client";
import { EVENT_LOOP_SAMPLE_INTERVAL_MS } from "../../apps/server/src/platform/event-loop-sampling.ts";
import { measureBareWs } from "../baselines/bare-ws.ts";
import { envNumber } from "../lib/env.ts";
import { formatInt, formatMB, formatMs, formatSeconds, megabytes } from "../lib/format.ts";
import { type LoadResult, openConversations, runVisitorLoad, VISITOR_SEND_SPACING_MS } from "../lib/load.ts";
import { rssBytes } from "../lib/proc.ts";
import { summarize } from "../lib/stats.ts";
import { sleep } from "../lib/time.ts";
import type { BenchItem, ItemResult } from "../lib/types.ts";
import { closeAll, connectMany, isFull, startWorld } from "../lib/world.ts";

const LAG_P99_BUDGET_MS = 20;
const RSS_BUDGET = megabytes(1536);
const GROWTH_BUDGET_PER_MINUTE = megabytes(1);
const RATIO_LIMIT = 3;
const LAG_METRIC = "parley_nodejs_eventloop_lag_p99_seconds";
const SAMPLE_EVERY_MS = 2_000;
/**
 * Growth is a steady-state figure (BENCHMARKS B10 soaks for 10 min): the heap takes its first
 * minutes to reach its working size, so a shorter soak's slope measures the warm-up instead.
 */
const MIN_JUDGED_SOAK_SECONDS = 300;

/** Least-squares slope of (ms, bytes) samples, in bytes per minute. */
const slopePerMinute = (samples: ReadonlyArray<{ atMs: number; rss: number }>): number => {
  if (samples.length < 2) return Number.NaN;
  const n = samples.length;
  const meanX = samples.reduce((sum, sample) => sum + sample.atMs, 0) / n;
  const meanY = samples.reduce((sum, sample) => sum + sample.rss, 0) / n;
  let num = 0;
  let den = 0;
  for (const sample of samples) {
    num += (sample.atMs - meanX) * (sample.rss - meanY);
    den += (sample.atMs - meanX) ** 2;
  }
  return den === 0 ? Number.NaN : (num / den) * 60_000;
};

const run: BenchItem["run"] = async (context): Promise<ItemResult> => {
  const seconds = envNumber("BENCH_B10_SECONDS", isFull() ? 600 : 60);
  const idle = envNumber("BENCH_B10_IDLE", isFull() ? 10_000 : 1_000);
  // BENCHMARKS.md soaks under B1's load: B1's own bar, 1,500 messages a second.
  const rate = envNumber("BENCH_B10_RATE", 1_500);
  const senderCount = Math.ceil((rate * VISITOR_SEND_SPACING_MS * 1.5) / 1000);
  const connections = idle + senderCount + 1;

  context.log(`bare-ws with the same ${formatInt(connections)} connections, for the RSS ratio`);
  const bare = await measureBareWs({
    clients: connections,
    payloadBytes: 64,
    ratePerSecond: 200,
    rttSeconds: 1,
    broadcasts: 2,
    connectConcurrency: 100,
  });
  const bareRss = bare.metrics.serverRssConnectedBytes ?? Number.NaN;

  const world = await startWorld(context);
  const opened: Socket[] = [];
  try {
    const agent = await world.connectAgent();
    opened.push(agent);
    context.log(`connecting ${formatInt(idle)} idle widgets and ${senderCount} senders`);
    const idleSockets = await connectMany(
      Array.from({ length: idle }, () => world.mintVisitorToken()),
      world.connectVisitor,
      100,
      180_000,
    );
    opened.push(...idleSockets.sockets);
    if (idleSockets.failures > 0) throw new Error(`${idleSockets.failures} of ${idle} idle widgets could not connect`);
    const senders = await connectMany(
      Array.from({ length: senderCount }, () => world.mintVisitorToken()),
      world.connectVisitor,
      50,
      60_000,
    );
    opened.push(...senders.sockets);
    if (senders.failures > 0) throw new Error(`${senders.failures} senders could not connect`);
    if ((await openConversations(senders.sockets, "b10")) > 0) throw new Error("some senders could not open a conversation");
    await sleep(1_100);

    // prom-client resets its event-loop histogram on every scrape: one scrape now, one at the end,
    // gives the p99 over the whole soak. RSS is read from /proc meanwhile, which does not disturb it.
    await world.metrics();
    const pid = world.parley.child.pid;
    const samples: { atMs: number; rss: number }[] = [];
    const started = performance.now();
    let sampling = true;
    const sampler = (async () => {
      while (sampling && samples.length < 100_000) {
        samples.push({ atMs: performance.now() - started, rss: await rssBytes(pid) });
        await sleep(SAMPLE_EVERY_MS);
      }
    })();
    context.log(`soak: ${formatSeconds(seconds * 1000)} at ${rate} msg/s with ${formatInt(idle)} idle widgets`);
    let load: LoadResult;
    try {
      load = await runVisitorLoad({
        senders: senders.sockets,
        agent,
        durationMs: seconds * 1000,
        ratePerSecond: rate,
        prefix: "b10",
      });
    } finally {
      sampling = false;
      await sampler;
    }
    const endMetrics = await world.metrics();
    // The histogram records the time between its samples; the loop's delay is what exceeds the interval.
    const histogramP99Ms = (endMetrics.get(LAG_METRIC) ?? Number.NaN) * 1000;
    const lagP99Ms = Math.max(0, histogramP99Ms - EVENT_LOOP_SAMPLE_INTERVAL_MS);
    const peakRss = Math.max(...samples.map((sample) => sample.rss));
    const endRss = samples.at(-1)?.rss ?? Number.NaN;
    // Growth over the second half, once caches and pools have warmed up.
    const growth = slopePerMinute(samples.filter((sample) => sample.atMs >= (seconds * 1000) / 2));
    const isGrowthJudged = seconds >= MIN_JUDGED_SOAK_SECONDS;
    const delivery = summarize(load.deliveryMs);
    const achieved = load.acked / (load.elapsedMs / 1000);
    const missing = load.acked - load.delivered;
    return {
      figures: [
        `event-loop delay p99 ${formatMs(lagP99Ms)} (≤ ${LAG_P99_BUDGET_MS} ms; histogram p99 ${formatMs(histogramP99Ms)} less its ${EVENT_LOOP_SAMPLE_INTERVAL_MS} ms sampling interval)`,
        `RSS peak ${formatMB(peakRss)} (≤ ${formatMB(RSS_BUDGET)})`,
        isGrowthJudged
          ? `growth ${(growth / megabytes(1)).toFixed(2)} MB/min (< 1)`
          : `growth ${(growth / megabytes(1)).toFixed(2)} MB/min (not judged: a soak under ${MIN_JUDGED_SOAK_SECONDS} s is still warming up; BENCH_FULL=1 soaks 600 s)`,
        `${formatSeconds(seconds * 1000)} at ${formatInt(achieved)} msg/s, ${formatInt(connections)} sockets`,
        `delivery p99 ${formatMs(delivery.p99)}`,
        ...(load.failedAcks + missing > 0 ? [`${load.failedAcks} failed, ${missing} undelivered`] : []),
      ].join("  "),
      metrics: {
        eventLoopLagP99Ms: lagP99Ms,
        eventLoopHistogramP99Ms: histogramP99Ms,
        rssPeakBytes: peakRss,
        rssEndBytes: endRss,
        rssGrowthBytesPerMinute: growth,
        bareWsRssBytes: bareRss,
        achievedPerSecond: achieved,
        deliveryP99Ms: delivery.p99,
        sent: load.sent,
        failedAcks: load.failedAcks,
        undelivered: missing,
        connections,
      },
      checks: [
        { name: "event-loop delay p99", value: lagP99Ms, unit: "ms", op: "<=", limit: LAG_P99_BUDGET_MS },
        { name: "RSS", value: peakRss, unit: "bytes", op: "<=", limit: RSS_BUDGET },
        ...(isGrowthJudged
          ? [
              {
                name: "RSS growth per minute",
                value: growth,
                unit: "bytes/min",
                op: "<=" as const,
                limit: GROWTH_BUDGET_PER_MINUTE,
              },
            ]
          : []),
        { name: "failed or undelivered", value: load.failedAcks + missing, unit: "count", op: "<=", limit: 0 },
      ],
      ratios: [
        { name: "RSS ÷ bare-ws RSS, same sockets", value: peakRss / bareRss, unit: "ratio", op: "<=", limit: RATIO_LIMIT },
      ],
      details: { seconds, idle, rate, senders: senderCount, rssSamples: samples, bareWs: bare.metrics },
    };
  } finally {
    closeAll(opened);
    await world.close();
  }
};

export const b10Soak: BenchItem = {
  id: "B10",
  kind: "budget",
  title: "soak: steady widget messages and idle widgets on one process",
  needs: [],
  run,
};
