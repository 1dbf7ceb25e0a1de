// Builds the dashboard and the widget when their sources changed since the last build.
// A content hash (not mtimes, which git checkouts reset) decides, so `npm start` after
// `npm run build` builds nothing.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const SHARED_SOURCES = path.join(ROOT, "packages/shared/src");
const IGNORED = new Set(["node_modules", "dist", ".vite"]);

export const BUILD_TARGETS = [
  { name: "dashboard", dir: path.join(ROOT, "apps/dashboard") },
  { name: "widget", dir: path.join(ROOT, "apps/widget") },
];

const listFiles = (dir) => {
  if (!existsSync(dir)) return [];
  const entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name));
  return entries.flatMap((entry) => {
    if (IGNORED.has(entry.name)) return [];
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? listFiles(full) : [full];
  });
};

const sourceHash = (target) => {
  const hash = createHash("sha256");
  for (const file of [...listFiles(target.dir), ...listFiles(SHARED_SOURCES)]) {
    if (!statSync(file).isFile()) continue;
    hash.update(path.relative(ROOT, file));
    hash.update(readFileSync(file));
  }
  return hash.digest("hex");
};

const stampFile = (target) => path.join(target.dir, "dist/.source-hash");

export const isStale = (target) => {
  const stamp = stampFile(target);
  return !existsSync(stamp) || readFileSync(stamp, "utf8").trim() !== sourceHash(target);
};

export const buildStale = ({ force = false } = {}) => {
  for (const target of BUILD_TARGETS) {
    if (!force && !isStale(target)) {
      console.log(`parley: ${target.name} is up to date`);
      continue;
    }
    console.log(`parley: building ${target.name}…`);
    const hash = sourceHash(target);
    const result = spawnSync("npm", ["run", "build", "--silent", "--workspace", path.relative(ROOT, target.dir)], {
      cwd: ROOT,
      stdio: "inherit",
    });
    if (result.status !== 0) {
      console.error(`parley: building ${target.name} failed (exit ${result.status}); see the output above.`);
      process.exit(result.status ?? 1);
    }
    writeFileSync(stampFile(target), `${hash}\n`);
  }
};

if (import.meta.url === `file://${process.argv[1]}`) buildStale({ force: process.argv.includes("--force") });
