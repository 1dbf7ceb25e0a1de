import { performance } from "node:perf_hooks";
import { envNumber } from "../lib/env.ts";
import { formatInt, formatMs, formatSeconds } from "../lib/format.ts";
import { COMMON_TERM, RARE_TERM, seedWorkspace } from "../lib/seed.ts";
import { percentile, summarize } from "../lib/stats.ts";
import type { BenchItem, ItemResult } from "../lib/types.ts";
import { isFull, startWorld, type World } from "../lib/world.ts";

const P95_BUDGET_MS = 100;
const P99_BUDGET_MS = 300;
const RATIO_LIMIT = 5;
/** Each term's loop stops here even if not every request was made (the count is in the figures). */
const MAX_SECONDS_PER_TERM = 20;

/** Message hits in a search answer (`{ messages: [...] }`); any other shape counts as none. */
const hitsOf = (body: unknown): number => {
  if (typeof body !== "object" || body === null || !("messages" in body)) return 0;
  return Array.isArray(body.messages) ? body.messages.length : 0;
};

const timeTerm = async (world: World, term: string, requests: number) => {
  const url = `/api/v1/search?type=messages&q=${encodeURIComponent(term)}`;
  const warmUntil = performance.now() + 10_000;
  for (let i = 0; i < 10 && performance.now() < warmUntil; i++) await world.api(url);
  const samples: number[] = [];
  let badAnswers = 0;
  let hits = 0;
  const deadline = performance.now() + MAX_SECONDS_PER_TERM * 1000;
  for (let i = 0; i < requests && performance.now() < deadline; i++) {
    const answer = await world.api(url);
    if (answer.status !== 200) badAnswers += 1;
    hits = hitsOf(answer.body);
    samples.push(answer.ms);
  }
  const sorted = Float64Array.from(samples).sort();
  return { ...summarize(samples), p95: percentile(sorted, 95), badAnswers, hits, requests: samples.length };
};

const run: BenchItem["run"] = async (context): Promise<ItemResult> => {
  const messages = envNumber("BENCH_B6_MESSAGES", isFull() ? 1_000_000 : 200_000);
  const conversations = Math.max(1, Math.round(messages / 10));
  const requests = envNumber("BENCH_B6_REQUESTS", 200);
  const world = await startWorld(context);
  try {
    const probe = await world.api(`/api/v1/search?type=messages&q=${COMMON_TERM}`);
    if (probe.status === 404) throw new Error("route not available: GET /api/v1/search answers 404");
    if (probe.status !== 200) throw new Error(`GET /api/v1/search answered ${probe.status}: ${JSON.stringify(probe.body)}`);
    const seed = await seedWorkspace(world, { conversations, messages }, context.log);

    context.log(`${requests} searches for a common term ("${COMMON_TERM}", in half the messages)`);
    const common = await timeTerm(world, COMMON_TERM, requests);
    context.log(`${requests} searches for a rare term ("${RARE_TERM}", in ${seed.rareTermMessages} messages)`);
    const rare = await timeTerm(world, RARE_TERM, requests);
    const worstP95 = Math.max(common.p95, rare.p95);
    const worstP99 = Math.max(common.p99, rare.p99);
    return {
      figures: [
        `common p95 ${formatMs(common.p95)} p99 ${formatMs(common.p99)} (${common.hits} hits/page, ${common.requests} req)`,
        `rare p95 ${formatMs(rare.p95)} p99 ${formatMs(rare.p99)} (${rare.hits} hits, ${rare.requests} req)`,
        `budget p95 ≤ ${P95_BUDGET_MS} ms, p99 ≤ ${P99_BUDGET_MS} ms`,
        `${formatInt(messages)} msgs (seeded in ${formatSeconds(Math.round(seed.seedMs))})`,
        ...(common.badAnswers + rare.badAnswers > 0 ? [`${common.badAnswers + rare.badAnswers} non-200`] : []),
      ].join("  "),
      metrics: {
        commonP50Ms: common.p50,
        commonP95Ms: common.p95,
        commonP99Ms: common.p99,
        rareP50Ms: rare.p50,
        rareP95Ms: rare.p95,
        rareP99Ms: rare.p99,
        commonHits: common.hits,
        rareHits: rare.hits,
        messages,
        seedMs: seed.seedMs,
      },
      checks: [
        { name: "search p95", value: worstP95, unit: "ms", op: "<=", limit: P95_BUDGET_MS },
        { name: "search p99", value: worstP99, unit: "ms", op: "<=", limit: P99_BUDGET_MS },
        { name: "common-term hits", value: common.hits, unit: "count", op: ">=", limit: 1 },
        { name: "rare-term hits", value: rare.hits, unit: "count", op: ">=", limit: 1 },
        { name: "non-200 answers", value: common.badAnswers + rare.badAnswers, unit: "count", op: "<=", limit: 0 },
      ],
      ratios: [{ name: "common p99 ÷ rare p99", value: common.p99 / rare.p99, unit: "ratio", op: "<=", limit: RATIO_LIMIT }],
      details: {
        messages,
        conversations,
        requests,
        commonTerm: COMMON_TERM,
        rareTerm: RARE_TERM,
        rareTermMessages: seed.rareTermMessages,
      },
    };
  } finally {
    await world.close();
  }
};

export const b6Search: BenchItem = {
  id: "B6",
  kind: "budget",
  title: "message full-text search, common and rare terms, on a seeded workspace",
  needs: [],
  run,
};
