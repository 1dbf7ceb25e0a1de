import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchBrowser, newBrowserContext, screenshotFolder } from "../../../test-support/browser.ts";
import { type ParleyServer, startParleyServer } from "../../../test-support/parley-server.ts";
import { en } from "../src/i18n/locales/en";

const UI_TIMEOUT_MS = 15_000;
const stamp = Date.now();
const owner = {
  name: "Ada Agent",
  email: `ada-${stamp}@example.test`,
  password: "analytical-engine-1843",
  workspaceName: "Retry Co",
};

/**
 * A reply a platform refuses shows "Not delivered" with the platform's reason, and "Send again"
 * delivers it: an API-channel inbox whose callback refuses the first attempt, then accepts.
 */
describe("a refused reply, sent again from the conversation", () => {
  let server: ParleyServer;
  let receiver: Server;
  let browser: Browser;
  let page: Page;
  const deliveries: Array<{ id: string; text: string }> = [];

  beforeAll(async () => {
    receiver = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on("data", (chunk: Buffer) => chunks.push(chunk));
      request.on("end", () => {
        const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as { id: string; text: string };
        deliveries.push(body);
        // The first delivery is refused for good; the next one is taken.
        if (deliveries.length === 1) response.writeHead(422).end("customer unknown in the shop");
        else response.writeHead(200, { "content-type": "application/json" }).end('{"ok":true}');
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
    server = await startParleyServer({ env: { PARLEY_SEED_DEMO: "false", WEBHOOKS_ALLOW_PRIVATE_TARGETS: "true" } });
    browser = await launchBrowser();
    const context = await newBrowserContext(browser, {
      baseURL: server.baseUrl,
      locale: "en-US",
      viewport: { width: 1600, height: 900 },
    });
    context.setDefaultTimeout(UI_TIMEOUT_MS);
    page = await context.newPage();
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await new Promise<void>((resolve) => (receiver ? receiver.close(() => resolve()) : resolve()));
  }, 60_000);

  it("shows the platform's reason and delivers on retry", async () => {
    const api = async (method: string, url: string, body?: unknown, token?: string) => {
      const response = await fetch(`${server.baseUrl}${url}`, {
        method,
        headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: response.status, json: (await response.json().catch(() => ({}))) as Record<string, unknown> };
    };
    const signup = await api("POST", "/api/v1/auth/signup", owner);
    const token = String(signup.json.token);
    const inbox = await api("POST", "/api/v1/inboxes", { type: "api", name: "Shop backend" }, token);
    const { port } = receiver.address() as AddressInfo;
    const connected = await api(
      "PUT",
      `/api/v1/inboxes/${inbox.json.id}/channel`,
      { credentials: { callbackUrl: `http://127.0.0.1:${port}/parley` } },
      token,
    );
    expect(connected.status).toBe(200);
    const channelToken = String((connected.json.issuedCredentials as { token: string }).token);
    const inbound = await api(
      "POST",
      `/webhooks/api/${inbox.json.id}`,
      { type: "message", id: "order-1", contact: { id: "c-1", name: "Charles Babbage" }, text: "Has my order shipped?" },
      channelToken,
    );
    expect(inbound.status).toBe(202);

    /** On a timeout: a screenshot, what the platform received and the server's output, then the error. */
    const explainAndRethrow = (name: string) => async (error: unknown) => {
      await page.screenshot({ path: path.join(await screenshotFolder("dashboard-delivery-retry"), `${name}.png`) });
      console.error(`deliveries: ${JSON.stringify(deliveries)}\nserver output:\n${server.output()}`);
      throw error;
    };

    await page.goto("/login");
    await page.getByLabel(en.auth.login.email).fill(owner.email);
    await page.getByRole("textbox", { name: en.auth.login.password }).fill(owner.password);
    await page.getByRole("button", { name: en.auth.login.submit, exact: true }).click();
    await page.waitForURL((url) => url.pathname === "/");
    await page.goto("/inbox/all");
    await page.getByTestId("conversation-list-item").filter({ hasText: "Charles Babbage" }).click();
    await page.getByText("Has my order shipped?").last().waitFor();

    await page.getByTestId("composer-input").fill("It left the warehouse this morning.");
    await page.keyboard.press("Enter");
    await page.getByText("It left the warehouse this morning.").last().waitFor();
    // The send job runs, the callback refuses, and the failure comes back over the agent socket.
    await page.getByTestId("delivery-failed").waitFor({ timeout: 45_000 }).catch(explainAndRethrow("no-failure-shown"));
    await page.getByTestId("delivery-failed").hover();
    await page.getByText("customer unknown in the shop").waitFor();
    await page.screenshot({ path: path.join(await screenshotFolder("dashboard-delivery-retry"), "refused.png") });

    await page.getByRole("button", { name: en.conversation.delivery.retry }).click();
    // The retry goes through the same send job as the first attempt, so it gets the same patience under a loaded run.
    await page.locator('[data-delivery="sent"]').waitFor({ timeout: 45_000 }).catch(explainAndRethrow("retry-not-sent"));
    expect(await page.getByTestId("delivery-failed").count()).toBe(0);
    expect(deliveries).toHaveLength(2);
    expect(deliveries[1]).toEqual(
      expect.objectContaining({ id: deliveries[0]?.id, text: "It left the warehouse this morning." }),
    );
  }, 120_000);
});
