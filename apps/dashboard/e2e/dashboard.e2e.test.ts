import path from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { launchBrowser, newBrowserContext, screenshotFolder } from "../../../test-support/browser.ts";
import { type ParleyServer, startParleyServer } from "../../../test-support/parley-server.ts";
import { LANGUAGE_NAMES } from "../src/i18n/i18n";
import { ar } from "../src/i18n/locales/ar";
import { en } from "../src/i18n/locales/en";

let screenshotDir = "";
const STEP_TIMEOUT_MS = 60_000;
const UI_TIMEOUT_MS = 15_000;

const owner = {
  name: "Ada Lovelace",
  email: `ada-${Date.now()}@example.test`,
  password: "analytical-engine-1843",
  workspaceName: "Lovelace Support",
};
const renamedInSettings = "Analytical Engines";
const renamedThroughApi = "Difference Engine Co";

const screenshot = (page: Page, name: string) =>
  page.screenshot({ path: path.join(screenshotDir, `${name}.png`), fullPage: true });

const waitForPath = (page: Page, pathname: string) =>
  page.waitForURL((url) => url.pathname === pathname, { timeout: UI_TIMEOUT_MS });

/** Waits until the header shows exactly this workspace name. */
const waitForHeaderWorkspace = (page: Page, name: string) =>
  page.waitForFunction((expected) => document.querySelector('[data-testid="workspace-name"]')?.textContent === expected, name, {
    timeout: UI_TIMEOUT_MS,
  });

const navLink = (page: Page, name: string) =>
  page.getByRole("navigation", { name: en.shell.nav.label }).getByRole("link", { name });

const waitForLiveConnection = (page: Page) =>
  page.locator('[data-testid="overview-connection"] [data-status="connected"]').waitFor({ timeout: UI_TIMEOUT_MS });

