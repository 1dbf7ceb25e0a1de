import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { SERVER_NODE_FLAGS } from "./node-flags.ts";

const repoRoot = path.resolve(import.meta.dirname, "../../..");

describe("the server's Node flags", () => {
  it("are the ones npm start, npm run parley and the parley command pass", () => {
    const scripts = (JSON.parse(readFileSync(path.join(repoRoot, "package.json"), "utf8")) as { scripts: Record<string, string> })
      .scripts;
    const shebang = readFileSync(path.join(repoRoot, "apps/server/bin/parley.mjs"), "utf8").split("\n")[0] ?? "";
    for (const launcher of [scripts.start ?? "", scripts.parley ?? "", shebang]) {
      const flags = launcher.split(/\s+/).filter((word) => word.startsWith("--"));
      expect(flags).toEqual([...SERVER_NODE_FLAGS]);
    }
  });

  it("are accepted by this Node", () => {
    expect(execFileSync(process.execPath, [...SERVER_NODE_FLAGS, "-e", "process.stdout.write('ok')"], { encoding: "utf8" })).toBe(
      "ok",
    );
  });
});
