/**
 * Node flags the server process runs with (npm start, npm run parley, the parley command, tests and
 * bench spawn it with these). Node 24 sizes the young generation from the machine's memory (128 MB
 * on a 24 GB host) and an idle process keeps all of it; 16 MB, the size Node used up to version 22,
 * keeps an idle server near 180 MB (BENCHMARKS B12). Keep package.json's start and parley scripts
 * and bin/parley.mjs in step with this list.
 */
export const SERVER_NODE_FLAGS = ["--max-semi-space-size=16"] as const;
