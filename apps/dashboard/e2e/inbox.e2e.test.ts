import type { Locator } from "playwright-core";
import { io, type Socket } from "socket.io-client";
import { afterAll, describe, expect, it } from "vitest";
import { submitLogin, UI_TIMEOUT_MS, useBrowserStory } from "../../../test-support/browser-story.ts";
import { callApi } from "../../../test-support/parley-server.ts";
import { ar } from "../src/i18n/locales/ar";
import { en } from "../src/i18n/locales/en";

const STEP_TIMEOUT_MS = 60_000;

const stamp = Date.now();
const owner = {
  name: "Grace Hopper",
  email: `grace-${stamp}@example.test`,
  password: "cobol-compiler-1959",
  workspaceName: "Hopper Help",
};
const colleague = { name: "Alan Turing", email: `alan-${stamp}@example.test`, password: "enigma-bombe-1940" };
const visitorFirstMessage = "Hello, my parcel zanzibarquokka never arrived";
const agentReply = "Sorry to hear that! Let me check the tracking for you.";
const cannedShortcut = "tracking";

type Json = Record<string, unknown> & { [key: string]: unknown };
type VisitorMessage = { message: { id: string; text: string; isPrivate: boolean } };

/** A Mantine select's input, whichever role the browser gives it. */
const field = (scope: Locator, name: string) =>
  scope
    .getByRole("textbox", { name })
    .or(scope.getByRole("combobox", { name }))
    .or(scope.getByRole("searchbox", { name }))
    .first();

/** Polls until `read` gives a value, for effects that travel through jobs and sockets. */
const eventually = async <T>(read: () => Promise<T | undefined> | T | undefined, timeoutMs = UI_TIMEOUT_MS): Promise<T> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error("timed out waiting for a condition");
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
};

