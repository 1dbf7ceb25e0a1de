import path from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchBrowser, newBrowserContext, screenshotFolder } from "../../../test-support/browser.ts";
import { submitLogin, UI_TIMEOUT_MS } from "../../../test-support/browser-story.ts";
import { type ParleyServer, startParleyServer } from "../../../test-support/parley-server.ts";
import { settingsEn } from "../src/features/settings/i18n/settings.en";
import { de } from "../src/i18n/locales/de";
import { en } from "../src/i18n/locales/en";

const STEP_TIMEOUT_MS = 90_000;

const ada = {
  name: "Ada Lovelace",
  email: `ada-${Date.now()}@example.test`,
  password: "analytical-engine-1843",
  workspaceName: "Lovelace Notes",
};

const isPreferencesSave = (url: string, method: string) => url.endsWith("/api/v1/me/preferences") && method === "PATCH";

describe("my profile: a picture and preferences that follow me to another device", () => {
  let server: ParleyServer;
  let browser: Browser;
  let screenshotDir = "";
  const contexts: BrowserContext[] = [];
  const pageErrors: string[] = [];

  /** A fresh browser profile (no cookies, no local storage), signed in through the login page. */
  const signInOnNewDevice = async (): Promise<Page> => {
    const context = await newBrowserContext(browser, {
      baseURL: server.baseUrl,
      locale: "en-US",
      viewport: { width: 1280, height: 900 },
    });
    context.setDefaultTimeout(UI_TIMEOUT_MS);
    contexts.push(context);
    const page = await context.newPage();
    page.on("pageerror", (error) => pageErrors.push(`${page.url()}: ${error.message}`));
    await submitLogin(page, ada, en.auth.login);
    await page.getByTestId("user-menu").waitFor();
    return page;
  };

  /** The user menu's picture once it has loaded from the server (not the initials fallback). */
  const menuPictureOf = async (page: Page) => {
    const picture = page.getByTestId("user-menu").locator("img");
    await picture.waitFor();
    await page.waitForFunction(
      () => {
        const image = document.querySelector<HTMLImageElement>('[data-testid="user-menu"] img');
        return (image?.complete ?? false) && (image?.naturalWidth ?? 0) > 0;
      },
      undefined,
      { timeout: UI_TIMEOUT_MS },
    );
    return picture.getAttribute("src");
  };

  beforeAll(async () => {
    screenshotDir = await screenshotFolder("dashboard");
    server = await startParleyServer({ env: { PARLEY_SEED_DEMO: "false" } });
    const signup = await fetch(`${server.baseUrl}/api/v1/auth/signup`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(ada),
    });
    if (signup.status !== 201) throw new Error(`signup failed: ${signup.status} ${await signup.text()}`);
    browser = await launchBrowser();
  }, 180_000);

  afterAll(async () => {
    for (const context of contexts) await context.close().catch(() => undefined);
    await browser?.close();
    await server?.stop();
  }, 60_000);

  it(
    "uploads a picture on the profile page, shows it in the user menu, and keeps notification and language choices on a new device",
    async () => {
      const page = await signInOnNewDevice();
      await page.goto("/settings/profile");

      // A wrong file is refused before it is sent.
      const fileInput = page.locator('input[type="file"]');
      await fileInput.setInputFiles({ name: "notes.txt", mimeType: "text/plain", buffer: Buffer.from("not a picture") });
      await expect
        .poll(() => page.getByTestId("avatar-error").textContent(), { timeout: UI_TIMEOUT_MS })
        .toBe(settingsEn.profile.avatar.wrongType);

      const picture = await sharp({ create: { width: 400, height: 300, channels: 3, background: { r: 40, g: 90, b: 160 } } })
        .png()
        .toBuffer();
      const uploaded = page.waitForResponse((response) => response.url().endsWith("/api/v1/me/avatar"));
      await fileInput.setInputFiles({ name: "ada.png", mimeType: "image/png", buffer: picture });
      expect((await uploaded).status()).toBe(200);
      const src = await menuPictureOf(page);
      expect(src).toMatch(/^\/api\/v1\/avatars\/[0-9a-f-]{36}\/[0-9a-f]{32}\.webp$/);
      await page.getByTestId("avatar-remove").waitFor();
      await page.screenshot({ path: path.join(screenshotDir, "profile-avatar.png"), fullPage: true });

      // Sound off, from the profile page; saved to the account.
      const sound = page.getByRole("switch", { name: en.notifications.sound });
      expect(await sound.isChecked()).toBe(true);
      const soundSaved = page.waitForResponse((response) => isPreferencesSave(response.url(), response.request().method()));
      await sound.click({ force: true });
      expect((await soundSaved).status()).toBe(200);
      expect(await sound.isChecked()).toBe(false);

      // German, from the user menu; saved to the account too.
      const languageSaved = page.waitForResponse((response) => isPreferencesSave(response.url(), response.request().method()));
      await page.getByTestId("user-menu").click();
      await page.getByRole("menuitem", { name: "Deutsch" }).click();
      expect((await languageSaved).status()).toBe(200);
      await page.waitForFunction(() => document.documentElement.lang === "de", undefined, { timeout: UI_TIMEOUT_MS });

      // Another device: nothing in its storage, yet the picture, the language and the switch follow.
      const laptop = await signInOnNewDevice();
      await laptop.waitForFunction(() => document.documentElement.lang === "de", undefined, { timeout: UI_TIMEOUT_MS });
      expect(await menuPictureOf(laptop)).toBe(src);
      await laptop.goto("/settings/profile");
      const laterSound = laptop.getByRole("switch", { name: de.notifications.sound });
      await laterSound.waitFor();
      expect(await laterSound.isChecked()).toBe(false);
      expect(await laptop.getByRole("switch", { name: de.notifications.kinds.mention }).isChecked()).toBe(true);
      await laptop.screenshot({ path: path.join(screenshotDir, "profile-second-device.png"), fullPage: true });

      // Removing the picture brings the initials back.
      await laptop.getByTestId("avatar-remove").click();
      await laptop.getByTestId("user-menu").getByText("AL", { exact: true }).waitFor();
      expect(pageErrors).toEqual([]);
    },
    STEP_TIMEOUT_MS,
  );
});
