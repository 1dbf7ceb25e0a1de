import path from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, beforeEach } from "vitest";
import { launchBrowser, newBrowserContext, screenshotFolder } from "./browser.ts";
import { type ParleyServer, startParleyServer } from "./parley-server.ts";

/** How long a locator or a navigation waits: what a person would still wait for on a loaded machine. */
export const UI_TIMEOUT_MS = 15_000;

export type BrowserStoryOptions = {
  /** The folder under test-results/ for the screenshots. */
  screenshotFolder: string;
  /** Put before each screenshot's name, where several suites share a folder. */
  screenshotPrefix?: string;
  /** Screenshots of the whole page rather than of the viewport. */
  fullPageScreenshots?: boolean;
  viewport: { width: number; height: number };
  /** The server's environment besides PARLEY_SEED_DEMO=false; read as the server starts. */
  serverEnv?: () => Record<string, string>;
};

export type BrowserStory = {
  readonly server: ParleyServer;
  readonly browser: Browser;
  readonly context: BrowserContext;
  /** The page the story is told in. */
  readonly page: Page;
  /** The uncaught errors of every page opened with `openPage`, as "url: message". */
  readonly pageErrors: string[];
  /** A further page in the story's context, whose errors count too. */
  openPage: () => Promise<Page>;
  /** Saves `<prefix><name>.png` of the story's page, or of another one. */
  screenshot: (name: string, page?: Page) => Promise<Buffer>;
};

/**
 * One Parley server and one English browser context for a describe block whose steps tell one
 * story. Hooks a file registers before this call run before the server starts and after it stops;
 * those registered after it run once the page is open and before the browser closes.
 */
export const useBrowserStory = (options: BrowserStoryOptions): BrowserStory => {
  let folder = "";
  let server: ParleyServer | undefined;
  let browser: Browser | undefined;
  let context: BrowserContext | undefined;
  let page: Page | undefined;
  const pageErrors: string[] = [];

  const started = <T>(value: T | undefined, name: string): T => {
    if (value === undefined) throw new Error(`The story's ${name} is used before its beforeAll ran`);
    return value;
  };

  const story: BrowserStory = {
    get server() {
      return started(server, "server");
    },
    get browser() {
      return started(browser, "browser");
    },
    get context() {
      return started(context, "context");
    },
    get page() {
      return started(page, "page");
    },
    pageErrors,
    openPage: async () => {
      const opened = await started(context, "context").newPage();
      opened.on("pageerror", (error) => pageErrors.push(`${opened.url()}: ${error.message}`));
      return opened;
    },
    screenshot: (name, onPage = story.page) =>
      onPage.screenshot({
        path: path.join(folder, `${options.screenshotPrefix ?? ""}${name}.png`),
        fullPage: options.fullPageScreenshots ?? false,
      }),
  };

  beforeAll(async () => {
    folder = await screenshotFolder(options.screenshotFolder);
    server = await startParleyServer({ env: { PARLEY_SEED_DEMO: "false", ...options.serverEnv?.() } });
    browser = await launchBrowser();
    context = await newBrowserContext(browser, { baseURL: server.baseUrl, locale: "en-US", viewport: options.viewport });
    context.setDefaultTimeout(UI_TIMEOUT_MS);
    page = await story.openPage();
  }, 180_000);

  // The steps form one story: after a failed step the rest would only time out, so they are skipped.
  let hasFailedStep = false;
  beforeEach((testContext) => {
    if (hasFailedStep) testContext.skip();
  });
  afterEach(async (testContext) => {
    if (testContext.task.result?.state !== "fail") return;
    hasFailedStep = true;
    await story.screenshot("failed-step").catch(() => undefined);
    console.error(`Server output before the failure:\n${server?.output()}\nPage errors:\n${pageErrors.join("\n")}`);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  }, 60_000);

  return story;
};

/** Fills in and sends the login form; the caller waits for what should follow. */
export const submitLogin = async (
  page: Page,
  account: { email: string; password: string },
  labels: { email: string; password: string; submit: string },
): Promise<void> => {
  await page.goto("/login");
  await page.getByLabel(labels.email).fill(account.email);
  await page.getByRole("textbox", { name: labels.password }).fill(account.password);
  await page.getByRole("button", { name: labels.submit, exact: true }).click();
};
