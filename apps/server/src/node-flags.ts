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
 */
export const SERVER_NODE_FLAGS = ["--max-semi-space-size=16", "--heap-growing-percent=40"] as const;
