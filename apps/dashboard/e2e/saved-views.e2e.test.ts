import { io, type Socket } from "socket.io-client";
import { afterAll, describe, expect, it } from "vitest";
import { submitLogin, useBrowserStory } from "../../../test-support/browser-story.ts";
import { callApi } from "../../../test-support/parley-server.ts";
import { en } from "../src/i18n/locales/en";

const STEP_TIMEOUT_MS = 60_000;

const stamp = Date.now();
const owner = {
  name: "Grace Hopper",
  email: `grace-${stamp}@example.test`,
  password: "cobol-compiler-1959",
  workspaceName: "Hopper Support",
};

const fill = (template: string, values: Record<string, string>) =>
  template.replace(/\{\{(\w+)\}\}/g, (_match, key: string) => values[key] ?? "");

describe("saved views: save the list's filters, find them with a live count, rename and delete them", () => {
  const story = useBrowserStory({ screenshotFolder: "dashboard-saved-views", viewport: { width: 1600, height: 900 } });
  let ownerToken = "";
  let inboxToken = "";
  let savedViewId = "";
  const conversationIds: string[] = [];
  const visitors: Socket[] = [];

  const api = (method: string, url: string, body?: unknown, token = ownerToken) =>
    callApi(story.server, { method, url, body, token });

  /** A new website visitor who writes one message: one new conversation. */
  const visitorWrites = async (text: string): Promise<string> => {
    const session = await api("POST", "/widget/sessions", { inboxToken }, "");
    const socket = await new Promise<Socket>((resolve, reject) => {
      const client = io(`${story.server.baseUrl}/widget`, {
        transports: ["websocket"],
        reconnection: false,
        forceNew: true,
        auth: { visitorToken: session.json.visitorToken },
      });
      client.once("connect", () => resolve(client));
      client.once("connect_error", reject);
    });
    visitors.push(socket);
    const ack: { ok: boolean; data?: { conversationId?: string } } = await socket
      .timeout(5_000)
      .emitWithAck("message.send", { clientId: `v-${Date.now()}-${Math.random()}`, text });
    expect(ack.ok).toBe(true);
    return String(ack.data?.conversationId);
  };

  const listItems = () => story.page.getByTestId("conversation-list").getByTestId("conversation-list-item");
  const savedView = (name: string) =>
    story.page.getByTestId("saved-view").filter({ has: story.page.getByRole("link", { name }) });
  const pane = () => story.page.getByRole("navigation", { name: en.inbox.views.label });

  afterAll(() => {
    for (const socket of visitors) socket.close();
  });

  it(
    "has conversations of different priorities and a signed-in agent",
    async () => {
      const { page } = story;
      const signup = await api("POST", "/auth/signup", owner, "");
      ownerToken = String(signup.json.token);
      const inbox = await api("POST", "/inboxes", { type: "website", name: "Help site" });
      inboxToken = String(inbox.json.websiteToken);
      for (const text of ["Server is down", "Checkout broken", "Question about invoices", "Feature idea"]) {
        conversationIds.push(await visitorWrites(text));
      }
      const priorities = ["urgent", "urgent", "low", "medium"];
      for (const [index, priority] of priorities.entries()) {
        const changed = await api("PATCH", `/conversations/${conversationIds[index]}`, { priority });
        expect(changed.status).toBe(200);
      }

      await submitLogin(page, owner, en.auth.login);
      await page.waitForURL((url) => url.pathname === "/");
    },
    STEP_TIMEOUT_MS,
  );

  it(
    "saves the urgent filter of the All view as a view, which shows in the pane with its count",
    async () => {
      const { page, screenshot } = story;
      await page.goto("/inbox/all");
      await expect.poll(() => listItems().count()).toBe(4);
      await pane().getByTestId("saved-views-empty").waitFor();

      await page.getByRole("button", { name: en.inbox.filters.more }).click();
      await page.getByRole("menu").getByText(en.conversation.priority.urgent, { exact: true }).click();
      await page.keyboard.press("Escape");
      await expect.poll(() => listItems().count()).toBe(2);

      await page.getByTestId("save-as-view").click();
      const dialog = page.getByRole("dialog", { name: en.inbox.savedViews.createTitle });
      // An empty name is refused before anything is sent.
      await dialog.getByTestId("saved-view-submit").click();
      await dialog.getByText(en.inbox.savedViews.nameRequired).waitFor();
      await dialog.getByTestId("saved-view-name").fill("Urgent ones");
      await dialog.getByTestId("saved-view-submit").click();
      await dialog.waitFor({ state: "hidden" });

      await page.waitForURL((url) => url.pathname.startsWith("/inbox/saved-"));
      savedViewId = new URL(page.url()).pathname.slice("/inbox/saved-".length);
      await expect.poll(() => page.getByTestId("inbox-view-title").textContent()).toBe("Urgent ones");
      await savedView("Urgent ones").waitFor();
      await expect.poll(() => page.getByTestId(`view-count-saved-${savedViewId}`).textContent()).toBe("2");
      await screenshot("saved-view-created");
    },
    STEP_TIMEOUT_MS,
  );

  it(
    "refuses a second view with the same name, inline",
    async () => {
      const { page } = story;
      await page.getByTestId("save-as-view").click();
      const dialog = page.getByRole("dialog", { name: en.inbox.savedViews.createTitle });
      await dialog.getByTestId("saved-view-name").fill("urgent ONES");
      await dialog.getByTestId("saved-view-submit").click();
      await dialog.getByText(en.inbox.savedViews.nameTaken).waitFor();
      await dialog.getByRole("button", { name: en.common.cancel }).click();
      await dialog.waitFor({ state: "hidden" });
    },
    STEP_TIMEOUT_MS,
  );

  it(
    "applies the view's filter when opened from another view, and keeps its count live",
    async () => {
      const { page } = story;
      await pane().locator('a[href="/inbox/all"]').click();
      await page.waitForURL((url) => url.pathname === "/inbox/all");
      // Leaving a saved view resets the list's filters.
      await expect.poll(() => listItems().count()).toBe(4);

      await savedView("Urgent ones").getByRole("link").click();
      await page.waitForURL((url) => url.pathname === `/inbox/saved-${savedViewId}`);
      await expect.poll(() => listItems().count()).toBe(2);
      const previews = await page.getByTestId("conversation-list").getByTestId("conversation-preview").allTextContents();
      expect(previews.sort()).toEqual(["Checkout broken", "Server is down"]);
      await page.getByRole("button", { name: fill(en.inbox.filters.moreActive, { count: "1" }) }).waitFor();

      // Another conversation becomes urgent: the count and the list follow without a reload.
      const changed = await api("PATCH", `/conversations/${conversationIds[3]}`, { priority: "urgent" });
      expect(changed.status).toBe(200);
      await expect.poll(() => page.getByTestId(`view-count-saved-${savedViewId}`).textContent()).toBe("3");
      await expect.poll(() => listItems().count()).toBe(3);
    },
    STEP_TIMEOUT_MS,
  );

  it(
    "renames the view and then deletes it",
    async () => {
      const { page, pageErrors, screenshot } = story;
      await page.getByRole("button", { name: fill(en.inbox.savedViews.menu, { name: "Urgent ones" }) }).click();
      await page.getByRole("menuitem", { name: en.inbox.savedViews.rename }).click();
      const dialog = page.getByRole("dialog", { name: en.inbox.savedViews.renameTitle });
      await dialog.getByTestId("saved-view-name").fill("Fire drill");
      await dialog.getByTestId("saved-view-submit").click();
      await dialog.waitFor({ state: "hidden" });
      await savedView("Fire drill").waitFor();
      await expect.poll(() => page.getByTestId("inbox-view-title").textContent()).toBe("Fire drill");
      expect((await api("GET", "/saved-views")).json.items).toMatchObject([
        { name: "Fire drill", filter: { priority: ["urgent"] } },
      ]);

      await page.getByRole("button", { name: fill(en.inbox.savedViews.menu, { name: "Fire drill" }) }).click();
      await page.getByRole("menuitem", { name: en.inbox.savedViews.delete }).click();
      const confirm = page.getByRole("dialog", { name: fill(en.inbox.savedViews.deleteTitle, { name: "Fire drill" }) });
      await confirm.getByRole("button", { name: en.inbox.savedViews.confirmDelete }).click();
      await confirm.waitFor({ state: "hidden" });
      // Deleting the view on screen goes back to the default view.
      await page.waitForURL((url) => url.pathname === "/inbox/mine");
      await pane().getByTestId("saved-views-empty").waitFor();
      expect((await api("GET", "/saved-views")).json.items).toEqual([]);
      await screenshot("saved-view-deleted");
      expect(pageErrors).toEqual([]);
    },
    STEP_TIMEOUT_MS,
  );
});
