/**
 * Node flags the server process runs with (npm start, npm run parley, the parley command, tests and
 * bench spawn it with these; a test keeps package.json's scripts and bin/parley.mjs in step).
 *
 * - `--max-semi-space-size=16`: Node 24 sizes the young generation from the machine's memory (128 MB
 *   on a 24 GB host) and an idle process keeps all of it; 16 MB, the size Node used up to version 22,
 *   keeps an idle server near 180 MB (BENCHMARKS B12).
 * - `--heap-growing-percent=40`: the old generation may grow 40 % past what the last full collection
 *   kept before the next one, where V8 otherwise allows up to several times that. A server holding
 *   thousands of idle widget sockets keeps its memory near what it uses (B10: peak RSS at 10k sockets
 *   ~550 → ~400 MB) for a full collection every few tens of seconds under load.
 * - `--no-allocation-site-pretenuring`: V8 otherwise learns, from a burst of long-lived objects (start-up,
 *   thousands of sockets connecting), to allocate at those sites straight into the old generation, and
 *   keeps doing it for the short-lived ones that follow: under B2's load the pg parser's row
 *   descriptions alone filled the old generation by ~1.5 MB/s. In B2 runs on a 2-core machine, full
 *   collections during the 10 s load fell from 3 to 1, young ones took ~30 % less time in all, and the
 *   median run's p99 fell from 64 to 39 ms.
 */
export const SERVER_NODE_FLAGS = [
  "--max-semi-space-size=16",
  "--heap-growing-percent=40",
  "--no-allocation-site-pretenuring",
] as const;
