import autocannon from "autocannon";
import { envNumber } from "../lib/env.ts";
import { formatInt, formatMs } from "../lib/format.ts";
import { summarize } from "../lib/stats.ts";
import { type BenchItem, baselineMetric, type ItemResult } from "../lib/types.ts";
import { isFull, startWorld } from "../lib/world.ts";

const RATE_BUDGET = 2_000;
const MEDIAN_BUDGET_MS = 20;
const RATIO_LIMIT = 0.1;

/**
 * Platform webhooks at full tilt: each request is authenticated, split into envelopes, stored raw
 * with its dedupe key and enqueued in one statement, then answered. Every request carries a new
 * message id (a redelivery would be a cheaper no-op), through the API channel's endpoint, which is
 * the same ingest path every platform adapter uses.
 */
const run: BenchItem["run"] = async (context): Promise<ItemResult> => {
  const seconds = envNumber("BENCH_B7_SECONDS", isFull() ? 30 : 8);
  const connections = envNumber("BENCH_B7_CONNECTIONS", 50);
  // Ingest alone: an API node answers the platform; workers (elsewhere) turn events into messages,
  // which B1 measures. The stored rows and queued jobs are checked, so nothing is skipped.
  const world = await startWorld({ ...context, role: "api" });
  try {
    const headers = { authorization: `Bearer ${world.owner.token}`, "content-type": "application/json" };
    const created = await fetch(`${world.baseUrl}/api/v1/inboxes`, {
      method: "POST",
      headers,
      body: JSON.stringify({ type: "api", name: "Bench API" }),
    });
    if (created.status !== 201) throw new Error(`creating the API inbox answered ${created.status}: ${await created.text()}`);
    const inboxId = ((await created.json()) as { id: string }).id;
    const connected = await fetch(`${world.baseUrl}/api/v1/inboxes/${inboxId}/channel`, {
      method: "PUT",
      headers,
      body: JSON.stringify({ credentials: {} }),
    });
    if (connected.status !== 200)
      throw new Error(`connecting the API inbox answered ${connected.status}: ${await connected.text()}`);
    const channelToken = ((await connected.json()) as { issuedCredentials: { token: string } }).issuedCredentials.token;

    // Bodies are made before the clock starts, so the load generator spends its time sending.
    const bodies = Array.from({ length: envNumber("BENCH_B7_BODIES", 400_000) }, (_, index) =>
      JSON.stringify({
        type: "message",
        id: `bench-${index}`,
        contact: { id: `customer-${index % 2_000}`, name: "Bench Customer" },
        text: "Hello, is my order on its way?",
      }),
    );
    let sequence = 0;
    const body = () => bodies[sequence++ % bodies.length];
    context.log(`${seconds} s of webhooks at ${connections} connections`);
    const latencies: number[] = [];
    const load = autocannon({
      url: `${world.baseUrl}/webhooks/api/${inboxId}`,
      connections,
      duration: seconds,
      timeout: 10,
      requests: [
        {
          method: "POST",
          headers: { authorization: `Bearer ${channelToken}`, "content-type": "application/json" },
          setupRequest: (request) => ({ ...request, body: body() }),
        },
      ],
    });
    load.on("response", (_client, _status, _bytes, responseTimeMs) => {
      if (latencies.length < 5_000_000) latencies.push(responseTimeMs);
    });
    const result = await load;
    const accepted = result["2xx"];
    const failures = result.errors + result.timeouts + result.non2xx;
    const rate = accepted / result.duration;
    const latency = summarize(latencies);
    const stored = await world.pool.query<{ count: string }>("select count(*) from channel_events where inbox_id = $1", [
      inboxId,
    ]);
    const storedCount = Number(stored.rows[0]?.count ?? 0);
    // Jobs carry a few event ids each; every stored event must be in one.
    const queued = await world.pool.query<{ count: string }>(
      `select coalesce(sum(json_array_length(jobs.payload->'eventIds')), 0) as count
       from graphile_worker._private_jobs jobs join graphile_worker._private_tasks tasks on tasks.id = jobs.task_id
       where tasks.identifier = 'channels.process_event'`,
    );
    const queuedCount = Number(queued.rows[0]?.count ?? 0);
    const bareRate = baselineMetric(context, "bare-http", "requestsPerSecond");
    const ratio = rate / bareRate;
    return {
      figures: [
        `${formatInt(rate)} req/s (≥ ${formatInt(RATE_BUDGET)})`,
        `median ${formatMs(latency.p50)} (≤ ${MEDIAN_BUDGET_MS} ms), p99 ${formatMs(latency.p99)}`,
        `${formatInt(storedCount)} stored of ${formatInt(accepted)} answered 2xx`,
        ...(failures > 0 ? [`${formatInt(failures)} failed`] : []),
      ].join("  "),
      metrics: {
        requestsPerSecond: rate,
        latencyP50Ms: latency.p50,
        latencyP99Ms: latency.p99,
        accepted,
        stored: storedCount,
        queued: queuedCount,
        failures,
      },
      checks: [
        { name: "webhooks/s", value: rate, unit: "req/s", op: ">=", limit: RATE_BUDGET },
        { name: "median latency", value: latency.p50, unit: "ms", op: "<=", limit: MEDIAN_BUDGET_MS },
        { name: "answered but not stored", value: accepted - storedCount, unit: "count", op: "<=", limit: 0 },
        { name: "stored but not queued", value: storedCount - queuedCount, unit: "count", op: "<=", limit: 0 },
        { name: "failed requests", value: failures, unit: "count", op: "<=", limit: 0 },
      ],
      ratios: [{ name: "× bare-http req/s", value: ratio, unit: "ratio", op: ">=", limit: RATIO_LIMIT }],
      details: { seconds, connections },
    };
  } finally {
    await world.close();
  }
};

export const b7Ingest: BenchItem = {
  id: "B7",
  kind: "budget",
  title: "platform webhook ingest: verify, dedupe, durable enqueue, 200",
  needs: ["bare-http"],
  run,
};
