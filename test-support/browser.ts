import { mkdir } from "node:fs/promises";
import path from "node:path";
import { type Browser, chromium } from "playwright-core";

export const REPO_ROOT = path.resolve(import.meta.dirname, "..");

/**
 * Debian's Chromium, headless. The network flags keep it from calling home on a machine with no
 * network; no browser is ever downloaded (.ci/run installs the `chromium` package).
 */
export const launchBrowser = (): Promise<Browser> =>
  chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });

/** Where a suite's screenshots go (git-ignored test-results/<suite>/). */
export const screenshotFolder = async (suite: string): Promise<string> => {
  const folder = path.join(REPO_ROOT, "test-results", suite);
  await mkdir(folder, { recursive: true });
  return folder;
};
