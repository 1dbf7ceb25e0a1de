import { performance } from "node:perf_hooks";
import { ZConversationListQuery } from "@parley/shared";
import { drizzle } from "drizzle-orm/node-postgres";
import { listConversations } from "../../apps/server/src/modules/conversations/conversation-list.ts";
import type { RequestIdentity } from "../../apps/server/src/platform/identity.ts";
import { envNumber } from "../lib/env.ts";
import { formatInt, formatMs, formatSeconds } from "../lib/format.ts";
import { seedWorkspace } from "../lib/seed.ts";
import { summarize } from "../lib/stats.ts";
import type { BenchItem, ItemResult } from "../lib/types.ts";
import { isFull, startWorld } from "../lib/world.ts";

const P95_BUDGET_MS = 30;
const STATEMENTS_BUDGET = 3;
const RATIO_LIMIT = 2;
const QUERY = "limit=25";

type Statement = { text: string; values: unknown[] };

const run: BenchItem["run"] = async (context): Promise<ItemResult> => {
  const conversations = envNumber("BENCH_B5_CONVERSATIONS", isFull() ? 100_000 : 20_000);
  const messages = envNumber("BENCH_B5_MESSAGES", conversations * 10);
  const requests = envNumber("BENCH_B5_REQUESTS", 300);
  const world = await startWorld(context);
  try {
    const probe = await world.api(`/api/v1/conversations?${QUERY}`);
    if (probe.status === 404) throw new Error("route not available: GET /api/v1/conversations answers 404");
    if (probe.status !== 200)
      throw new Error(`GET /api/v1/conversations answered ${probe.status}: ${JSON.stringify(probe.body)}`);
    const seed = await seedWorkspace(world, { conversations, messages }, context.log);

    // The statements the route runs for this page, captured by running Parley's own list function
    // on a Drizzle client that records its SQL, then replayed alone to time the database's part.
    const captured: Statement[] = [];
    const recorder = drizzle({
      client: world.pool,
      logger: { logQuery: (text, values) => captured.push({ text, values }) },
    });
    const identity: RequestIdentity = {
      kind: "session",
      workspaceId: world.owner.workspaceId,
      userId: world.owner.userId,
      sessionId: null,
      apiKeyId: null,
      roleId: null,
      permissions: ["conversations.view_all"] as unknown as RequestIdentity["permissions"],
      actorLabel: "bench",
      restriction: null,
      isPlatformAdmin: false,
    };
    const page = await listConversations(recorder, identity, ZConversationListQuery.parse({ limit: "25" }));
    const statements = [...captured];

    // Each request is followed by one replay of its statements, so both figures see the same host:
    // measured one after the other, a busy minute on this shared machine would land in one of them only.
    context.log(
      `${requests} × GET /api/v1/conversations?${QUERY} (${formatInt(conversations)} conversations), each followed by its ${statements.length} statements replayed over pg`,
    );
    const endToEnd: number[] = [];
    const sqlMs: number[] = [];
    let firstPageSize = -1;
    let badAnswers = 0;
    let firstBad: string | undefined;
    const client = await world.pool.connect();
    try {
      const replay = async () => {
        const before = performance.now();
        for (const statement of statements) await client.query(statement.text, statement.values);
        return performance.now() - before;
      };
      for (let i = 0; i < 20; i++) {
        await world.api(`/api/v1/conversations?${QUERY}`);
        await replay();
      }
      const deadline = performance.now() + 60_000;
      for (let i = 0; i < requests && performance.now() < deadline; i++) {
        const answer = await world.api(`/api/v1/conversations?${QUERY}`);
        if (answer.status !== 200) {
          badAnswers += 1;
          firstBad ??= `${answer.status} ${JSON.stringify(answer.body).slice(0, 300)}`;
        }
        if (firstPageSize < 0) firstPageSize = (answer.body as { items?: unknown[] }).items?.length ?? 0;
        endToEnd.push(answer.ms);
        sqlMs.push(await replay());
      }
    } finally {
      client.release();
    }
    const http = summarize(endToEnd);
    const sql = summarize(sqlMs);
    const p95 = (samples: number[]) => {
      const sorted = Float64Array.from(samples).sort();
      return sorted[Math.min(sorted.length - 1, Math.ceil(0.95 * sorted.length) - 1)] ?? Number.NaN;
    };
    const httpP95 = p95(endToEnd);
    const sqlP95 = p95(sqlMs);
    return {
      figures: [
        `p95 ${formatMs(httpP95)} (≤ ${P95_BUDGET_MS} ms), p50 ${formatMs(http.p50)}`,
        `SQL alone p95 ${formatMs(sqlP95)} in ${statements.length} statements (≤ ${STATEMENTS_BUDGET})`,
        `${formatInt(conversations)} convs / ${formatInt(messages)} msgs (seeded in ${formatSeconds(Math.round(seed.seedMs))})`,
        `${firstPageSize} rows`,
        ...(badAnswers > 0 ? [`${badAnswers} non-200 (first: ${firstBad})`] : []),
      ].join("  "),
      metrics: {
        httpP50Ms: http.p50,
        httpP95Ms: httpP95,
        httpP99Ms: http.p99,
        sqlP50Ms: sql.p50,
        sqlP95Ms: sqlP95,
        statements: statements.length,
        conversations,
        messages,
        seedMs: seed.seedMs,
        pageRows: firstPageSize,
        badAnswers,
      },
      checks: [
        { name: "list p95", value: httpP95, unit: "ms", op: "<=", limit: P95_BUDGET_MS },
        { name: "SQL statements", value: statements.length, unit: "count", op: "<=", limit: STATEMENTS_BUDGET },
        { name: "rows on the page", value: firstPageSize, unit: "count", op: ">=", limit: Math.min(25, conversations) },
        { name: "non-200 answers", value: badAnswers, unit: "count", op: "<=", limit: 0 },
      ],
      ratios: [{ name: "p95 ÷ SQL p95", value: httpP95 / sqlP95, unit: "ratio", op: "<=", limit: RATIO_LIMIT }],
      details: {
        conversations,
        messages,
        requests,
        query: QUERY,
        statements: statements.map((statement) => statement.text),
        capturedPageRows: page.items.length,
        firstBadAnswer: firstBad,
        serverOutput: badAnswers > 0 ? world.parley.child.outputTail() : undefined,
      },
    };
  } finally {
    await world.close();
  }
};

export const b5List: BenchItem = {
  id: "B5",
  kind: "budget",
  title: "conversation list, 25 rows, on a seeded workspace",
  needs: [],
  run,
};
