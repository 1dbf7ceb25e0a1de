import path from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchBrowser, screenshotFolder } from "../../../test-support/browser.ts";
import { type ParleyServer, startParleyServer } from "../../../test-support/parley-server.ts";
import { collectErrors } from "./support.ts";

const PHONE = { width: 390, height: 844 };

/** `/demo` is the first page a new operator opens: it must show the widget on any screen. */
describe("the demo shop page", () => {
  let server: ParleyServer;
  let browser: Browser;
  let screenshots = "";

  beforeAll(async () => {
    screenshots = await screenshotFolder("widget-demo-page");
    server = await startParleyServer({ env: { PARLEY_SEED_DEMO: "true" } });
    browser = await launchBrowser();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it("fits a phone: the snippet wraps, the launcher is on screen and opens the chat", async () => {
    // A phone browser widens its layout to content that overflows, which would carry a fixed launcher off screen.
    const context = await browser.newContext({ viewport: PHONE, isMobile: true, hasTouch: true });
    const page = await context.newPage();
    const errors = collectErrors(page);
    await page.goto(`${server.baseUrl}/demo`);

    const snippet = page.locator("pre code");
    await expect.poll(() => snippet.textContent()).toMatch(/data-inbox="wt_[^"]+"/);
    const layout = await page.evaluate(() => ({ width: window.innerWidth, scrollWidth: document.documentElement.scrollWidth }));
    expect(layout).toEqual({ width: PHONE.width, scrollWidth: PHONE.width });

    const launcher = page.locator("parley-widget button.l");
    await launcher.waitFor({ state: "visible" });
    const box = await launcher.boundingBox();
    expect(box).not.toBeNull();
    expect((box?.x ?? 0) + (box?.width ?? 0)).toBeLessThanOrEqual(PHONE.width);
    expect((box?.y ?? 0) + (box?.height ?? 0)).toBeLessThanOrEqual(PHONE.height);
    await page.screenshot({ path: path.join(screenshots, "phone.png") });

    await launcher.tap();
    await page.frameLocator("parley-widget iframe").getByRole("button", { name: "Send us a message" }).waitFor();
    expect(errors).toEqual([]);
    await context.close();
  });
});
