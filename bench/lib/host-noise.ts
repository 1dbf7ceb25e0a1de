import { spawn } from "node:child_process";
import { readFile } from "node:fs/promises";
import { onCleanup } from "./cleanup.ts";

/**
 * What the machine did to every process while an item ran, apart from the item's own load:
 * the CPU time the hypervisor took (steal), and the longest time an idle process's timer woke
 * late. A latency budget over its bar while the host stalled for as long says little about Parley.
 */
export type HostNoise = {
  /** Share of all CPU time stolen by the hypervisor, in percent (/proc/stat). */
  stealPercent: number;
  /** The longest an idle probe's 5 ms timer fired late, in ms. */
  maxStallMs: number;
  /** The probe's late time summed over stalls of 20 ms or more, in ms. */
  stalledMs: number;
};

/** Figures worth a mention on an item's line; below them the host was quiet enough. */
const NOTABLE_STEAL_PERCENT = 5;
const NOTABLE_STALL_MS = 50;

/** The idle probe: a timer every 5 ms; on any input it prints its worst and total lateness and exits. */
const PROBE_SOURCE = `
const TICK_MS = 5;
let last = performance.now();
let maxLate = 0;
let stalled = 0;
setInterval(() => {
  const now = performance.now();
  const late = now - last - TICK_MS;
  last = now;
  if (late > maxLate) maxLate = late;
  if (late >= 20) stalled += late;
}, TICK_MS);
process.stdin.once("data", () => {
  process.stdout.write(JSON.stringify({ maxStallMs: Math.max(0, maxLate), stalledMs: stalled }) + "\\n", () => process.exit(0));
});
`;

type CpuTimes = { steal: number; total: number };

/** The first line of /proc/stat: jiffies spent in each state by all CPUs together; undefined off Linux. */
const readCpuTimes = async (): Promise<CpuTimes | undefined> => {
  try {
    const line = (await readFile("/proc/stat", "utf8")).split("\n")[0] ?? "";
    const fields = line.trim().split(/\s+/).slice(1).map(Number);
    // user nice system idle iowait irq softirq steal guest guest_nice; guests are already inside user and nice.
    const total = fields.slice(0, 8).reduce((sum, value) => sum + value, 0);
    return { steal: fields[7] ?? 0, total };
  } catch {
    return undefined;
  }
};

/** Starts watching; `stop` ends the probe and returns what the host did in between. */
export const watchHostNoise = async (): Promise<{ stop: () => Promise<HostNoise> }> => {
  const before = await readCpuTimes();
  const probe = spawn(process.execPath, ["--input-type=module", "-e", PROBE_SOURCE], { stdio: ["pipe", "pipe", "ignore"] });
  const removeCleanup = onCleanup(() => {
    probe.kill("SIGKILL");
  });
  // Writing "stop" to a probe that was already killed must not throw an unheard EPIPE.
  probe.stdin.on("error", () => {});
  let output = "";
  probe.stdout.on("data", (chunk: Buffer) => {
    output += chunk.toString("utf8");
  });
  const exited = new Promise<void>((resolve) => probe.once("exit", () => resolve()));
  return {
    stop: async () => {
      probe.stdin.end("stop\n");
      await exited;
      removeCleanup();
      const after = await readCpuTimes();
      const stolen = before && after ? after.steal - before.steal : 0;
      const elapsed = before && after ? after.total - before.total : 0;
      let measured: { maxStallMs?: number; stalledMs?: number } = {};
      try {
        measured = JSON.parse(output);
      } catch {
        // A probe that died says nothing about stalls; steal still counts.
      }
      return {
        stealPercent: elapsed > 0 ? (100 * stolen) / elapsed : 0,
        maxStallMs: measured.maxStallMs ?? Number.NaN,
        stalledMs: measured.stalledMs ?? Number.NaN,
      };
    },
  };
};

/** A short note for the item's line when the host was noisy, else nothing. */
export const describeHostNoise = (noise: HostNoise): string | undefined => {
  const parts = [
    ...(noise.stealPercent >= NOTABLE_STEAL_PERCENT ? [`steal ${noise.stealPercent.toFixed(0)} %`] : []),
    ...(noise.maxStallMs >= NOTABLE_STALL_MS ? [`an idle process stalled up to ${Math.round(noise.maxStallMs)} ms`] : []),
  ];
  return parts.length > 0 ? `noisy host: ${parts.join(", ")}` : undefined;
};
