import { createHmac } from "node:crypto";
import { existsSync } from "node:fs";
import path from "node:path";
import type { Browser, FrameLocator, Page } from "playwright-core";
import type { Socket } from "socket.io-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchBrowser, screenshotFolder } from "../../../test-support/browser.ts";
import { type ParleyServer, startParleyServer } from "../../../test-support/parley-server.ts";
import { type CaughtMail, type MailCatcher, startMailCatcher } from "../../server/test/mail-catcher.ts";
import {
  type Api,
  apiClient,
  collectErrors,
  connectAgentSocket,
  hostPageWithSnippet,
  pngImage,
  startHostSite,
  waitFor,
} from "./support.ts";

const WIDGET_DIST = path.resolve(import.meta.dirname, "../dist");

type Message = {
  id: string;
  conversationId: string;
  senderType: string;
  text: string;
  deliveryStatus: string;
  attachments: Array<{ contentType: string; fileName: string }>;
};

const agent = {
  name: "Ada Agent",
  email: `ada-${Date.now()}@example.test`,
  password: "analytical-engine-1843",
  workspaceName: "Acme",
};
const visitor = { name: "Grace Visitor", email: "grace@example.test" };
const GREETING = "Hi! Need a hand choosing a plan?";

/**
 * Runs before the host page's scripts: records the notifications the page constructs and its permission
 * requests, on top of the browser's own API. With `isPromptDismissed`, the visitor closes every prompt
 * without choosing, so the permission stays undecided (what a headless browser does varies by version).
 */
const recordNotifications = (options: { isPromptDismissed?: boolean } = {}) => `(() => {
  const Native = window.Notification;
  const isPromptDismissed = ${options.isPromptDismissed === true};
  window.parleyNotifications = [];
  window.parleyPermissionRequests = 0;
  window.Notification = class extends Native {
    constructor(title, options) {
      // Recorded before the browser's constructor runs, so a refusal there still shows what the page tried.
      const entry = { title, body: options?.body, tag: options?.tag };
      window.parleyNotifications.push(entry);
      super(title, options);
      entry.notification = this;
    }
    static get permission() {
      return isPromptDismissed ? "default" : Native.permission;
    }
    static requestPermission(...args) {
      window.parleyPermissionRequests += 1;
      return isPromptDismissed ? Promise.resolve("default") : Native.requestPermission(...args);
    }
  };
})();`;

/** What the host page showed: title, body and tag of each notification. */
const hostNotifications = (page: Page) =>
  page.evaluate(() => {
    const recorded: unknown = Reflect.get(window, "parleyNotifications");
    return Array.isArray(recorded) ? recorded.map(({ title, body, tag }) => ({ title, body, tag })) : [];
  });

