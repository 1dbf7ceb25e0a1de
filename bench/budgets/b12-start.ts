import path from "node:path";
import { formatMB, formatSeconds, megabytes } from "../lib/format.ts";
import { type ParleyProcess, startParley } from "../lib/parley.ts";
import { freePort } from "../lib/ports.ts";
import { processesMentioning, rssBytes, treeMemory } from "../lib/proc.ts";
import { sleep } from "../lib/time.ts";
import { makeTempDir } from "../lib/tmp.ts";
import type { BenchItem, ItemResult } from "../lib/types.ts";

const IDLE_BEFORE_RSS_MS = 3_000;
const FIRST_READY_BUDGET_MS = 20_000;
const WARM_READY_BUDGET_MS = 5_000;
const IDLE_RSS_BUDGET = megabytes(250);

/** Kills, by pid, whatever still has the data folder on its command line (a PostgreSQL Parley failed to stop). */
const killLeftovers = async (dataDir: string): Promise<void> => {
  for (const { pid } of await processesMentioning(dataDir)) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // Already gone.
    }
  }
};

const run: BenchItem["run"] = async ({ repoRoot, log }): Promise<ItemResult> => {
  const temp = await makeTempDir("b12");
  const dataDir = path.join(temp.path, "data");
  const started: ParleyProcess[] = [];
  try {
    const port = await freePort();
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      PORT: String(port),
      // Loopback only: the bench must not expose a server with a demo login to the network.
      HOST: "127.0.0.1",
      EMBEDDED_PG_PORT: String(await freePort()),
      PARLEY_DATA_DIR: dataDir,
      LOG_LEVEL: "warn",
    };
    delete env.DATABASE_URL;
    // The temp folder as working directory keeps a developer's .env (which could set DATABASE_URL) out of the measurement.
    const options = { repoRoot, env, port, cwd: temp.path };

    log("first start on an empty data folder");
    const first = await startParley(options);
    started.push(first);
    log(`ready in ${formatSeconds(first.readyMs)}; idling ${IDLE_BEFORE_RSS_MS / 1000} s before reading RSS`);
    await sleep(IDLE_BEFORE_RSS_MS);
    const serverRss = await rssBytes(first.child.pid);
    const tree = await treeMemory(first.child.pid);
    const firstStop = await first.stop();
    const firstOrphans = await processesMentioning(dataDir);
    await killLeftovers(dataDir);

    log("warm restart on the same data folder");
    const warm = await startParley(options);
    started.push(warm);
    const warmStop = await warm.stop();
    const warmOrphans = await processesMentioning(dataDir);

    const stops = [firstStop, warmStop];
    const badExits = stops.filter((stop) => stop.code !== 0 || stop.signal !== null).length;
    const orphans = firstOrphans.length + warmOrphans.length;
    const exitText = stops.map((stop) => (stop.signal ? stop.signal : String(stop.code))).join("/");

    return {
      figures: [
        `first ready ${formatSeconds(first.readyMs)} (≤ ${formatSeconds(FIRST_READY_BUDGET_MS)})`,
        `warm ready ${formatSeconds(warm.readyMs)} (≤ ${formatSeconds(WARM_READY_BUDGET_MS)})`,
        `idle RSS ${formatMB(serverRss)} (≤ ${formatMB(IDLE_RSS_BUDGET)}; tree of ${tree.processes.length}: RSS ${formatMB(tree.rss)}, PSS ${formatMB(tree.pss)})`,
        `exit ${exitText}`,
        `orphans ${orphans}`,
      ].join("  "),
      metrics: {
        firstReadyMs: first.readyMs,
        warmReadyMs: warm.readyMs,
        idleServerRssBytes: serverRss,
        idleTreeRssBytes: tree.rss,
        idleTreePssBytes: tree.pss,
        idleTreeProcesses: tree.processes.length,
        firstStopMs: firstStop.stopMs,
        warmStopMs: warmStop.stopMs,
        badExits,
        orphans,
      },
      checks: [
        { name: "first ready", value: first.readyMs, unit: "ms", op: "<=", limit: FIRST_READY_BUDGET_MS },
        { name: "warm ready", value: warm.readyMs, unit: "ms", op: "<=", limit: WARM_READY_BUDGET_MS },
        { name: "idle server RSS", value: serverRss, unit: "bytes", op: "<=", limit: IDLE_RSS_BUDGET },
        { name: "non-zero exits on SIGINT", value: badExits, unit: "count", op: "<=", limit: 0 },
        { name: "orphaned processes", value: orphans, unit: "count", op: "<=", limit: 0 },
      ],
      ratios: [],
      details: {
        dataDir,
        idleTree: tree.processes,
        stops,
        orphans: [...firstOrphans, ...warmOrphans],
      },
    };
  } finally {
    for (const server of started) if (server.child.isRunning()) await server.child.stopTree();
    await killLeftovers(dataDir);
    await temp.remove();
  }
};

export const b12Start: BenchItem = {
  id: "B12",
  kind: "budget",
  title: "first start on the embedded default, then a warm restart",
  needs: [],
  run,
};
