import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { UI_TIMEOUT_MS, useBrowserStory } from "../../../test-support/browser-story.ts";
import { LANGUAGE_NAMES } from "../src/i18n/i18n";
import { ar } from "../src/i18n/locales/ar";
import { en } from "../src/i18n/locales/en";

const STEP_TIMEOUT_MS = 60_000;

const owner = {
  name: "Ada Lovelace",
  email: `ada-${Date.now()}@example.test`,
  password: "analytical-engine-1843",
  workspaceName: "Lovelace Support",
};
const renamedInSettings = "Analytical Engines";
const renamedThroughApi = "Difference Engine Co";

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
  const story = useBrowserStory({
    screenshotFolder: "dashboard",
    fullPageScreenshots: true,
    viewport: { width: 1280, height: 800 },
  });

  it(
    "sends a visitor without a session to the login page, and signs a new owner up",
    async () => {
      const { page, screenshot } = story;
      await page.goto("/");
      await waitForPath(page, "/login");
      await page.getByRole("heading", { name: en.auth.login.title }).waitFor();
      await screenshot("01-login");

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
      await screenshot("02-overview");
    },
    STEP_TIMEOUT_MS,
  );

  it(
    "renames the workspace in settings and shows the new name in the header",
    async () => {
      const { page, screenshot } = story;
      await navLink(page, en.shell.nav.settings).click();
      await waitForPath(page, "/settings/workspace");
      const nameInput = page.getByLabel(en.workspaceSettings.nameLabel);
      await nameInput.waitFor({ timeout: UI_TIMEOUT_MS });
      expect(await nameInput.inputValue()).toBe(owner.workspaceName);

      await nameInput.fill(renamedInSettings);
      await page.getByRole("button", { name: en.workspaceSettings.save }).click();
      await page.getByText(en.workspaceSettings.renamedTitle).waitFor({ timeout: UI_TIMEOUT_MS });
      await waitForHeaderWorkspace(page, renamedInSettings);
      await screenshot("03-settings-renamed");
    },
    STEP_TIMEOUT_MS,
  );

  it(
    "pushes a rename made through the API to another open tab without a reload",
    async () => {
      const { page, openPage, screenshot } = story;
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
      await screenshot("04-second-tab-live-rename", secondPage);
      await secondPage.close();
    },
    STEP_TIMEOUT_MS,
  );

  it(
    "shows the empty state on the failed jobs page",
    async () => {
      const { page, screenshot } = story;
      await navLink(page, en.shell.nav.failedJobs).click();
      await waitForPath(page, "/admin/failed-jobs");
      await page.getByText(en.failedJobs.empty.title).waitFor({ timeout: UI_TIMEOUT_MS });
      expect(await page.getByRole("table").count()).toBe(0);
      await screenshot("05-failed-jobs-empty");
    },
    STEP_TIMEOUT_MS,
  );

  it(
    "switches to Arabic and mirrors the layout right to left",
    async () => {
      const { page, screenshot } = story;
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
      await screenshot("06-arabic-rtl");
    },
    STEP_TIMEOUT_MS,
  );

  it(
    "logs out back to the login page, which then stays signed out",
    async () => {
      const { page, pageErrors, screenshot } = story;
      await page.getByTestId("user-menu").click();
      await page.getByRole("menuitem", { name: ar.shell.userMenu.logOut }).click();
      await waitForPath(page, "/login");
      await page.getByRole("heading", { name: ar.auth.login.title }).waitFor({ timeout: UI_TIMEOUT_MS });
      await screenshot("07-logged-out");

      await page.goto("/admin/failed-jobs");
      await waitForPath(page, "/login");
      expect(pageErrors).toEqual([]);
    },
    STEP_TIMEOUT_MS,
  );
});
