import { existsSync } from "node:fs";
import { createServer as createHttpServer, type Server as HttpServer } from "node:http";
import path from "node:path";
import type { Browser, Frame, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchBrowser, screenshotFolder } from "../../../test-support/browser.ts";
import { type ParleyServer, startParleyServer } from "../../../test-support/parley-server.ts";
import { findFreePort } from "../../server/test/free-port.ts";

const REPO_ROOT = path.resolve(import.meta.dirname, "../../..");
const WIDGET_DIST = path.join(REPO_ROOT, "apps/widget/dist");
/** These pages embed the placeholder token "demo", which no inbox has: the panel says so. */
const UNAVAILABLE = "Chat is unavailable";

const waitFor = async <T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> => {
  const started = Date.now();
  while (Date.now() - started < timeoutMs) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
};

/** Runs on every page before its own scripts: when did DOMContentLoaded fire, and when did the widget appear? */
const TIMELINE_SCRIPT = `
window.parleyTimeline = {};
document.addEventListener("DOMContentLoaded", () => { window.parleyTimeline.domContentLoaded = performance.now(); });
new MutationObserver((_records, observer) => {
  if (document.querySelector("parley-widget")) {
    window.parleyTimeline.injected = performance.now();
    observer.disconnect();
  }
}).observe(document, { childList: true, subtree: true });
`;

const readTimeline = (page: Page) =>
  page.evaluate(() => {
    const timeline: unknown = Reflect.get(window, "parleyTimeline");
    const read = (key: string) => {
      const value: unknown = typeof timeline === "object" && timeline ? Reflect.get(timeline, key) : undefined;
      return typeof value === "number" ? value : null;
    };
    return { domContentLoaded: read("domContentLoaded"), injected: read("injected") };
  });

/** `Parley("open")` etc. through the function form, as a host page would call it. */
const callParley = (page: Page, ...args: string[]) =>
  page.evaluate((callArgs) => {
    const api: unknown = Reflect.get(window, "Parley");
    if (typeof api !== "function") throw new Error("window.Parley is not installed");
    api(...callArgs);
  }, args);

/** `Parley.open()` etc., the method form. */
const callParleyMethod = (page: Page, method: "open" | "close") =>
  page.evaluate((name) => {
    const api: unknown = Reflect.get(window, "Parley");
    const fn: unknown = typeof api === "function" ? Reflect.get(api, name) : undefined;
    if (typeof fn !== "function") throw new Error(`window.Parley.${name} is not installed`);
    fn();
  }, method);

/** Records the widget's events in `window.parleyEvents`. */
const recordEvents = (page: Page) =>
  page.evaluate(() => {
    const events: string[] = [];
    Reflect.set(window, "parleyEvents", events);
    const api: unknown = Reflect.get(window, "Parley");
    if (typeof api !== "function") throw new Error("window.Parley is not installed");
    for (const name of ["ready", "open", "close"]) api("on", name, () => events.push(name));
  });

const readEvents = (page: Page) =>
  page.evaluate(() => {
    const events: unknown = Reflect.get(window, "parleyEvents");
    return Array.isArray(events) ? events.filter((event) => typeof event === "string") : [];
  });

const widgetFrame = (page: Page) =>
  waitFor("the widget frame", async () => page.frames().find((frame) => frame.url().includes("/widget/frame.html")));

/** Captures what the host page posts into the frame, seen from inside the frame. */
const recordFrameInbox = (frame: Frame) =>
  frame.evaluate(() => {
    const received: Array<{ origin: string; data: unknown }> = [];
    Reflect.set(window, "parleyInbox", received);
    window.addEventListener("message", (event) => received.push({ origin: event.origin, data: event.data }));
  });

const readFrameInbox = (frame: Frame) =>
  frame.evaluate(() => {
    const received: unknown = Reflect.get(window, "parleyInbox");
    return JSON.stringify(Array.isArray(received) ? received : []);
  });

const collectErrors = (page: Page) => {
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(`pageerror: ${error.message}`));
  page.on("console", (message) => {
    // The browser asks for /favicon.ico on its own; the demo page has none, and that is not the widget's doing.
    const { url } = message.location();
    if (message.type() === "error" && !url.endsWith("/favicon.ico")) errors.push(`console: ${message.text()} (${url})`);
  });
  return errors;
};

/** The browser logs the refused session for the placeholder token; that refusal is what these pages show. */
const withoutRefusedSession = (errors: string[]) =>
  errors.filter((error) => !(error.includes("status of 400") && error.includes("/api/v1/widget/sessions")));

/** A customer's site on another origin: a hostile stylesheet, the stub snippet and calls queued before the loader. */
const hostPage = (parleyUrl: string) => `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Other shop</title>
<style>
  button { display: none !important; }
  * { font-size: 40px !important; color: red !important; }
  parley-widget { display: none !important; }
  iframe { width: 10px !important; }
</style>
<script>
  window.Parley=window.Parley||function(){(window.Parley.q=window.Parley.q||[]).push(arguments)};
  window.queuedEvents = [];
  Parley("on", "ready", function () { window.queuedEvents.push("ready"); });
  Parley("on", "open", function () { window.queuedEvents.push("open"); });
  Parley("open");
</script>
</head>
<body>
<h1>Another origin</h1>
<script async src="${parleyUrl}/widget.js" data-inbox="demo"></script>
</body>
</html>`;

