// Enforces BENCHMARKS B11: the loader ≤ 4 KB gzip, the frame app's JS + CSS ≤ 50 KB gzip.
// The frame counts what one visitor downloads: every JS and CSS asset except the per-language
// chunks, plus the largest of those (a visitor loads one language at most besides English).
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

const DIST = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../dist");
const LOADER_BUDGET = 4 * 1024;
const FRAME_BUDGET = 50 * 1024;

const gzipSize = (file) => gzipSync(readFileSync(file), { level: 9 }).length;
const kb = (bytes) => `${(bytes / 1024).toFixed(2)} KB`;

const readOrExit = (file) => {
  try {
    return gzipSize(file);
  } catch {
    console.error(`check-size: ${path.relative(process.cwd(), file)} is missing; run the widget build first.`);
    process.exit(1);
  }
};

const loader = readOrExit(path.join(DIST, "loader.js"));
readOrExit(path.join(DIST, "frame.html"));
const assets = readdirSync(path.join(DIST, "assets")).filter((name) => /\.(js|css)$/.test(name));
const isLocale = (name) => name.startsWith("locale-");
const sizeOf = (name) => gzipSize(path.join(DIST, "assets", name));
const core = assets.filter((name) => !isLocale(name)).reduce((total, name) => total + sizeOf(name), 0);
const locales = assets.filter(isLocale).map((name) => ({ name, size: sizeOf(name) }));
const largestLocale = locales.reduce((largest, locale) => (locale.size > largest.size ? locale : largest), {
  name: "none",
  size: 0,
});
const frame = core + largestLocale.size;

const rows = [
  ["dist/loader.js", loader, LOADER_BUDGET],
  [
    `frame JS + CSS (${assets.length - locales.length} files + largest of ${locales.length} languages, ${largestLocale.name})`,
    frame,
    FRAME_BUDGET,
  ],
];
let failed = false;
for (const [what, size, budget] of rows) {
  const isOver = size > budget;
  failed ||= isOver;
  console.log(
    `${isOver ? "OVER" : "ok  "} ${what}: ${kb(size)} gzip (budget ${kb(budget)}, ${Math.round((size / budget) * 100)}%)`,
  );
}
if (failed) {
  console.error("check-size: the widget is over its size budget (BENCHMARKS.md B11). Trim it before shipping.");
  process.exit(1);
}
