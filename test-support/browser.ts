import { mkdir } from "node:fs/promises";
import path from "node:path";
import { type Browser, type BrowserContext, type BrowserContextOptions, chromium } from "playwright-core";

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

/**
 * A context that prefers reduced motion, which the dashboard and the widget honour by skipping
 * their transitions: on a loaded machine a dialog about to slide in can hold still for two frames,
 * pass Playwright's stability check, and then move from under its click.
 */
export const newBrowserContext = (browser: Browser, options: BrowserContextOptions = {}): Promise<BrowserContext> =>
  browser.newContext({ reducedMotion: "reduce", ...options });

/** Where a suite's screenshots go (git-ignored test-results/<suite>/). */
export const screenshotFolder = async (suite: string): Promise<string> => {
  const folder = path.join(REPO_ROOT, "test-results", suite);
  await mkdir(folder, { recursive: true });
  return folder;
};
