/**
 * Preloaded into each server the bench starts when `BENCH_SERVER_ALLOCATION_PROFILE=<dir>` is set:
 * samples every allocation, including what the garbage collector has since freed (Node's own
 * `--heap-prof` keeps only what is still alive), and writes the profile there when the process exits.
 * SIGUSR2 starts the sample over, so that a budget can profile its measured load alone.
 */
import { writeFileSync } from "node:fs";
import { Session } from "node:inspector";
import path from "node:path";

const dir = process.env.BENCH_SERVER_ALLOCATION_PROFILE;
if (dir) {
  const session = new Session();
  session.connect();
  const startSampling = () =>
    session.post("HeapProfiler.startSampling", {
      samplingInterval: 16_384,
      includeObjectsCollectedByMajorGC: true,
      includeObjectsCollectedByMinorGC: true,
    });
  startSampling();
  process.on("SIGUSR2", () => session.post("HeapProfiler.stopSampling", startSampling));
  // A same-thread session answers synchronously, so the profile is written before the process ends.
  process.once("exit", () => {
    session.post("HeapProfiler.stopSampling", (error, result) => {
      if (error) return;
      writeFileSync(path.join(dir, `server-${process.pid}.heapprofile`), JSON.stringify(result.profile));
    });
  });
}
