import { mkdir, readFile, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { bareHttp } from "./baselines/bare-http.ts";
import { bareInsert } from "./baselines/bare-insert.ts";
import { bareWs } from "./baselines/bare-ws.ts";
import { b1Inbound } from "./budgets/b1-inbound.ts";
import { b2Latency } from "./budgets/b2-latency.ts";
import { b4Reconnect } from "./budgets/b4-reconnect.ts";
import { b5List } from "./budgets/b5-list.ts";
import { b6Search } from "./budgets/b6-search.ts";
import { b7Ingest } from "./budgets/b7-ingest.ts";
import { b10Soak } from "./budgets/b10-soak.ts";
import { b12Start } from "./budgets/b12-start.ts";
import { exitOnSignals, isInterrupted, runCleanups } from "./lib/cleanup.ts";
import { describeHostNoise, type HostNoise, watchHostNoise } from "./lib/host-noise.ts";
import { stopBenchPostgres } from "./lib/postgres.ts";
import { type BenchItem, type Check, type ItemResult, isWithin } from "./lib/types.ts";

/** Baselines first, in the order they run; a new budget is one import and one line here. */
const REGISTRY: readonly BenchItem[] = [
  bareHttp,
  bareWs,
  bareInsert,
  b1Inbound,
  b2Latency,
  b4Reconnect,
  b5List,
  b6Search,
  b7Ingest,
  b10Soak,
  b12Start,
];

const REPO_ROOT = path.resolve(import.meta.dirname, "..");
const RESULTS_FILE = path.join(REPO_ROOT, "bench-results", "latest.json");

type Outcome = {
  item: BenchItem;
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  result?: ItemResult;
  error?: string;
  stack?: string | undefined;
  hostNoise?: HostNoise;
};

const usage = () =>
  [
    "Usage: npm run bench [-- ID ...]",
    "",
    "Runs every benchmark, or only the ones named (with the baselines they need).",
    ...REGISTRY.map((item) => `  ${item.id.padEnd(12)} ${item.title}`),
  ].join("\n");

/** The chosen items plus the baselines they need, in registry order (so baselines come first). */
const plan = (requested: string[]): BenchItem[] => {
  if (requested.length === 0) return [...REGISTRY];
  const wanted = new Set<string>();
  for (const name of requested) {
    const item = REGISTRY.find((candidate) => candidate.id.toLowerCase() === name.toLowerCase());
    if (!item) throw new Error(`Unknown benchmark "${name}".\n\n${usage()}`);
    wanted.add(item.id);
    for (const need of item.needs) wanted.add(need);
  }
  return REGISTRY.filter((item) => wanted.has(item.id));
};

const readCgroupCpuLimit = async (): Promise<string | undefined> => {
  try {
    return (await readFile("/sys/fs/cgroup/cpu.max", "utf8")).trim();
  } catch {
    return undefined;
  }
};

const machineInfo = async () => {
  const cpus = os.cpus();
  return {
    hostname: os.hostname(),
    platform: os.platform(),
    release: os.release(),
    arch: os.arch(),
    cpus: cpus.length,
    availableParallelism: os.availableParallelism(),
    cpuModel: cpus[0]?.model ?? "unknown",
    cgroupCpuMax: await readCgroupCpuLimit(),
    totalMemoryBytes: os.totalmem(),
    freeMemoryBytes: os.freemem(),
    loadAverage: os.loadavg(),
    node: process.version,
    v8: process.versions.v8,
  };
};

const withVerdict = (check: Check) => ({ ...check, within: isWithin(check) });

const statusOf = (outcome: Outcome): "measured" | "pass" | "fail" | "error" => {
  if (!outcome.result) return "error";
  if (outcome.item.kind === "baseline") return "measured";
  const { checks, ratios } = outcome.result;
  return [...checks, ...ratios].every(isWithin) ? "pass" : "fail";
};

const formatRatio = (ratio: Check): string =>
  `${ratio.name} ${ratio.value.toFixed(2)}${Number.isFinite(ratio.limit) ? ` (${ratio.op === "<=" ? "≤" : "≥"} ${ratio.limit})` : ""}`;

const tableLines = (outcomes: Outcome[]): string[] => {
  const rows = outcomes.map((outcome) => {
    const status = statusOf(outcome);
    const noise = outcome.hostNoise && describeHostNoise(outcome.hostNoise);
    const figures = [outcome.result?.figures ?? "", ...(noise ? [`(${noise})`] : [])].join("  ");
    const ratio =
      outcome.item.kind === "baseline" || !outcome.result
        ? ""
        : outcome.result.ratios.length === 0
          ? "ratio —"
          : outcome.result.ratios.map(formatRatio).join("; ");
    const over = outcome.result ? [...outcome.result.checks, ...outcome.result.ratios].filter((check) => !isWithin(check)) : [];
    const verdict =
      status === "error"
        ? `ERROR: ${outcome.error?.split("\n")[0] ?? "unknown"}`
        : status === "pass"
          ? "PASS"
          : status === "fail"
            ? `FAIL (over: ${over.map((check) => check.name).join(", ")})`
            : "";
    return [outcome.item.id, figures, ratio, verdict];
  });
  const widths = [0, 1, 2].map((column) => Math.max(...rows.map((row) => row[column]?.length ?? 0)));
  return rows.map((row) =>
    row
      .map((cell, column) => cell.padEnd(widths[column] ?? 0))
      .join("   ")
      .trimEnd(),
  );
};

const main = async (): Promise<number> => {
  const args = process.argv.slice(2);
  if (args.includes("--help") || args.includes("-h")) {
    console.log(usage());
    return 0;
  }
  let items: BenchItem[];
  try {
    items = plan(args);
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    return 2;
  }

  exitOnSignals();
  const runStartedAt = new Date();
  const runStarted = performance.now();
  const machine = await machineInfo();
  const baselines = new Map<string, ItemResult>();
  const outcomes: Outcome[] = [];
  console.error(
    `bench: ${items.map((item) => item.id).join(", ")} on ${machine.cpus} CPUs (load ${machine.loadAverage[0]?.toFixed(2)}), Node ${machine.node}`,
  );

  try {
    for (const item of items) {
      if (isInterrupted()) break;
      const startedAt = new Date();
      const started = performance.now();
      const log = (message: string) => console.error(`  [${item.id}] ${message}`);
      log(`${item.title}…`);
      const outcome: Outcome = { item, startedAt: startedAt.toISOString(), finishedAt: "", durationMs: 0 };
      const hostNoise = await watchHostNoise();
      try {
        outcome.result = await item.run({ repoRoot: REPO_ROOT, baselines, log });
        if (item.kind === "baseline") baselines.set(item.id, outcome.result);
      } catch (error) {
        outcome.error = error instanceof Error ? error.message : String(error);
        outcome.stack = error instanceof Error ? error.stack : undefined;
      }
      outcome.hostNoise = await hostNoise.stop();
      outcome.durationMs = performance.now() - started;
      outcome.finishedAt = new Date().toISOString();
      if (isInterrupted()) break;
      log(`${outcome.result ? "done" : "failed"} in ${(outcome.durationMs / 1000).toFixed(1)} s`);
      outcomes.push(outcome);
    }
  } finally {
    if (!isInterrupted()) await stopBenchPostgres();
    await runCleanups();
  }
  // The signal handler finishes the cleanup and exits; results of a cut-short run are not written.
  if (isInterrupted()) return 130;

  const budgets = outcomes.filter((outcome) => outcome.item.kind === "budget");
  const within = budgets.filter((outcome) => statusOf(outcome) === "pass").length;
  const over = budgets.filter((outcome) => statusOf(outcome) === "fail").length;
  const errors = outcomes.filter((outcome) => statusOf(outcome) === "error").length;

  console.log("");
  for (const line of tableLines(outcomes)) console.log(line);
  console.log("");
  console.log(`${within} within budget, ${over} over budget${errors > 0 ? `, ${errors} could not be measured` : ""}`);

  const report = {
    startedAt: runStartedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    durationMs: performance.now() - runStarted,
    arguments: args,
    machine: { ...machine, loadAverageAtEnd: os.loadavg() },
    settings: Object.fromEntries(
      Object.entries(process.env).filter(([name]) => name.startsWith("BENCH_") && name !== "BENCH_DATABASE_URL"),
    ),
    usesBenchDatabaseUrl: process.env.BENCH_DATABASE_URL !== undefined,
    results: outcomes.map((outcome) => ({
      id: outcome.item.id,
      kind: outcome.item.kind,
      title: outcome.item.title,
      status: statusOf(outcome),
      startedAt: outcome.startedAt,
      finishedAt: outcome.finishedAt,
      durationMs: outcome.durationMs,
      figures: outcome.result?.figures,
      metrics: outcome.result?.metrics,
      checks: outcome.result?.checks.map(withVerdict),
      ratios: outcome.result?.ratios.map(withVerdict),
      details: outcome.result?.details,
      hostNoise: outcome.hostNoise,
      error: outcome.error,
      stack: outcome.stack,
    })),
    summary: { withinBudget: within, overBudget: over, errors },
  };
  await mkdir(path.dirname(RESULTS_FILE), { recursive: true });
  await writeFile(RESULTS_FILE, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`results: ${path.relative(process.cwd(), RESULTS_FILE) || RESULTS_FILE}`);

  // A budget over its bar is a measurement, not a failure of the run; a benchmark that could not run is.
  return errors > 0 ? 1 : 0;
};

process.exitCode = await main();