describe("agent dashboard", () => {
  let server: ParleyServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const pageErrors: string[] = [];

  const openPage = async () => {
    const opened = await context.newPage();
    opened.on("pageerror", (error) => pageErrors.push(`${opened.url()}: ${error.message}`));
    return opened;
  };

  beforeAll(async () => {
    screenshotDir = await screenshotFolder("dashboard");
    server = await startParleyServer({ env: { PARLEY_SEED_DEMO: "false" } });
    browser = await launchBrowser();
    context = await newBrowserContext(browser, {
      baseURL: server.baseUrl,
      locale: "en-US",
      viewport: { width: 1280, height: 800 },
    });
    context.setDefaultTimeout(UI_TIMEOUT_MS);
    page = await openPage();
  }, 180_000);

  // The steps form one story: after a failed step the rest would only time out, so they are skipped.
  let hasFailedStep = false;
  beforeEach((testContext) => {
    if (hasFailedStep) testContext.skip();
  });
  afterEach(async (testContext) => {
    if (testContext.task.result?.state !== "fail") return;
    hasFailedStep = true;
    await screenshot(page, "failed-step").catch(() => undefined);
    console.error(`Server output before the failure:\n${server.output()}`);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  }, 60_000);

  it(
    "sends a visitor without a session to the login page, and signs a new owner up",
    async () => {
      await page.goto("/");
      await waitForPath(page, "/login");
      await page.getByRole("heading", { name: en.auth.login.title }).waitFor();
      await screenshot(page, "01-login");

      await page.getByRole("link", { name: en.auth.login.signUpLink }).click();
      await waitForPath(page, "/signup");
      await page.getByLabel(en.auth.signup.name).fill(owner.name);
      await page.getByLabel(en.auth.signup.email).fill(owner.email);
      await page.getByRole("textbox", { name: en.auth.signup.password }).fill(owner.password);
      await page.getByLabel(en.auth.signup.workspaceName).fill(owner.workspaceName);
      await page.getByRole("button", { name: en.auth.signup.submit }).click();

      await waitForPath(page, "/");
      await page.getByRole("heading", { name: "Welcome, Ada" }).waitFor({ timeout: UI_TIMEOUT_MS });
      expect(await page.getByTestId("workspace-name").textContent()).toBe(owner.workspaceName);
      expect(await page.getByTestId("overview-workspace-name").textContent()).toBe(owner.workspaceName);
      await waitForLiveConnection(page);
      await screenshot(page, "02-overview");
    },
    STEP_TIMEOUT_MS,
  );

  it(
    "renames the workspace in settings and shows the new name in the header",
    async () => {
      await navLink(page, en.settings.title).click();
      await waitForPath(page, "/settings/workspace");
      const nameInput = page.getByLabel(en.workspaceSettings.nameLabel);
      await nameInput.waitFor({ timeout: UI_TIMEOUT_MS });
      expect(await nameInput.inputValue()).toBe(owner.workspaceName);

      await nameInput.fill(renamedInSettings);
      await page.getByRole("button", { name: en.workspaceSettings.save }).click();
      await page.getByText(en.workspaceSettings.renamedTitle).waitFor({ timeout: UI_TIMEOUT_MS });
      await waitForHeaderWorkspace(page, renamedInSettings);
      await screenshot(page, "03-settings-renamed");
    },
    STEP_TIMEOUT_MS,
  );

  it(
    "pushes a rename made through the API to another open tab without a reload",
    async () => {
      const secondPage = await openPage();
      await secondPage.goto("/");
      await waitForHeaderWorkspace(secondPage, renamedInSettings);
      await waitForLiveConnection(secondPage);
      // A reload would wipe this marker, so finding it afterwards proves the update arrived live.
      await secondPage.evaluate(() => Reflect.set(window, "parleyE2eMarker", "still-the-same-document"));

      const response = await page.request.patch("/api/v1/workspaces/current", { data: { name: renamedThroughApi } });
      expect(response.status()).toBe(200);

      await waitForHeaderWorkspace(secondPage, renamedThroughApi);
      expect(await secondPage.getByTestId("overview-workspace-name").textContent()).toBe(renamedThroughApi);
      expect(await secondPage.evaluate(() => Reflect.get(window, "parleyE2eMarker"))).toBe("still-the-same-document");
      await waitForHeaderWorkspace(page, renamedThroughApi);
      await screenshot(secondPage, "04-second-tab-live-rename");
      await secondPage.close();
    },
    STEP_TIMEOUT_MS,
  );

  it(
    "shows the empty state on the failed jobs page",
    async () => {
      await navLink(page, en.shell.nav.failedJobs).click();
      await waitForPath(page, "/admin/failed-jobs");
      await page.getByText(en.failedJobs.empty.title).waitFor({ timeout: UI_TIMEOUT_MS });
      expect(await page.getByRole("table").count()).toBe(0);
      await screenshot(page, "05-failed-jobs-empty");
    },
    STEP_TIMEOUT_MS,
  );

  it(
    "switches to Arabic and mirrors the layout right to left",
    async () => {
      await page.getByTestId("user-menu").click();
      await page.getByRole("menuitem", { name: LANGUAGE_NAMES.ar }).click();

      await page.waitForFunction(() => document.documentElement.dir === "rtl", undefined, { timeout: UI_TIMEOUT_MS });
      expect(await page.evaluate(() => document.documentElement.dir)).toBe("rtl");
      expect(await page.evaluate(() => document.documentElement.lang)).toBe("ar");
      await page.getByRole("heading", { name: ar.failedJobs.pageTitle }).waitFor({ timeout: UI_TIMEOUT_MS });
      await page.getByText(ar.failedJobs.empty.title).waitFor();
      // Mirrored means the navigation now sits to the right of the page content (after the layout transition).
      await page.waitForFunction(
        () => {
          const navigation = document.querySelector("nav")?.getBoundingClientRect();
          const heading = document.querySelector("main h1")?.getBoundingClientRect();
          return navigation !== undefined && heading !== undefined && navigation.left >= heading.right;
        },
        undefined,
        { timeout: UI_TIMEOUT_MS },
      );
      await screenshot(page, "06-arabic-rtl");
    },
    STEP_TIMEOUT_MS,
  );

  it(
    "logs out back to the login page, which then stays signed out",
    async () => {
      await page.getByTestId("user-menu").click();
      await page.getByRole("menuitem", { name: ar.shell.userMenu.logOut }).click();
      await waitForPath(page, "/login");
      await page.getByRole("heading", { name: ar.auth.login.title }).waitFor({ timeout: UI_TIMEOUT_MS });
      await screenshot(page, "07-logged-out");

      await page.goto("/admin/failed-jobs");
      await waitForPath(page, "/login");
      expect(pageErrors).toEqual([]);
    },
    STEP_TIMEOUT_MS,
  );
});