/** A plain shop page on the customer's origin, carrying the snippet as the docs give it. */
const shopPage = (parleyUrl: string) => `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Demo shop</title></head>
<body>
<h1>Demo shop</h1>
<script async src="${parleyUrl}/widget.js" data-inbox="demo"></script>
</body>
</html>`;

describe("website widget on a real server", () => {
  let server: ParleyServer | undefined;
  let hostServer: HttpServer | undefined;
  let browser: Browser | undefined;
  let screenshots = "";
  let baseUrl = "";
  let hostUrl = "";

  beforeAll(async () => {
    if (!existsSync(path.join(WIDGET_DIST, "loader.js")) || !existsSync(path.join(WIDGET_DIST, "frame.html"))) {
      throw new Error("The widget is not built: run `npm run build -w apps/widget` first (the root `npm test` does).");
    }
    screenshots = await screenshotFolder("widget");
    const hostPort = await findFreePort();
    server = await startParleyServer();
    baseUrl = server.baseUrl;
    hostUrl = `http://127.0.0.1:${hostPort}`;

    hostServer = createHttpServer((request, response) => {
      const page = request.url?.startsWith("/shop") ? shopPage(baseUrl) : hostPage(baseUrl);
      response.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(page);
    });
    await new Promise<void>((resolve) => hostServer?.listen(hostPort, "127.0.0.1", resolve));

    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await new Promise<void>((resolve) => (hostServer ? hostServer.close(() => resolve()) : resolve()));
    await server?.stop();
  });

  const newPage = async (viewport = { width: 1280, height: 800 }) => {
    if (!browser) throw new Error("no browser");
    const page = await browser.newPage({ viewport });
    await page.addInitScript(TIMELINE_SCRIPT);
    return page;
  };

  it("embeds on a shop page without delaying it, opens, closes and follows SPA navigation", async () => {
    const page = await newPage();
    const errors = collectErrors(page);
    await page.goto(`${hostUrl}/shop`);

    const launcher = page.locator("parley-widget button.l");
    await launcher.waitFor({ state: "visible" });
    expect(
      await page
        .locator(`script[src="${baseUrl}/widget.js"]`)
        .evaluate((script) => script instanceof HTMLScriptElement && script.async),
    ).toBe(true);
    const timeline = await readTimeline(page);
    expect(timeline.domContentLoaded).not.toBeNull();
    expect(timeline.injected).not.toBeNull();
    expect(timeline.injected ?? 0).toBeGreaterThan(timeline.domContentLoaded ?? Number.POSITIVE_INFINITY);
    expect(await launcher.getAttribute("aria-label")).toBe("Open chat");
    expect(await launcher.getAttribute("aria-expanded")).toBe("false");
    // The frame loads at once, hidden, so sessions, unread counts and proactive triggers work before the first open.
    expect(await page.locator("parley-widget iframe").count()).toBe(1);
    expect(await page.locator("parley-widget .p").isVisible()).toBe(false);
    await page.screenshot({ path: path.join(screenshots, "demo-closed.png") });

    // Opened from the keyboard: the launcher is a real, focusable button.
    await recordEvents(page);
    await waitFor("the ready event", async () => ((await readEvents(page)).includes("ready") ? true : undefined));
    await launcher.focus();
    await page.keyboard.press("Enter");
    expect(await launcher.getAttribute("aria-expanded")).toBe("true");
    const iframe = page.locator("parley-widget iframe");
    expect(await iframe.getAttribute("title")).toBe("Chat with us");
    const src = new URL((await iframe.getAttribute("src")) ?? "");
    expect(`${src.origin}${src.pathname}`).toBe(`${baseUrl}/widget/frame.html`);
    expect(src.searchParams.get("inbox")).toBe("demo");
    expect(src.searchParams.get("host")).toBe(hostUrl);

    const frame = page.frameLocator("parley-widget iframe");
    await frame.getByRole("heading", { name: "Chat with us" }).waitFor();
    await frame.getByRole("alert").filter({ hasText: UNAVAILABLE }).waitFor();
    // A late `ready` subscriber still hears it.
    expect(await readEvents(page)).toEqual(["ready", "open"]);

    // Tab stays inside the open panel: from its last control it wraps to the first, and back.
    await frame.getByRole("button", { name: "Try again" }).focus();
    await page.keyboard.press("Tab");
    expect(await frame.locator(":focus").getAttribute("aria-label")).toBe("Expand");
    await page.keyboard.press("Shift+Tab");
    expect(await frame.locator(":focus").textContent()).toBe("Try again");
    const box = await iframe.boundingBox();
    expect(box?.width).toBe(380);
    await page.screenshot({ path: path.join(screenshots, "demo-open.png") });

    // The frame's close button closes the panel through postMessage, and focus comes back to the launcher.
    await frame.getByRole("button", { name: "Close chat" }).click();
    await page.locator("parley-widget .p").waitFor({ state: "hidden" });
    expect(await launcher.getAttribute("aria-expanded")).toBe("false");
    expect(await readEvents(page)).toEqual(["ready", "open", "close"]);
    expect(await page.evaluate(() => document.activeElement?.shadowRoot?.activeElement?.tagName)).toBe("BUTTON");

    // The host API; the panel keeps its one iframe (and its connection) across close and open.
    await callParleyMethod(page, "open");
    await iframe.waitFor({ state: "visible" });
    await callParleyMethod(page, "close");
    await page.locator("parley-widget .p").waitFor({ state: "hidden" });
    await callParley(page, "hide");
    await launcher.waitFor({ state: "hidden" });
    await callParley(page, "show");
    await launcher.waitFor({ state: "visible" });
    await callParley(page, "toggle");
    await iframe.waitFor({ state: "visible" });
    expect(await page.locator("parley-widget iframe").count()).toBe(1);
    expect(await readEvents(page)).toEqual(["ready", "open", "close", "open", "close", "open"]);

    // Single-page navigation reaches the frame, with the title the app sets right after pushing.
    const widget = await widgetFrame(page);
    await recordFrameInbox(widget);
    await page.evaluate(() => {
      history.pushState({}, "", "/shop/checkout");
      document.title = "Checkout";
    });
    await page.evaluate(() => {
      location.hash = "#payment";
    });
    const inbox = await waitFor("page views in the frame", async () => {
      const seen = await readFrameInbox(widget);
      return seen.includes("/shop/checkout#payment") ? seen : undefined;
    });
    expect(JSON.parse(inbox)).toEqual([
      { origin: hostUrl, data: { type: "parley:page", url: `${hostUrl}/shop/checkout`, title: "Checkout", referrer: "" } },
      {
        origin: hostUrl,
        data: { type: "parley:page", url: `${hostUrl}/shop/checkout#payment`, title: "Checkout", referrer: "" },
      },
    ]);

    // Loading the loader a second time changes nothing.
    await page.evaluate(
      (loaderUrl) =>
        new Promise<void>((resolve, reject) => {
          const script = document.createElement("script");
          script.src = loaderUrl;
          script.dataset.inbox = "demo";
          script.onload = () => resolve();
          script.onerror = () => reject(new Error("the second loader did not load"));
          document.body.append(script);
        }),
      `${baseUrl}/widget.js`,
    );
    await page.waitForTimeout(300);
    expect(await page.locator("parley-widget").count()).toBe(1);

    // Narrow screens get a full-screen panel and no launcher on top of it.
    await page.setViewportSize({ width: 390, height: 740 });
    expect(await iframe.boundingBox()).toEqual({ x: 0, y: 0, width: 390, height: 740 });
    await launcher.waitFor({ state: "hidden" });
    await page.screenshot({ path: path.join(screenshots, "demo-mobile-open.png") });

    // Escape inside the panel closes it.
    await frame.getByRole("button", { name: "Close chat" }).focus();
    await page.keyboard.press("Escape");
    await page.locator("parley-widget .p").waitFor({ state: "hidden" });

    expect(withoutRefusedSession(errors)).toEqual([]);
    await page.close();
  });

  it("runs on another origin behind hostile CSS, replays the stub's queue and ignores forged messages", async () => {
    const page = await newPage();
    const errors = collectErrors(page);
    await page.goto(hostUrl);

    // Parley("open") was queued before the loader arrived.
    const iframe = page.locator("parley-widget iframe");
    await iframe.waitFor({ state: "visible" });
    const frame = page.frameLocator("parley-widget iframe");
    await frame.getByRole("alert").filter({ hasText: UNAVAILABLE }).waitFor();
    const queuedEvents = () => page.evaluate(() => JSON.stringify(Reflect.get(window, "queuedEvents")));
    await waitFor("the queued ready callback", async () => ((await queuedEvents()).includes("ready") ? true : undefined));
    expect(JSON.parse(await queuedEvents())).toEqual(["open", "ready"]);
    expect((await iframe.boundingBox())?.width).toBe(380);
    const launcher = page.locator("parley-widget button.l");
    expect(await launcher.isVisible()).toBe(true);
    await page.screenshot({ path: path.join(screenshots, "cross-origin-open.png") });

    // Only the frame itself may close the panel: a message from the host page's own window is ignored.
    await page.evaluate(() => window.postMessage({ type: "parley:close" }, "*"));
    await page.waitForTimeout(200);
    expect(await launcher.getAttribute("aria-expanded")).toBe("true");

    await frame.getByRole("button", { name: "Close chat" }).click();
    await page.locator("parley-widget .p").waitFor({ state: "hidden" });
    expect(await launcher.getAttribute("aria-expanded")).toBe("false");

    expect(withoutRefusedSession(errors)).toEqual([]);
    await page.close();
  });
});
