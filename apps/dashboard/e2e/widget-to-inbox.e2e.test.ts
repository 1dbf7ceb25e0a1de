import path from "node:path";
import type { Browser, FrameLocator, Page } from "playwright-core";
import { afterAll, beforeAll, describe, it } from "vitest";
import { launchBrowser, newBrowserContext, screenshotFolder } from "../../../test-support/browser.ts";
import { submitLogin, UI_TIMEOUT_MS } from "../../../test-support/browser-story.ts";
import { type ParleyServer, startParleyServer } from "../../../test-support/parley-server.ts";
import { hostPageWithSnippet, startHostSite } from "../../widget/e2e/support.ts";
import { en } from "../src/i18n/locales/en";

const stamp = Date.now();
const owner = {
  name: "Grace Agent",
  email: `grace-${stamp}@example.test`,
  password: "harvard-mark-one-1944",
  workspaceName: "Acme",
};

/**
 * The whole loop in two browsers' worth of pages: a visitor writes in the real widget on a
 * customer's site, the agent answers in the dashboard, and the visitor sees the answer.
 */
describe("a visitor in the real widget, answered in the dashboard", () => {
  let server: ParleyServer;
  let browser: Browser;
  let host: Awaited<ReturnType<typeof startHostSite>>;
  let screenshots = "";
  let inboxToken = "";

  beforeAll(async () => {
    screenshots = await screenshotFolder("dashboard-widget-to-inbox");
    server = await startParleyServer({ env: { PARLEY_SEED_DEMO: "false" } });
    host = await startHostSite(() => hostPageWithSnippet({ parleyUrl: server.baseUrl, inboxToken }));
    browser = await launchBrowser();
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await host?.close();
    await server?.stop();
  }, 60_000);

  it("carries the visitor's message to the agent and the agent's reply back", async () => {
    const api = async (method: string, url: string, body?: unknown, token?: string) => {
      const response = await fetch(`${server.baseUrl}/api/v1${url}`, {
        method,
        headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return (await response.json().catch(() => ({}))) as Record<string, unknown>;
    };
    const signup = await api("POST", "/auth/signup", owner);
    const token = String(signup.token);
    const inbox = await api("POST", "/inboxes", { type: "website", name: "Acme website" }, token);
    inboxToken = String(inbox.websiteToken);
    // The agent works this inbox, so their being online is what the widget shows.
    await api("PUT", `/inboxes/${inbox.id}/members`, { userIds: [(signup.user as { id: string }).id] }, token);

    // The agent signs in; opening the dashboard brings a member who never chose a status online,
    // so the widget offers a chat rather than the offline form.
    const agentContext = await newBrowserContext(browser, {
      baseURL: server.baseUrl,
      locale: "en-US",
      viewport: { width: 1500, height: 900 },
    });
    agentContext.setDefaultTimeout(UI_TIMEOUT_MS);
    const agent: Page = await agentContext.newPage();
    await submitLogin(agent, owner, en.auth.login);
    await agent.waitForURL((url) => url.pathname === "/");
    await agent.getByRole("button", { name: en.presence.label.replace("{{status}}", en.presence.status.online) }).waitFor();
    // Their own view, "mine", is where the inbox opens.
    await agent.goto("/inbox");
    await agent.getByText(en.inbox.list.emptyBody).waitFor();

    // The visitor, on the customer's site, opens the widget and writes.
    const visitorContext = await newBrowserContext(browser, { viewport: { width: 1280, height: 800 } });
    visitorContext.setDefaultTimeout(UI_TIMEOUT_MS);
    const visitor = await visitorContext.newPage();
    await visitor.goto(host.url);
    await visitor.locator("parley-widget button.l").click();
    const frame: FrameLocator = visitor.frameLocator("parley-widget iframe");
    // The welcome screen shows the agent online; the visitor starts a conversation from it.
    await frame.getByText("We're online").first().waitFor();
    await visitor.screenshot({ path: path.join(screenshots, "visitor-welcome.png") });
    await frame.getByRole("button", { name: "Send us a message" }).click();
    const composer = frame.getByRole("textbox", { name: "Write a message…" });
    await composer.fill("Hi! Can I change my delivery address?");
    await composer.press("Enter");

    // It arrives in the dashboard without a reload: nothing is the agent's yet, so their empty
    // view points at the conversation waiting unassigned; they go there, open it and answer.
    await agent.getByText(en.inbox.list.mineEmptyBody.replace("{{count}}", "1")).waitFor();
    await agent.getByRole("button", { name: en.inbox.list.showUnassigned }).click();
    const item = agent.getByTestId("conversation-list-item").first();
    await item.getByText("Hi! Can I change my delivery address?").waitFor();
    await item.click();
    await agent.getByText("Hi! Can I change my delivery address?").last().waitFor();
    await agent.getByTestId("composer-input").fill("Of course — what is the new address?");
    await agent.keyboard.press("Enter");
    await agent.screenshot({ path: path.join(screenshots, "agent-answered.png") });

    // The visitor sees the answer in the widget.
    await frame.getByText("Of course — what is the new address?").waitFor();
    await visitor.screenshot({ path: path.join(screenshots, "visitor-received.png") });
    await agentContext.close();
    await visitorContext.close();
  }, 120_000);
});
