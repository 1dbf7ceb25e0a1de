import { randomUUID } from "node:crypto";
import { performance } from "node:perf_hooks";
import pg from "pg";
import { envNumber } from "../lib/env.ts";
import { formatInt, formatMs } from "../lib/format.ts";
import { benchPostgres } from "../lib/postgres.ts";
import { summarize } from "../lib/stats.ts";
import type { BenchItem, ItemResult } from "../lib/types.ts";

export type BareInsertOptions = {
  rows: number;
  /** 1 = each insert is its own (implicit) transaction; more wraps that many in begin/commit. */
  rowsPerTransaction: number;
  /** The loop stops here even if not all rows are in, and reports what it did. */
  maxSeconds: number;
};

export const bareInsertDefaults = (): BareInsertOptions => ({
  rows: envNumber("BENCH_INSERT_ROWS", 10_000),
  rowsPerTransaction: envNumber("BENCH_INSERT_ROWS_PER_TX", 1),
  maxSeconds: 30,
});

// A message-like row: ids, a sentence of text, a small jsonb, a timestamp, the indexes a messages table has.
const CREATE_TABLE = `
  create table bench_messages (
    id uuid primary key,
    conversation_id uuid not null,
    body text not null,
    meta jsonb not null,
    created_at timestamptz not null
  );
  create index bench_messages_conversation on bench_messages (conversation_id, created_at);`;

const INSERT = {
  name: "bench-insert-message",
  text: "insert into bench_messages (id, conversation_id, body, meta, created_at) values ($1, $2, $3, $4, $5)",
};

const BODY = "Hello, I ordered a blue jacket last week and it still has not shipped; could you check the order status?";

/** A plain `pg` loop over one connection, in a scratch database of the run's PostgreSQL. */
export const measureBareInsert = async (options: BareInsertOptions): Promise<ItemResult> => {
  const postgres = await benchPostgres();
  const database = await postgres.createScratchDatabase();
  const client = new pg.Client({ connectionString: database.url });
  try {
    await client.connect();
    await client.query(CREATE_TABLE);
    const conversations = Array.from({ length: 100 }, () => randomUUID());
    const latencies = new Float64Array(options.rows);
    const deadline = performance.now() + options.maxSeconds * 1000;
    const started = performance.now();
    let inserted = 0;
    while (inserted < options.rows && performance.now() < deadline) {
      const batch = Math.min(options.rowsPerTransaction, options.rows - inserted);
      if (batch > 1) await client.query("begin");
      for (let i = 0; i < batch; i++) {
        const before = performance.now();
        await client.query({
          ...INSERT,
          values: [
            randomUUID(),
            conversations[inserted % conversations.length],
            BODY,
            JSON.stringify({ channel: "web", sender: "contact", seq: inserted }),
            new Date(),
          ],
        });
        latencies[inserted] = performance.now() - before;
        inserted += 1;
      }
      if (batch > 1) await client.query("commit");
    }
    const elapsedMs = performance.now() - started;
    const perInsert = summarize(latencies.subarray(0, inserted));
    const rowsPerSecond = inserted / (elapsedMs / 1000);
    return {
      figures: [
        `${formatInt(rowsPerSecond)} rows/s`,
        `p50 ${formatMs(perInsert.p50)}`,
        `p99 ${formatMs(perInsert.p99)}`,
        `${formatInt(inserted)} rows, ${options.rowsPerTransaction}/tx, ${postgres.kind} PG`,
      ].join("  "),
      metrics: {
        rowsPerSecond,
        insertP50Ms: perInsert.p50,
        insertP99Ms: perInsert.p99,
        insertMaxMs: perInsert.max,
        rowsInserted: inserted,
      },
      checks: [],
      ratios: [],
      details: { ...options, postgres: postgres.description, stoppedByTimeLimit: inserted < options.rows },
    };
  } finally {
    await client.end().catch(() => undefined);
    await database.drop();
  }
};

export const bareInsert: BenchItem = {
  id: "bare-insert",
  kind: "baseline",
  title: "plain pg single-row inserts into a throwaway table",
  needs: [],
  run: () => measureBareInsert(bareInsertDefaults()),
};