describe("the inbox: a visitor's conversation answered live by an agent", () => {
  const story = useBrowserStory({ screenshotFolder: "dashboard-inbox", viewport: { width: 1600, height: 900 } });
  let ownerToken = "";
  let colleagueId = "";
  let inboxToken = "";
  let conversationId = "";
  let visitor: Socket | undefined;
  const visitorReceived: VisitorMessage[] = [];

  const api = (method: string, url: string, body?: unknown, token = ownerToken) =>
    callApi(story.server, { method, url, body, token });

  const visitorEmit = (event: string, payload: unknown): Promise<{ ok: boolean; data?: unknown }> => {
    if (!visitor) throw new Error("the visitor is not connected");
    return visitor.timeout(5_000).emitWithAck(event, payload);
  };

  // The visitor is anonymous: "Visitor" and the end of their contact id.
  const anonymousVisitor = new RegExp(en.inbox.anonymousContact.replace("{{code}}", "[0-9A-F]{4}"));
  const listItem = () => story.page.getByTestId("conversation-list-item").filter({ hasText: anonymousVisitor });
  const composer = () => story.page.getByTestId("composer-input");

  afterAll(() => {
    visitor?.close();
  });

  it(
    "sets up a workspace with a website inbox, a colleague, a label and a canned response",
    async () => {
      const signup = await api("POST", "/auth/signup", owner, "");
      expect(signup.status).toBe(201);
      ownerToken = String(signup.json.token);

      const inbox = await api("POST", "/inboxes", { type: "website", name: "Website" });
      expect(inbox.status).toBe(201);
      inboxToken = String(inbox.json.websiteToken);

      const roles = await api("GET", "/roles");
      const items = roles.json.items;
      if (!Array.isArray(items)) throw new Error("no roles");
      const agentRole = items.find((role: Json) => role.key === "agent");
      const invited = await api("POST", "/invitations", { email: colleague.email, roleId: agentRole.id });
      expect(invited.status).toBe(201);
      const mail = await eventually(async () => {
        const mailbox = await api("GET", "/dev-mailbox");
        const mails = Array.isArray(mailbox.json.items) ? mailbox.json.items : [];
        return mails.find((item: Json) => item.to === colleague.email);
      });
      const token = /accept-invitation\?token=([\w-]+)/.exec(String(mail.text))?.[1];
      expect(token).toBeTruthy();
      const accepted = await api(
        "POST",
        "/invitations/accept",
        { token, name: colleague.name, password: colleague.password },
        "",
      );
      expect(accepted.status).toBeLessThan(300);
      const members = await api("GET", "/members");
      const memberItems = Array.isArray(members.json.items) ? members.json.items : [];
      colleagueId = String(memberItems.find((member: Json) => (member.user as Json).email === colleague.email)?.user.id);
      // The colleague works the inbox, so a note may mention them.
      expect((await api("PUT", `/inboxes/${inbox.json.id}/members`, { userIds: [colleagueId] })).status).toBe(200);

      expect((await api("POST", "/labels", { name: "delivery", color: "#e8590c" })).status).toBe(201);
      const canned = await api("POST", "/canned-responses", {
        scope: "shared",
        shortcut: cannedShortcut,
        content: "Your parcel for conversation {{conversation.number}} is being traced.",
      });
      expect(canned.status).toBe(201);
    },
    STEP_TIMEOUT_MS,
  );

  it(
    "signs the agent in and shows the empty inbox",
    async () => {
      const { page } = story;
      await submitLogin(page, owner, en.auth.login);
      await page.waitForURL((url) => url.pathname === "/");
      await page.getByRole("navigation", { name: en.shell.nav.label }).getByRole("link", { name: en.inbox.pageTitle }).click();
      await page.waitForURL((url) => url.pathname === "/inbox");
      await page.getByRole("link", { name: en.inbox.views.all }).click();
      await page.getByText(en.inbox.list.emptyTitle).waitFor();
      await page.locator('[data-status="connected"]').first().waitFor();
    },
    STEP_TIMEOUT_MS,
  );

  it(
    "shows a visitor's new conversation live, with its unread badge, and the visitor's draft as they type",
    async () => {
      const { page, server, screenshot } = story;
      const session = await api("POST", "/widget/sessions", { inboxToken }, "");
      expect(session.status).toBe(200);
      visitor = await new Promise<Socket>((resolve, reject) => {
        const socket = io(`${server.baseUrl}/widget`, {
          transports: ["websocket"],
          reconnection: false,
          forceNew: true,
          auth: { visitorToken: session.json.visitorToken },
        });
        socket.once("connect", () => resolve(socket));
        socket.once("connect_error", reject);
      });
      visitor.on("message.created", (payload: VisitorMessage) => visitorReceived.push(payload));

      const sent = await visitorEmit("message.send", { clientId: `visitor-${stamp}`, text: visitorFirstMessage });
      expect(sent.ok).toBe(true);

      // No reload: the conversation arrives through the agent socket.
      await listItem().waitFor();
      expect(await listItem().getByTestId("unread-badge").textContent()).toBe("1");
      expect(await page.getByTestId("view-count-all").textContent()).toBe("1");
      conversationId = String(await listItem().getAttribute("data-conversation-id"));
      await screenshot("01-new-conversation-live");

      await listItem().getByRole("button").click();
      await page.waitForURL((url) => url.pathname === `/inbox/conversations/${conversationId}`);
      await page.getByTestId("message").filter({ hasText: visitorFirstMessage }).waitFor();
      // Opening it reads it: the badge goes.
      await listItem().getByTestId("unread-badge").waitFor({ state: "detached" });

      await visitorEmit("typing", { isTyping: true });
      await visitorEmit("sneak_peek", { text: "Also, can I change the address" });
      await page.getByTestId("sneak-peek").filter({ hasText: "Also, can I change the address" }).waitFor();
      await screenshot("02-conversation-and-contact-panel");
      await visitorEmit("typing", { isTyping: false });
    },
    STEP_TIMEOUT_MS,
  );

  it(
    "replies, taking the unassigned conversation; the visitor's socket receives the reply once",
    async () => {
      const { page } = story;
      await composer().fill(agentReply);
      await composer().press("Enter");
      await page.getByTestId("message").filter({ hasText: agentReply }).waitFor();
      // Whoever answers an unassigned conversation has it, so nobody else answers it too.
      await page.getByTestId("conversation-assignee").filter({ hasText: owner.name }).waitFor();
      const received = await eventually(() => visitorReceived.find((event) => event.message.text === agentReply));
      expect(received.message.isPrivate).toBe(false);
      // Enter sent it and emptied the composer; the message is stored once (clientId), not twice.
      expect(await composer().inputValue()).toBe("");
      await page.waitForTimeout(300);
      expect(await page.getByTestId("message").filter({ hasText: agentReply }).count()).toBe(1);
      expect(visitorReceived.filter((event) => event.message.text === agentReply)).toHaveLength(1);
    },
    STEP_TIMEOUT_MS,
  );

  it(
    "fills a canned response typed after / and sends it",
    async () => {
      const { page } = story;
      await composer().fill(`/${cannedShortcut.slice(0, 4)}`);
      await page.getByRole("option", { name: new RegExp(`/${cannedShortcut}`) }).click();
      const number = await eventually(async () => {
        const value = await composer().inputValue();
        return value.startsWith("Your parcel") ? value : undefined;
      });
      expect(number).toMatch(/^Your parcel for conversation \d+ is being traced\.$/);
      await page.getByTestId("composer-send").click();
      await eventually(() => visitorReceived.find((event) => event.message.text === number));
    },
    STEP_TIMEOUT_MS,
  );

  it(
    "writes a private note that @mentions a colleague; the visitor never receives it",
    async () => {
      const { page } = story;
      // The "n" shortcut switches the composer to a private note and focuses it.
      await page.locator("body").click({ position: { x: 5, y: 5 } });
      await page.keyboard.press("n");
      await page.locator('[data-testid="composer"][data-note]').waitFor();
      await composer().pressSequentially("Please double-check the courier @Ala");
      await page.getByRole("option", { name: new RegExp(colleague.name) }).click();
      await composer().pressSequentially("thanks");
      await page.getByTestId("composer-send").click();
      const note = page.locator('[data-testid="message"][data-private]').filter({ hasText: "Please double-check the courier" });
      await note.waitFor();
      expect(await note.textContent()).toContain(`@${colleague.name}`);

      // Stored as a private note that mentions the colleague (the page shows it before the server answers).
      const stored = await eventually(async () => {
        const history = await api("GET", `/conversations/${conversationId}/messages`);
        return (Array.isArray(history.json.items) ? history.json.items : []).find((message: Json) =>
          String(message.text).startsWith("Please double-check"),
        );
      });
      expect(stored.isPrivate).toBe(true);
      expect(stored.content.mentions).toEqual([colleagueId]);
      await page.waitForTimeout(500);
      expect(visitorReceived.some((event) => event.message.text.includes("double-check"))).toBe(false);
      await composer().press("Escape");
      await page.keyboard.press("r");
      await page.locator('[data-testid="composer"]:not([data-note])').waitFor();
    },
    STEP_TIMEOUT_MS,
  );

  it(
    "transfers the conversation to the colleague with a reason, labels it and snoozes it",
    async () => {
      const { page } = story;
      await page.getByRole("button", { name: en.conversation.actions.transfer, exact: true }).click();
      const dialog = page.getByRole("dialog");
      await field(dialog, en.conversation.assign.agent).click();
      await page.getByRole("option", { name: new RegExp(colleague.name) }).click();
      await dialog.getByLabel(en.conversation.assign.reason).fill("Courier questions are Alan's");
      await dialog.getByRole("button", { name: en.conversation.assign.submit }).click();
      await dialog.waitFor({ state: "detached" });
      await page.getByTestId("conversation-assignee").filter({ hasText: colleague.name }).waitFor();
      const assignments = await api("GET", `/conversations/${conversationId}/assignments`);
      const last = Array.isArray(assignments.json.items) ? assignments.json.items.at(-1) : undefined;
      expect(last).toMatchObject({ kind: "transfer", toUserId: colleagueId, reason: "Courier questions are Alan's" });

      await page.getByRole("button", { name: en.conversation.labels.edit }).click();
      await page.getByRole("dialog").getByRole("checkbox", { name: "delivery" }).check();
      await page.getByRole("button", { name: en.conversation.labels.save }).click();
      await page.getByTestId("conversation-label").filter({ hasText: "delivery" }).waitFor();
      expect((await api("GET", `/conversations/${conversationId}`)).json.labels).toEqual(["delivery"]);

      await page.getByRole("button", { name: en.conversation.snooze.button }).click();
      await page.getByRole("menuitem", { name: new RegExp(en.conversation.snooze.oneHour) }).click();
      await page.getByTestId("conversation-status").filter({ hasText: en.conversation.status.snoozed }).waitFor();
      const snoozed = await api("GET", `/conversations/${conversationId}`);
      expect(snoozed.json.status).toBe("snoozed");
      const until = Date.parse(String(snoozed.json.snoozedUntil)) - Date.now();
      expect(until).toBeGreaterThan(50 * 60_000);
      expect(until).toBeLessThan(61 * 60_000);
    },
    STEP_TIMEOUT_MS,
  );

  it(
    "resolves the conversation",
    async () => {
      const { page, screenshot } = story;
      await page.getByTestId("resolve").click();
      await page.getByTestId("conversation-status").filter({ hasText: en.conversation.status.resolved }).waitFor();
      expect((await api("GET", `/conversations/${conversationId}`)).json.status).toBe("resolved");
      await page.getByRole("button", { name: en.conversation.actions.reopen }).waitFor();
      await screenshot("03-resolved");
    },
    STEP_TIMEOUT_MS,
  );

  it(
    "finds the visitor's message in search and jumps to it in the conversation",
    async () => {
      const { page, screenshot } = story;
      await page.getByRole("navigation", { name: en.shell.nav.label }).getByRole("link", { name: en.search.pageTitle }).click();
      await page.getByTestId("search-input").fill("zanzibarquokka");
      const hit = page.getByTestId("search-message-hit");
      await hit.waitFor();
      expect(await hit.locator("mark").first().textContent()).toBe("zanzibarquokka");
      await screenshot("04-search");
      await hit.first().click();
      await page.waitForURL(
        (url) => url.pathname === `/inbox/conversations/${conversationId}` && url.searchParams.has("message"),
      );
      const target = page.locator('[data-testid="message"]').filter({ hasText: visitorFirstMessage });
      await target.locator("[data-highlighted]").waitFor();
      expect(await target.isVisible()).toBe(true);
    },
    STEP_TIMEOUT_MS,
  );

  it(
    "shows the visitor on the visitors monitor and starts a chat with them from there",
    async () => {
      const { page, screenshot } = story;
      await page.getByRole("navigation", { name: en.shell.nav.label }).getByRole("link", { name: en.visitors.pageTitle }).click();
      await page.getByTestId("visitors-table").waitFor();
      await screenshot("05-visitors");

      // Starting a chat from the monitor puts the agent's message in the visitor's widget at once.
      await page.getByTestId("visitors-table").getByRole("button", { name: en.visitors.start }).click();
      await page.getByRole("dialog").getByLabel(en.visitors.firstMessage).fill("Hi again! Can I help with the new order?");
      await page.getByRole("dialog").getByRole("button", { name: en.visitors.start }).click();
      await page.waitForURL((url) => url.pathname.startsWith("/inbox/conversations/"));
      await page.getByTestId("message").filter({ hasText: "Hi again! Can I help with the new order?" }).waitFor();
      await eventually(() => visitorReceived.find((event) => event.message.text === "Hi again! Can I help with the new order?"));
    },
    STEP_TIMEOUT_MS,
  );

  it(
    "mirrors the inbox right to left in Arabic",
    async () => {
      const { page, pageErrors, screenshot } = story;
      await page.evaluate(() => window.localStorage.setItem("parley.language", "ar"));
      await page.goto(`/inbox/conversations/${conversationId}`);
      await page.getByTestId("conversation-pane").waitFor();
      expect(await page.evaluate(() => document.documentElement.dir)).toBe("rtl");
      await page.getByRole("button", { name: ar.conversation.composer.send }).waitFor();
      await screenshot("06-inbox-arabic");
      await page.evaluate(() => window.localStorage.setItem("parley.language", "en"));
      expect(pageErrors).toEqual([]);
    },
    STEP_TIMEOUT_MS,
  );
});