describe("a visitor chats with a real agent through the widget on a customer's site", () => {
  let server: ParleyServer | undefined;
  let catcher: MailCatcher | undefined;
  let host: { url: string; close: () => Promise<void> } | undefined;
  let browser: Browser | undefined;
  let agentSocket: Socket | undefined;
  let received: Array<{ event: string; payload: unknown }> = [];
  let api: Api;
  let screenshots = "";
  let inboxToken = "";
  let inboxId = "";
  let triggerId = "";

  beforeAll(async () => {
    if (!existsSync(path.join(WIDGET_DIST, "loader.js"))) throw new Error("Build the widget first: npm run build -w apps/widget");
    screenshots = await screenshotFolder("widget-conversation");
    catcher = await startMailCatcher();
    server = await startParleyServer({ env: { PARLEY_SEED_DEMO: "false", SMTP_URL: catcher.url } });
    const baseUrl = server.baseUrl;

    const signup = await fetch(`${baseUrl}/api/v1/auth/signup`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(agent),
    });
    const session = (await signup.json()) as { token: string; user: { id: string } };
    api = apiClient(baseUrl, session.token);

    const inbox = await api<{ id: string; websiteToken: string }>("POST", "/inboxes", {
      type: "website",
      name: "Website",
      isCsatEnabled: true,
    });
    expect(inbox.status).toBe(201);
    inboxToken = inbox.json.websiteToken;
    inboxId = inbox.json.id;
    expect((await api("PUT", `/inboxes/${inbox.json.id}/members`, { userIds: [session.user.id] })).status).toBe(200);
    const settings = await api("PATCH", `/inboxes/${inbox.json.id}/widget-settings`, {
      title: "Acme support",
      primaryColor: "#5f3dc4",
      preChatForm: {
        isEnabled: true,
        fields: [
          { key: "name", label: "Your name", type: "text", required: true },
          { key: "email", label: "Your email", type: "email", required: true },
        ],
      },
    });
    expect(settings.status).toBe(200);
    const trigger = await api<{ id: string }>("POST", "/proactive-triggers", {
      name: "Help with plans",
      inboxId: inbox.json.id,
      conditions: [{ type: "time_on_page", operator: "gt", value: 1 }],
      actions: [{ type: "greeting", text: GREETING, senderType: "bot", botName: "Acme bot" }],
      frequency: "once_per_visitor",
    });
    expect(trigger.status).toBe(201);
    triggerId = trigger.json.id;

    const connected = await connectAgentSocket(baseUrl, session.token);
    agentSocket = connected.socket;
    received = connected.received;
    expect(await agentSocket.timeout(5000).emitWithAck("presence.set", { status: "online" })).toMatchObject({ ok: true });

    host = await startHostSite(() =>
      hostPageWithSnippet({
        parleyUrl: baseUrl,
        inboxToken,
        beforeLoader: `window.hostEvents=[];Parley("on","message",function(m){hostEvents.push("message:"+m.text)});Parley("on","unread",function(u){hostEvents.push("unread:"+u.count)});`,
      }),
    );
    browser = await launchBrowser();
  });

  afterAll(async () => {
    agentSocket?.close();
    await browser?.close();
    await host?.close();
    await server?.stop();
    await catcher?.close();
  });

  const agentEvent = <T>(event: string, matches: (payload: T) => boolean) =>
    waitFor(`agent event ${event}`, async () => {
      const found = received.find((entry) => entry.event === event && matches(entry.payload as T));
      return found ? (found.payload as T) : undefined;
    });

  const hostEvents = (page: Page) => page.evaluate(() => JSON.stringify(Reflect.get(window, "hostEvents")));

  const shot = (page: Page, name: string) => page.screenshot({ path: path.join(screenshots, `${name}.png`) });

  it("greets, asks the pre-chat questions, sends text and an image, shows typing and replies, rates, and mirrors in Arabic", async () => {
    if (!browser || !agentSocket) throw new Error("not set up");
    // The visitor allowed notifications on the shop's site at an earlier visit.
    const context = await browser.newContext({ viewport: { width: 1280, height: 820 } });
    await context.grantPermissions(["notifications"], { origin: host?.url ?? "" });
    await context.addInitScript(recordNotifications());
    const page = await context.newPage();
    const errors = collectErrors(page);
    await page.goto(host?.url ?? "");
    const launcher = page.locator("parley-widget button.l");
    await launcher.waitFor({ state: "visible" });
    expect(await launcher.getAttribute("aria-label")).toBe("Acme support");

    // The proactive trigger fires after a second on the page: its greeting waits in a bubble by the launcher.
    const bubble = page.locator("parley-widget .b");
    await bubble.waitFor({ state: "visible" });
    expect(await bubble.textContent()).toContain(GREETING);
    await shot(page, "01-proactive-greeting");

    await launcher.click();
    const frame: FrameLocator = page.frameLocator("parley-widget iframe");
    await frame.getByText(GREETING).waitFor();
    expect(await frame.getByText("Acme bot").isVisible()).toBe(true);

    // Pre-chat form: refused empty, with the reason on the field; then accepted.
    await frame.getByRole("button", { name: "Start chat" }).click();
    await frame.getByText("Please fill this in.").first().waitFor();
    expect(await frame.getByLabel("Your email").getAttribute("aria-invalid")).toBe("true");
    await frame.getByLabel("Your name").fill(visitor.name);
    await frame.getByLabel("Your email").fill("not-an-email");
    await frame.getByRole("button", { name: "Start chat" }).click();
    await frame.getByText("Enter a valid email address.").waitFor();
    await frame.getByLabel("Your email").fill(visitor.email);
    await shot(page, "02-pre-chat-form");
    await frame.getByRole("button", { name: "Start chat" }).click();

    // A text message reaches the agent; the greeting became the conversation's first message.
    const composer = frame.getByRole("textbox", { name: "Write a message…" });
    await composer.fill("Hello, where is my order?");
    await composer.press("Enter");
    const first = await agentEvent<{ message: Message }>(
      "message.created",
      (payload) => payload.message.text === "Hello, where is my order?",
    );
    const conversationId = first.message.conversationId;
    await frame.locator(".message.mine").filter({ hasText: "Hello, where is my order?" }).waitFor();
    await waitFor("the sent state", async () => ((await frame.getByText("Sending…").count()) === 0 ? true : undefined));
    const history = await api<{ items: Message[] }>("GET", `/conversations/${conversationId}/messages`);
    expect(history.json.items.map((message) => [message.senderType, message.text])).toEqual([
      ["bot", GREETING],
      ["contact", "Hello, where is my order?"],
    ]);
    const contact = await api<{ contact: { name: string; email: string } }>("GET", `/conversations/${conversationId}`);
    expect(contact.json.contact).toMatchObject({ name: visitor.name, email: visitor.email });

    // An image: previewed before sending, uploaded with progress, stored as an image attachment.
    await frame
      .locator('input[type="file"]')
      .setInputFiles({ name: "parcel.png", mimeType: "image/png", buffer: pngImage(64, 48, [247, 103, 7]) });
    await frame.locator(".attachment-preview img").waitFor();
    await frame.getByRole("button", { name: "Send", exact: true }).click();
    const image = await agentEvent<{ message: Message }>("message.created", (payload) => payload.message.attachments.length > 0);
    expect(image.message.attachments[0]).toMatchObject({ contentType: "image/png", fileName: "parcel.png" });
    await frame.locator(".message.mine .image img").waitFor();

    // The agent types, then answers with Markdown.
    await agentSocket.timeout(5000).emitWithAck("typing", { conversationId, isTyping: true });
    await frame.getByText(`${agent.name} is typing…`).waitFor();
    await shot(page, "03-agent-typing");
    const reply = await agentSocket.timeout(5000).emitWithAck("message.send", {
      conversationId,
      clientId: "agent-reply-1",
      text: "Thanks Grace! **Your parcel** ships today.",
    });
    expect(reply).toMatchObject({ ok: true });
    await frame.locator(".message.theirs strong").filter({ hasText: "Your parcel" }).waitFor();
    expect(await frame.getByText(`${agent.name} is typing…`).count()).toBe(0);

    // The agent reads: the visitor's messages show as seen.
    expect((await api("POST", `/conversations/${conversationId}/read`)).status).toBeLessThan(300);
    await frame.getByText("Seen").first().waitFor();
    await shot(page, "04-conversation");

    // The open panel marks the visitor's copy of the reply read (agents see it), so it is not unread later.
    await agentEvent<{ message: Message }>(
      "message.updated",
      (payload) => payload.message.text.includes("Your parcel") && payload.message.deliveryStatus === "read",
    );

    // With the panel closed, a reply raises the unread badge, the host page hears of it, and the
    // host page (not the cross-origin frame, where Chrome refuses the permission) shows a notification.
    await frame.getByRole("button", { name: "Close chat" }).click();
    await agentSocket
      .timeout(5000)
      .emitWithAck("message.send", { conversationId, clientId: "agent-reply-2", text: "Anything else?" });
    const badge = page.locator("parley-widget .n");
    await badge.waitFor({ state: "visible" });
    expect(await badge.textContent()).toBe("1");
    await waitFor("host events", async () => ((await hostEvents(page)).includes("message:Anything else?") ? true : undefined));
    expect(await hostEvents(page)).toContain("unread:1");
    await shot(page, "05-unread-badge");
    // Only the reply that came while the panel was closed: the one read in the open panel made none.
    const notifications = await waitFor("the host page's notification", async () => {
      const shown = await hostNotifications(page);
      return shown.length > 0 ? shown : undefined;
    });
    expect(notifications).toEqual([{ title: "New message", body: "Anything else?", tag: "parley-reply" }]);
    // Permission was granted before: the loader never asks again.
    expect(await page.evaluate(() => Reflect.get(window, "parleyPermissionRequests"))).toBe(0);
    // Clicking the notification opens the chat.
    await page.evaluate(() => {
      const [first]: unknown[] = Reflect.get(window, "parleyNotifications");
      if (first instanceof Object) Reflect.get(first, "notification").dispatchEvent(new Event("click"));
    });
    await badge.waitFor({ state: "hidden" });
    expect(await launcher.getAttribute("aria-expanded")).toBe("true");

    // Resolved with CSAT on: the visitor rates 4 of 5 with a comment, and asks for the transcript.
    expect((await api("POST", `/conversations/${conversationId}/status`, { status: "resolved" })).status).toBe(200);
    await frame.getByText("How would you rate this conversation?").waitFor();
    await frame.locator("label.star").nth(3).click();
    await frame.getByLabel("Comment (optional)").fill("Quick and kind.");
    await shot(page, "06-rating");
    await frame.getByRole("button", { name: "Send rating" }).click();
    await frame.getByText("Thanks for your feedback!").waitFor();
    const csat = await api<{ items: Array<{ rating: number; comment: string }> }>("GET", `/conversations/${conversationId}/csat`);
    expect(csat.json.items).toMatchObject([{ rating: 4, comment: "Quick and kind." }]);

    await frame.getByRole("button", { name: "Email me the transcript" }).click();
    expect(await frame.getByLabel("Email", { exact: true }).inputValue()).toBe(visitor.email);
    await frame.getByRole("button", { name: "Email me the transcript" }).click();
    await frame.getByText(`We've sent the transcript to ${visitor.email}.`).waitFor();
    const mail = await catcher?.waitFor((caught: CaughtMail) => caught.to.includes(visitor.email), 30_000);
    expect(mail?.text).toContain("Your parcel");

    // The site switches the widget to Arabic: right to left, mirrored.
    await page.evaluate(() => Reflect.get(window, "Parley").setLocale("ar"));
    const html = frame.locator("html");
    await waitFor("rtl", async () => ((await html.getAttribute("dir")) === "rtl" ? true : undefined));
    expect(await html.getAttribute("lang")).toBe("ar");
    const close = await frame.locator(".header .icon-button").last().boundingBox();
    const title = await frame.locator(".header .title").boundingBox();
    expect(close && title && close.x < title.x).toBe(true);
    expect(await launcher.getAttribute("aria-label")).toBe("Acme support");
    await shot(page, "07-arabic-rtl");

    expect(errors).toEqual([]);
    await context.close();
  });
  it("applies settings live, hides on matching pages, and disappears for a banned visitor", async () => {
    if (!browser) throw new Error("not set up");
    const page = await browser.newPage({ viewport: { width: 1280, height: 820 } });
    const errors = collectErrors(page);
    await page.goto(host?.url ?? "");
    const launcher = page.locator("parley-widget button.l");
    await launcher.waitFor({ state: "visible" });
    expect((await launcher.boundingBox())?.x).toBeGreaterThan(1000);
    await launcher.click();
    const frame = page.frameLocator("parley-widget iframe");
    await frame.getByRole("heading", { name: "Acme support" }).waitFor();

    // An admin changes the look: the open widget follows without a reload.
    const changed = await api("PATCH", `/inboxes/${inboxId}/widget-settings`, {
      title: "Acme help",
      position: "left",
      offsetX: 40,
      primaryColor: "#ffd43b",
      hiddenUrlPatterns: ["*/checkout*"],
    });
    expect(changed.status).toBe(200);
    await frame.getByRole("heading", { name: "Acme help" }).waitFor();
    await waitFor("the launcher on the left", async () => ((await launcher.boundingBox())?.x === 40 ? true : undefined));
    expect(await launcher.getAttribute("aria-label")).toBe("Acme help");
    // A light brand colour gets dark text, for contrast.
    expect(await frame.locator(".header").evaluate((header) => getComputedStyle(header).color)).toBe("rgb(26, 27, 30)");
    await shot(page, "08-settings-live");

    // Maximise and restore.
    const panel = page.locator("parley-widget .p");
    await frame.getByRole("button", { name: "Expand" }).click();
    await waitFor("the maximised panel", async () => (((await panel.boundingBox())?.width ?? 0) > 1000 ? true : undefined));
    await frame.getByRole("button", { name: "Shrink" }).click();
    await waitFor("the restored panel", async () => ((await panel.boundingBox())?.width === 380 ? true : undefined));

    // The widget stays off pages matching a hidden-URL pattern, also after client-side navigation.
    await page.evaluate(() => history.pushState({}, "", "/checkout/pay"));
    await page.locator("parley-widget .w").waitFor({ state: "hidden" });
    await page.evaluate(() => history.pushState({}, "", "/products"));
    await launcher.waitFor({ state: "visible" });

    // Kept off phones when the settings say so; back on a wide window.
    expect((await api("PATCH", `/inboxes/${inboxId}/widget-settings`, { hideOnMobile: true })).status).toBe(200);
    await page.setViewportSize({ width: 390, height: 740 });
    await page.locator("parley-widget .w").waitFor({ state: "hidden" });
    await page.setViewportSize({ width: 1280, height: 820 });
    await launcher.waitFor({ state: "visible" });

    // Banning the visitor's address hides the open widget at once, and it stays hidden on the next page load.
    const ban = await api<{ id: string }>("POST", "/visitor-bans", { ipRange: "127.0.0.1/32", reason: "e2e" });
    expect(ban.status).toBe(201);
    await page.locator("parley-widget .w").waitFor({ state: "hidden" });
    await page.reload();
    await page.waitForTimeout(3000);
    expect(await page.locator("parley-widget button.l").isVisible()).toBe(false);
    await shot(page, "09-banned-hidden");
    expect((await api("DELETE", `/visitor-bans/${ban.json.id}`)).status).toBeLessThan(300);

    // The only errors are the refused session and socket of the banned visitor, which the browser logs itself.
    expect(errors.filter((error) => !/status of 403|visitor_banned|banned/i.test(error))).toEqual([]);
    await page.close();
  });
  it("identifies a signed-in customer with a verified hash and takes an offline message when nobody is available", async () => {
    if (!browser || !agentSocket) throw new Error("not set up");
    // Nobody online, and no proactive greeting in the way.
    expect(await agentSocket.timeout(5000).emitWithAck("presence.set", { status: "offline" })).toMatchObject({ ok: true });
    expect((await api("PATCH", `/proactive-triggers/${triggerId}`, { isEnabled: false })).status).toBe(200);
    const secret = await api<{ secret: string }>("POST", `/inboxes/${inboxId}/secret/rotate`);
    const customer = { id: "customer-77", name: "Linus Visitor", email: "linus@example.test" };
    const hash = createHmac("sha256", secret.json.secret).update(customer.id).digest("hex");
    const site = await startHostSite(() =>
      hostPageWithSnippet({
        parleyUrl: server?.baseUrl ?? "",
        inboxToken,
        beforeLoader: `Parley("identify", ${JSON.stringify({ ...customer, hash })});`,
      }),
    );
    const page = await browser.newPage({ viewport: { width: 1280, height: 820 } });
    const errors = collectErrors(page);
    try {
      await page.goto(site.url);
      await page.locator("parley-widget button.l").click();
      const frame = page.frameLocator("parley-widget iframe");
      await frame.getByText("We're away").first().waitFor();

      // The identity reached Parley, verified by the hash.
      const online = await waitFor("the identified visitor", async () => {
        const list = await api<{
          visitors: Array<{ contact: { name: string | null; email: string | null; isVerified: boolean } }>;
        }>("GET", "/visitors/online");
        return list.json.visitors.find((visitor) => visitor.contact.email === customer.email);
      });
      expect(online.contact).toEqual(expect.objectContaining({ name: customer.name, isVerified: true }));

      // The offline form, filled with what the site told us; the message needs writing.
      await frame.getByRole("button", { name: "Send us a message" }).click();
      await frame.getByRole("heading", { name: "Leave us a message" }).waitFor();
      expect(await frame.getByRole("textbox", { name: "Email", exact: true }).inputValue()).toBe(customer.email);
      await frame.getByRole("button", { name: "Send", exact: true }).click();
      await frame.getByText("Please fill this in.").waitFor();
      await frame.getByRole("textbox", { name: "Message", exact: true }).fill("Can I change my delivery address?");
      await shot(page, "10-offline-form");
      await frame.getByRole("button", { name: "Send", exact: true }).click();
      await frame.getByText(`Thanks! We're away right now and will reply to ${customer.email} by email.`).waitFor();
      const created = await agentEvent<{ message: Message }>(
        "message.created",
        (payload) => payload.message.text === "Can I change my delivery address?",
      );
      expect(created.message.senderType).toBe("contact");
      await shot(page, "11-offline-sent");

      // Logout on the site: Parley.reset() leaves a new anonymous visitor with no past conversations.
      await page.evaluate(() => Reflect.get(window, "Parley").reset());
      await frame.getByRole("button", { name: "Your conversations" }).click();
      await frame.getByText("No conversations yet.").waitFor();
      expect(errors).toEqual([]);
    } finally {
      await page.close();
      await site.close();
      await agentSocket.timeout(5000).emitWithAck("presence.set", { status: "online" });
    }
  });

  it("asks for notification permission on the host page once, when the visitor first opens the chat", async () => {
    if (!browser) throw new Error("not set up");
    const context = await browser.newContext({ viewport: { width: 1280, height: 820 } });
    await context.addInitScript(recordNotifications({ isPromptDismissed: true }));
    const permissionRequests = (page: Page) => page.evaluate(() => Reflect.get(window, "parleyPermissionRequests"));
    try {
      // A page that opens the chat by script gets no prompt: browsers want the visitor's own click.
      const scripted = await context.newPage();
      await scripted.goto(host?.url ?? "");
      await scripted.locator("parley-widget button.l").waitFor({ state: "visible" });
      await scripted.evaluate(() => Reflect.get(window, "Parley").open());
      await scripted.locator('parley-widget button.l[aria-expanded="true"]').waitFor();
      expect(await permissionRequests(scripted)).toBe(0);
      await scripted.close();

      const page = await context.newPage();
      const errors = collectErrors(page);
      await page.goto(host?.url ?? "");
      const launcher = page.locator("parley-widget button.l");
      await launcher.click();
      await waitFor("the permission request", async () => ((await permissionRequests(page)) === 1 ? true : undefined));
      // The visitor dismissed the prompt: closing and opening again does not nag them.
      await page.frameLocator("parley-widget iframe").getByRole("button", { name: "Close chat" }).click();
      await launcher.click();
      await page.locator('parley-widget button.l[aria-expanded="true"]').waitFor();
      expect(await permissionRequests(page)).toBe(1);
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
