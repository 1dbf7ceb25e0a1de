import { io, type Socket } from "socket.io-client";
import { afterAll, describe, expect, it } from "vitest";
import { submitLogin, UI_TIMEOUT_MS, useBrowserStory } from "../../../test-support/browser-story.ts";
import { callApi } from "../../../test-support/parley-server.ts";
import { en } from "../src/i18n/locales/en";

const STEP_TIMEOUT_MS = 60_000;

const stamp = Date.now();
const owner = {
  name: "Ada Byron",
  email: `ada-${stamp}@example.test`,
  password: "difference-engine-1822",
  workspaceName: "Byron Care",
};
const colleague = { name: "Charles Babbage", email: `charles-${stamp}@example.test`, password: "analytical-engine-1837" };
const earlyWord = "quetzalcoatlus";
const HISTORY_SIZE = 90;
// A 1×1 transparent PNG.
const PIXEL_PNG = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==",
  "base64",
);

type Json = Record<string, unknown> & { [key: string]: unknown };
type VisitorEvent = { message: { id: string; text: string; attachments: unknown[] } };

const eventually = async <T>(read: () => Promise<T | undefined> | T | undefined, timeoutMs = UI_TIMEOUT_MS): Promise<T> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error("timed out waiting for a condition");
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
};

describe("the inbox's tools: history, message actions, attachments, bulk actions, contact panel, presence, team chat", () => {
  const story = useBrowserStory({ screenshotFolder: "dashboard-inbox-tools", viewport: { width: 1600, height: 900 } });
  let ownerToken = "";
  let colleagueId = "";
  let conversationId = "";
  let contactId = "";
  let inboxToken = "";
  const visitors: Socket[] = [];
  const visitorReceived: VisitorEvent[] = [];

  const api = (method: string, url: string, body?: unknown, token = ownerToken) =>
    callApi(story.server, { method, url, body, token });
  const itemsOf = (json: Json): Json[] => (Array.isArray(json.items) ? json.items : []);

  /** A new visitor on the website inbox, connected to the widget socket, who writes one message. */
  const visitorWrites = async (inboxToken: string, text: string) => {
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
    const ack: { ok: boolean; data?: { conversationId?: string; message?: { conversationId: string } } } = await socket
      .timeout(5_000)
      .emitWithAck("message.send", { clientId: `v-${Date.now()}-${Math.random()}`, text });
    expect(ack.ok).toBe(true);
    return socket;
  };

  const message = (text: string) => story.page.getByTestId("message").filter({ hasText: text });
  const composer = () => story.page.getByTestId("composer-input");

  afterAll(() => {
    for (const socket of visitors) socket.close();
  });

  it(
    "sets up a long conversation, a colleague and the agent's session",
    async () => {
      const { page } = story;
      const signup = await api("POST", "/auth/signup", owner, "");
      ownerToken = String(signup.json.token);
      const inbox = await api("POST", "/inboxes", { type: "website", name: "Support site" });
      inboxToken = String(inbox.json.websiteToken);

      const agentRole = itemsOf((await api("GET", "/roles")).json).find((role) => role.key === "agent");
      await api("POST", "/invitations", { email: colleague.email, roleId: agentRole?.id });
      const mail = await eventually(async () =>
        itemsOf((await api("GET", "/dev-mailbox")).json).find((item) => item.to === colleague.email),
      );
      const token = /accept-invitation\?token=([\w-]+)/.exec(String(mail.text))?.[1];
      await api("POST", "/invitations/accept", { token, name: colleague.name, password: colleague.password }, "");
      colleagueId = String(
        itemsOf((await api("GET", "/members")).json)
          .map((member) => member.user as Json)
          .find((user) => user.email === colleague.email)?.id,
      );

      const first = await visitorWrites(inboxToken, `My first question mentions ${earlyWord} fossils`);
      first.on("message.created", (payload: VisitorEvent) => visitorReceived.push(payload));
      const conversations = await api("GET", "/conversations?view=all");
      conversationId = String(itemsOf(conversations.json)[0]?.id);
      const contact = itemsOf(conversations.json)[0]?.contact as Json | undefined;
      contactId = String(contact?.id);
      // A long history, so the pane pages in both directions.
      for (let index = 1; index <= HISTORY_SIZE; index += 1) {
        const sent = await api("POST", `/conversations/${conversationId}/messages`, {
          clientId: `seed-${index}`,
          text: `History line ${index}`,
        });
        expect(sent.status).toBe(201);
      }
      // Three more conversations for the bulk action.
      for (const text of ["Second visitor here", "Third visitor here", "Fourth visitor here"])
        await visitorWrites(inboxToken, text);

      await submitLogin(page, owner, en.auth.login);
      await page.waitForURL((url) => url.pathname === "/");
    },
    STEP_TIMEOUT_MS,
  );

  it(
    "pages older history in as the agent scrolls up",
    async () => {
      const { page } = story;
      await page.goto(`/inbox/conversations/${conversationId}`);
      await message(`History line ${HISTORY_SIZE}`).waitFor();
      const before = await page.getByTestId("message").count();
      expect(before).toBeLessThan(HISTORY_SIZE);
      await page.getByTestId("message-list").evaluate((element) => element.scrollTo({ top: 0 }));
      await eventually(async () => ((await page.getByTestId("message").count()) > before ? true : undefined));
      await page.getByTestId("message-list").evaluate((element) => element.scrollTo({ top: 0 }));
      await message(earlyWord).waitFor();
      await page.getByText(en.conversation.historyStart.replace("{{number}}", "1")).waitFor();
    },
    STEP_TIMEOUT_MS,
  );

  it(
    "jumps from search to an early message, then back to the latest",
    async () => {
      const { page } = story;
      await page.goto(`/search?q=${earlyWord}`);
      await page.getByTestId("search-message-hit").click();
      await message(earlyWord).locator("[data-highlighted]").waitFor();
      // A window around an old message does not reach the live end.
      expect(await message(`History line ${HISTORY_SIZE}`).count()).toBe(0);
      await page.getByTestId("jump-to-latest").click();
      await message(`History line ${HISTORY_SIZE}`).waitFor();
    },
    STEP_TIMEOUT_MS,
  );

  it(
    "reacts to a message and takes the reaction back",
    async () => {
      const { page } = story;
      const target = message(`History line ${HISTORY_SIZE}`);
      await target.hover();
      await target.getByRole("button", { name: en.conversation.reactions.pick }).click();
      await page.getByRole("button", { name: "🎉" }).click();
      // The agent's own reaction: pressing it again takes it back.
      const reaction = target.getByRole("button", { name: "Take back 🎉 (1)" });
      await reaction.waitFor();
      const stored = async () =>
        itemsOf((await api("GET", `/conversations/${conversationId}/messages`)).json).find(
          (item) => item.text === `History line ${HISTORY_SIZE}`,
        );
      expect((await stored())?.reactions).toHaveLength(1);
      await reaction.click();
      await reaction.waitFor({ state: "detached" });
      expect((await stored())?.reactions).toHaveLength(0);
    },
    STEP_TIMEOUT_MS,
  );

  it(
    "edits and deletes the agent's own message",
    async () => {
      const { page } = story;
      const target = message(`History line ${HISTORY_SIZE}`);
      await target.hover();
      await target.getByRole("button", { name: en.conversation.message.more }).click();
      await page.getByRole("menuitem", { name: en.conversation.message.edit }).click();
      const editor = page.getByRole("textbox", { name: en.conversation.message.editLabel });
      await editor.fill("History line, corrected");
      await editor.press("Enter");
      await message("History line, corrected").getByText(en.conversation.message.edited).waitFor();

      const corrected = message("History line, corrected");
      await corrected.hover();
      await corrected.getByRole("button", { name: en.conversation.message.more }).click();
      await page.getByRole("menuitem", { name: en.conversation.message.delete }).click();
      await page.getByRole("dialog").getByRole("button", { name: en.conversation.message.delete }).click();
      await page.getByText(en.conversation.message.deleted).waitFor();
      const history = itemsOf((await api("GET", `/conversations/${conversationId}/messages`)).json);
      expect(history.at(-1)?.deletedAt).not.toBeNull();
    },
    STEP_TIMEOUT_MS,
  );

  it(
    "replies to a message with an attached image; the visitor receives the file",
    async () => {
      const { page } = story;
      const quoted = message(`History line ${HISTORY_SIZE - 1}`);
      await quoted.hover();
      await quoted.getByRole("button", { name: en.conversation.message.reply }).click();
      await page.getByTestId("reply-to").waitFor();
      const chooser = page.waitForEvent("filechooser");
      await page.getByRole("button", { name: en.conversation.composer.attach }).click();
      await (await chooser).setFiles({ name: "receipt.png", mimeType: "image/png", buffer: PIXEL_PNG });
      await page.locator('[data-testid="draft-attachment"][data-state="done"]').waitFor();
      // A file dropped on the composer uploads too.
      const dropped = await page.evaluateHandle(() => {
        const transfer = new DataTransfer();
        transfer.items.add(new File(["order 1234"], "order.txt", { type: "text/plain" }));
        return transfer;
      });
      await page.getByTestId("composer").dispatchEvent("drop", { dataTransfer: dropped });
      await eventually(async () =>
        (await page.locator('[data-testid="draft-attachment"][data-state="done"]').count()) === 2 ? true : undefined,
      );
      await composer().fill("Here is your receipt");
      await composer().press("Enter");
      const sent = message("Here is your receipt");
      await sent.getByRole("img", { name: "receipt.png" }).waitFor();
      await sent.getByRole("button", { name: en.conversation.message.showReplied }).waitFor();
      const received = await eventually(() => visitorReceived.find((event) => event.message.text === "Here is your receipt"));
      expect(received.message.attachments).toHaveLength(2);
    },
    STEP_TIMEOUT_MS,
  );

  it(
    "marks the conversation unread with the u shortcut",
    async () => {
      const { page } = story;
      await page.goto("/inbox/all");
      const item = page.locator(`[data-testid="conversation-list-item"][data-conversation-id="${conversationId}"]`);
      await item.getByRole("button").click();
      await message("Here is your receipt").waitFor();
      await item.getByTestId("unread-badge").waitFor({ state: "detached" });
      // A new contact message while the conversation is open is read at once…
      await visitors[0]
        ?.timeout(5_000)
        .emitWithAck("message.send", { clientId: `late-${stamp}`, text: "Any news on my receipt?" });
      await message("Any news on my receipt?").waitFor();
      await page.waitForTimeout(500);
      expect(await item.getByTestId("unread-badge").count()).toBe(0);
      // …and "u" marks it unread again, from the contact's last message.
      await page.locator("body").click({ position: { x: 5, y: 5 } });
      await page.keyboard.press("u");
      await page.getByText(en.conversation.actions.markedUnread).waitFor();
      await item.getByTestId("unread-badge").waitFor();
    },
    STEP_TIMEOUT_MS,
  );

  it(
    "edits the contact (showing the server's field error), adds a tag and a note, then emails the transcript",
    async () => {
      const { page, screenshot } = story;
      const panel = page.getByTestId("contact-panel");
      await panel.getByRole("button", { name: en.contacts.edit }).click();
      await panel.getByLabel(en.contacts.fields.name).fill("Mary Anning");
      await panel.getByLabel(en.contacts.fields.phone).fill("not a phone");
      await panel.getByRole("button", { name: en.contacts.save }).click();
      await panel.getByText(/phone number/).waitFor();
      await panel.getByLabel(en.contacts.fields.phone).fill("+44 20 7946 0958");
      await panel.getByLabel(en.contacts.fields.email).fill(`mary-${stamp}@example.test`);
      await panel.getByRole("button", { name: en.contacts.save }).click();
      await panel.getByTestId("contact-name").filter({ hasText: "Mary Anning" }).waitFor();
      // The list and the header show the new name without a reload.
      await page.getByTestId("conversation-title").filter({ hasText: "Mary Anning" }).waitFor();

      const tags = panel
        .getByRole("textbox", { name: en.contacts.tags.title })
        .or(panel.getByRole("combobox", { name: en.contacts.tags.title }));
      await tags.fill("vip");
      await tags.press("Enter");
      await eventually(
        async () => ((await api("GET", `/contacts/${contactId}`)).json.tags as string[]).includes("vip") || undefined,
      );

      await panel.getByRole("textbox", { name: en.contacts.notes.newLabel }).fill("Collects fossils; prefers email.");
      await panel.getByRole("button", { name: en.contacts.notes.add }).click();
      await panel.getByTestId("contact-note").filter({ hasText: "Collects fossils" }).waitFor();
      await screenshot("01-contact-panel");

      await page.getByRole("button", { name: en.conversation.actions.more }).click();
      await page.getByRole("menuitem", { name: en.conversation.actions.transcript }).click();
      await page.getByRole("dialog").getByRole("button", { name: en.conversation.transcript.send }).click();
      await page.getByText(`The transcript is on its way to mary-${stamp}@example.test.`).waitFor();
      await eventually(async () =>
        itemsOf((await api("GET", "/dev-mailbox")).json).find((mail) => mail.to === `mary-${stamp}@example.test`),
      );
    },
    STEP_TIMEOUT_MS,
  );

  it(
    "blocks the contact after confirming",
    async () => {
      const { page, screenshot } = story;
      await page.getByRole("button", { name: en.conversation.actions.more }).click();
      await page.getByRole("menuitem", { name: en.conversation.actions.block }).click();
      await page.getByRole("dialog").getByRole("button", { name: en.conversation.actions.block }).click();
      await page.getByTestId("contact-panel").getByText(en.contacts.blocked, { exact: true }).waitFor();
      expect((await api("GET", `/contacts/${contactId}`)).json.isBlocked).toBe(true);

      // On a narrower screen the contact panel opens as a drawer instead of a third column.
      await page.setViewportSize({ width: 1100, height: 800 });
      await page.getByTestId("contact-panel").waitFor({ state: "detached" });
      await page.getByRole("button", { name: en.contacts.panel.show }).click();
      await page.getByRole("dialog").getByTestId("contact-name").filter({ hasText: "Mary Anning" }).waitFor();
      await screenshot("02-contact-drawer");
      await page.keyboard.press("Escape");
      await page.setViewportSize({ width: 1600, height: 900 });
    },
    STEP_TIMEOUT_MS,
  );

  it(
    "resolves every selected conversation with a bulk action and shows its progress",
    async () => {
      const { page } = story;
      await page.goto("/inbox/all");
      const items = page.getByTestId("conversation-list-item");
      await eventually(async () => ((await items.count()) === 4 ? true : undefined));
      await page.getByRole("checkbox", { name: en.inbox.list.selectAll }).check();
      await page.getByTestId("bulk-bar").getByRole("button", { name: en.inbox.bulk.actions }).click();
      await page.getByRole("menuitem", { name: en.conversation.actions.resolve }).click();
      await page.locator('[data-testid="bulk-progress"][data-status="done"]').waitFor();
      await page.getByText("Done: 4 of 4 changed, 0 failed.").waitFor();
      const resolved = await api("GET", "/conversations?view=all&status=resolved");
      expect(itemsOf(resolved.json)).toHaveLength(4);
      // Resolved conversations leave the open list live.
      await page.getByText(en.inbox.list.emptyTitle).waitFor();
    },
    STEP_TIMEOUT_MS,
  );

  it(
    "loads the next page of the conversation list when its end scrolls into view, and shows new ones live",
    async () => {
      const { page } = story;
      for (let index = 1; index <= 27; index += 1) {
        const socket = await visitorWrites(inboxToken, `Batch visitor ${index}`);
        socket.close();
      }
      const items = page.getByTestId("conversation-list-item");
      // The first 26 arrive live on the open list.
      await eventually(async () => ((await items.count()) === 27 ? true : undefined));
      await page.reload();
      await eventually(async () => ((await items.count()) === 25 ? true : undefined));
      // Scrolling to the end is enough: no click on "Load more".
      await items.last().scrollIntoViewIfNeeded();
      await eventually(async () => ((await items.count()) === 27 ? true : undefined));
      await page.getByText(en.inbox.list.end).waitFor();
    },
    STEP_TIMEOUT_MS,
  );

  it(
    "switches the agent's presence and shows the shortcut cheat sheet",
    async () => {
      const { page, screenshot } = story;
      await page.getByTestId("presence-switcher").click();
      await page.getByRole("menuitem", { name: new RegExp(en.presence.status.online) }).click();
      await page.locator('[data-testid="presence-switcher"][data-status="online"]').waitFor();
      const presence = itemsOf((await api("GET", "/presence")).json).find((item) => item.name === owner.name);
      expect(presence?.status).toBe("online");

      await page.locator("body").click({ position: { x: 5, y: 5 } });
      await page.keyboard.press("?");
      await page.getByTestId("shortcuts-cheat-sheet").waitFor();
      await screenshot("03-shortcuts");
      await page.keyboard.press("Escape");
    },
    STEP_TIMEOUT_MS,
  );

  it(
    "sends a direct message to a colleague in team chat",
    async () => {
      const { page, pageErrors } = story;
      await page.goto("/chats");
      await page.getByRole("button", { name: en.internalChats.new }).click();
      await page.getByRole("menuitem", { name: colleague.name }).click();
      await page.waitForURL((url) => url.pathname.startsWith("/chats/"));
      await page.getByRole("textbox", { name: `Message to ${colleague.name}` }).fill("Can you look at the fossil case?");
      await page.getByRole("textbox", { name: `Message to ${colleague.name}` }).press("Enter");
      await page.getByTestId("internal-messages").getByText("Can you look at the fossil case?").waitFor();
      const login = await api("POST", "/auth/login", { email: colleague.email, password: colleague.password }, "");
      const colleagueToken = String(login.json.token);
      const chats = itemsOf((await api("GET", "/internal-chats", undefined, colleagueToken)).json);
      expect(chats[0]).toMatchObject({ unreadCount: 1, lastMessage: { text: "Can you look at the fossil case?" } });
      // The colleague's answer arrives live in the open chat.
      const answer = await api(
        "POST",
        `/internal-chats/${chats[0]?.id}/messages`,
        { clientId: `answer-${stamp}`, text: "On it!" },
        colleagueToken,
      );
      expect(answer.status).toBe(201);
      await page.getByTestId("internal-messages").getByText("On it!").waitFor();
      expect(colleagueId).not.toBe("");
      expect(pageErrors).toEqual([]);
    },
    STEP_TIMEOUT_MS,
  );
});
