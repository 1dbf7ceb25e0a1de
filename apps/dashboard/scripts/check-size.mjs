// The dashboard's first load: every script and stylesheet index.html names (the entry and its
// preloaded chunks), gzipped. Routes load the rest on demand. Fails the build over budget, or when
// a library's development build (warnings, checks) slipped into the bundle.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { gzipSync } from "node:zlib";

const INITIAL_JS_BUDGET_BYTES = 300 * 1024;
const dist = path.join(import.meta.dirname, "..", "dist");
const html = readFileSync(path.join(dist, "index.html"), "utf8");
const assets = [...html.matchAll(/(?:src|href)="\/?(assets\/[^"]+\.js)"/g)].map((match) => match[1]);
const bytes = assets.reduce((total, asset) => total + gzipSync(readFileSync(path.join(dist, asset))).length, 0);
const kilobytes = (value) => `${(value / 1024).toFixed(1)} KB`;
if (bytes > INITIAL_JS_BUDGET_BYTES) {
  console.error(
    `dashboard: initial JavaScript is ${kilobytes(bytes)} gzip, over the ${kilobytes(INITIAL_JS_BUDGET_BYTES)} budget`,
  );
  process.exit(1);
}
console.log(`dashboard: initial JavaScript ${kilobytes(bytes)} gzip (budget ${kilobytes(INITIAL_JS_BUDGET_BYTES)})`);

// Text only React Router's development build carries; vite.config.ts points production at the other.
const DEVELOPMENT_ONLY = "does not have an element or Component";
const developmentChunks = readdirSync(path.join(dist, "assets")).filter(
  (file) => file.endsWith(".js") && readFileSync(path.join(dist, "assets", file), "utf8").includes(DEVELOPMENT_ONLY),
);
if (developmentChunks.length > 0) {
  console.error(`dashboard: React Router's development build is bundled (${developmentChunks.join(", ")})`);
  process.exit(1);
}
