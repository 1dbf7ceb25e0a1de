import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { submitLogin, useBrowserStory } from "../../../test-support/browser-story.ts";
import { en } from "../src/i18n/locales/en";

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
  const story = useBrowserStory({
    screenshotFolder: "dashboard-delivery-retry",
    viewport: { width: 1600, height: 900 },
    serverEnv: () => ({ WEBHOOKS_ALLOW_PRIVATE_TARGETS: "true" }),
  });
  let receiver: Server;
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
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => (receiver ? receiver.close(() => resolve()) : resolve()));
  });

  it("shows the platform's reason and delivers on retry", async () => {
    const { page, server, screenshot } = story;
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

    /** On a timeout: a screenshot and what the platform received, then the error (the story prints the server's output). */
    const explainAndRethrow = (name: string) => async (error: unknown) => {
      await screenshot(name);
      console.error(`deliveries: ${JSON.stringify(deliveries)}`);
      throw error;
    };

    await submitLogin(page, owner, en.auth.login);
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
    await screenshot("refused");

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
