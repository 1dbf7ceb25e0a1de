// `npm start`: build what is missing or stale, then run the server in this process
// (so Ctrl-C reaches it directly and it shuts down in order).
import { buildStale } from "./build.mjs";

buildStale();
await import("../apps/server/src/main.ts");
