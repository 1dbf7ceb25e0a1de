import path from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchBrowser, newBrowserContext, screenshotFolder } from "../../../test-support/browser.ts";
import { type ParleyServer, startParleyServer } from "../../../test-support/parley-server.ts";

/** The dashboard as an installable app: manifest, icons and service worker, as Chromium judges them. */
describe("the dashboard is an installable app", () => {
  let server: ParleyServer;
  let browser: Browser;

  beforeAll(async () => {
    server = await startParleyServer({ env: { PARLEY_SEED_DEMO: "false" } });
    browser = await launchBrowser();
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  }, 60_000);

  it("has a valid manifest, registers its service worker, and opens without a network", async () => {
    const context = await newBrowserContext(browser, { baseURL: server.baseUrl });
    const page = await context.newPage();
    await page.goto("/login");
    // Controlled by the service worker once it is active (it claims open pages).
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null, undefined, { timeout: 20_000 });

    const cdp = await context.newCDPSession(page);
    const manifest = (await cdp.send("Page.getAppManifest")) as { url: string; errors: Array<{ message: string }> };
    expect(manifest.url).toBe(`${server.baseUrl}/manifest.webmanifest`);
    expect(manifest.errors).toEqual([]);
    const installability = (await cdp.send("Page.getInstallabilityErrors")) as {
      installabilityErrors: Array<{ errorId: string }>;
    };
    // Test browsers run in throwaway (incognito) profiles, where Chromium never offers installation.
    expect(installability.installabilityErrors.filter((error) => error.errorId !== "in-incognito")).toEqual([]);
    for (const icon of ["/icons/icon-192.png", "/icons/icon-512.png", "/icons/icon-maskable-512.png"]) {
      const response = await page.request.get(icon);
      expect(response.status(), icon).toBe(200);
      expect(response.headers()["content-type"]).toBe("image/png");
    }

    // Offline, the kept shell still opens the app.
    await context.setOffline(true);
    await page.reload();
    // The app itself runs from the kept shell: it renders into #root and starts checking the session.
    await page.waitForFunction(() => (document.querySelector("#root")?.textContent ?? "").trim() !== "", undefined, {
      timeout: 20_000,
    });
    expect(await page.title()).toBe("Parley");
    await page.screenshot({ path: path.join(await screenshotFolder("dashboard-pwa"), "offline.png") });
    await context.setOffline(false);
    await context.close();
  }, 90_000);
});
