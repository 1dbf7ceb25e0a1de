import { createServer, type IncomingMessage, type Server } from "node:http";
import { generate } from "otplib";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newBrowserContext } from "../../../test-support/browser.ts";
import { submitLogin, UI_TIMEOUT_MS, useBrowserStory } from "../../../test-support/browser-story.ts";
import { createSigningKey } from "../../server/test/fixtures/sso/test-keys.ts";
import { settingsEn } from "../src/features/settings/i18n/settings.en";
import { LANGUAGE_NAMES } from "../src/i18n/i18n";
import { ar } from "../src/i18n/locales/ar";
import { en } from "../src/i18n/locales/en";

const STEP_TIMEOUT_MS = 60_000;
const stamp = Date.now();
const s = settingsEn;

const owner = {
  name: "Ada Lovelace",
  email: `ada-settings-${stamp}@example.test`,
  password: "analytical-engine-1843",
  workspaceName: "Lovelace Settings",
};
const invitee = `charles-${stamp}@example.test`;

type ReceivedHook = { event: string; signature: string };

const waitForPath = (page: Page, pathname: string | RegExp) =>
  page.waitForURL((url) => (typeof pathname === "string" ? url.pathname === pathname : pathname.test(url.pathname)), {
    timeout: UI_TIMEOUT_MS,
  });

const settingsLink = (page: Page, name: string) =>
  page.getByRole("navigation", { name: s.nav.label }).getByRole("link", { name, exact: true });

const readBody = (request: IncomingMessage) =>
  new Promise<string>((resolve) => {
    let body = "";
    request.on("data", (chunk: Buffer) => {
      body += chunk.toString("utf8");
    });
    request.on("end", () => resolve(body));
  });

describe("settings screens: an admin sets up the workspace", () => {
  const story = useBrowserStory({
    screenshotFolder: "dashboard",
    screenshotPrefix: "settings-",
    fullPageScreenshots: true,
    viewport: { width: 1366, height: 900 },
    serverEnv: () => ({ WEBHOOKS_ALLOW_PRIVATE_TARGETS: "true" }),
  });
  let token = "";
  let receiver: Server;
  let receiverUrl = "";
  const received: ReceivedHook[] = [];

  const api = async (method: string, url: string, body?: unknown, bearer = token) => {
    const response = await fetch(`${story.server.baseUrl}/api/v1${url}`, {
      method,
      headers: {
        ...(body === undefined ? {} : { "content-type": "application/json" }),
        ...(bearer ? { authorization: `Bearer ${bearer}` } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, json: await response.json().catch(() => null) };
  };

  const openSettings = async (name: string, pathname: string) => {
    await settingsLink(story.page, name).click();
    await waitForPath(story.page, pathname);
  };

  const dialog = (name: string) => story.page.getByRole("dialog", { name });

  beforeAll(async () => {
    await story.context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: story.server.baseUrl });
    // A real receiver on this machine: the server's private-target guard is relaxed for the test only.
    receiver = createServer((request, response) => {
      void readBody(request).then((body) => {
        const parsed: unknown = JSON.parse(body);
        const event = typeof parsed === "object" && parsed !== null && "type" in parsed ? String(parsed.type) : "";
        received.push({ event, signature: String(request.headers["parley-signature"] ?? "") });
        response.writeHead(200, { "content-type": "application/json" }).end('{"ok":true}');
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
    const address = receiver.address();
    receiverUrl = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}/parley-hook`;
  });

  afterAll(async () => {
    await new Promise((resolve) => (receiver ? receiver.close(resolve) : resolve(undefined)));
  });

  it(
    "opens Settings from the main navigation and lands on the first section the role allows",
    async () => {
      const { page, screenshot } = story;
      const signup = await api("POST", "/auth/signup", owner, "");
      expect(signup.status).toBe(201);
      token = signup.json.token;

      await submitLogin(page, owner, en.auth.login);
      await waitForPath(page, "/");

      await page.getByRole("navigation", { name: en.shell.nav.label }).getByRole("link", { name: en.shell.nav.settings }).click();
      await waitForPath(page, "/settings/workspace");
      // An owner sees every section of the menu.
      for (const name of [
        s.nav.inboxes,
        s.nav.teams,
        s.nav.members,
        s.nav.roles,
        s.nav.webhooks,
        s.nav.apiKeys,
        s.nav.auditLog,
      ]) {
        await settingsLink(page, name).waitFor();
      }
      await screenshot("01-general");
    },
    STEP_TIMEOUT_MS,
  );

  it(
    "creates a website inbox and copies its install snippet",
    async () => {
      const { page, server, screenshot } = story;
      await openSettings(s.nav.inboxes, "/settings/inboxes");
      await page.getByText(s.inboxes.empty.title).waitFor();
      await page.getByRole("button", { name: s.inboxes.add }).click();
      const create = dialog(s.inboxes.createTitle);
      await create.getByLabel(s.inboxes.name).fill("Website chat");
      await create.getByRole("button", { name: s.common.create }).click();
      await waitForPath(page, /^\/settings\/inboxes\/[0-9a-f-]{36}$/);

      const inboxes = await api("GET", "/inboxes");
      const inbox = inboxes.json.items.find((item: { name: string }) => item.name === "Website chat");
      expect(inbox.type).toBe("website");
      const expectedSnippet = `<script async src="${server.baseUrl}/widget.js" data-inbox="${inbox.websiteToken}"></script>`;

      await page.getByRole("tab", { name: s.inboxes.tabs.widget }).click();
      expect(await page.getByTestId("widget-snippet").textContent()).toBe(expectedSnippet);
      await page.getByRole("button", { name: s.inboxes.widget.copySnippet }).click();
      await page.getByRole("button", { name: s.common.copied }).waitFor();
      expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(expectedSnippet);
      await screenshot("02-inbox-snippet");

      // The widget's look: the preview follows the form before saving; saving stores it on the inbox.
      await page.getByLabel(s.inboxes.widget.widgetTitle, { exact: true }).fill("Talk to Lovelace");
      await page.getByTestId("widget-preview-title").filter({ hasText: "Talk to Lovelace" }).waitFor();
      await page.getByLabel(s.inboxes.widget.primaryColor).fill("#7950f2");
      await page
        .getByRole("form", { name: s.inboxes.widget.customiseTitle })
        .getByRole("button", { name: s.common.save })
        .click();
      await page.getByText(s.inboxes.widget.savedMessage).waitFor();
      const widget = await api("GET", `/inboxes/${inbox.id}/widget-settings`);
      expect(widget.json.settings).toMatchObject({ title: "Talk to Lovelace", primaryColor: "#7950f2" });
      await screenshot("02b-widget-settings");

      // The general tab saves through the API, and a bad value comes back as a field error.
      await page.getByRole("tab", { name: s.inboxes.tabs.general }).click();
      await page.getByLabel(s.inboxes.awayMessage).fill("We are away; we reply by email within a day.");
      await page.getByRole("button", { name: s.common.save }).click();
      await page.getByText(s.inboxes.savedMessage.replace("{{name}}", "Website chat")).waitFor();
      const saved = await api("GET", `/inboxes/${inbox.id}`);
      expect(saved.json.awayMessage).toBe("We are away; we reply by email within a day.");

      // Business hours: the default week, Friday until midnight, and a holiday.
      await page.getByRole("tab", { name: s.inboxes.tabs.businessHours }).click();
      await page.getByLabel(s.inboxes.businessHours.enabled).check();
      await page.getByRole("combobox", { name: s.inboxes.businessHours.timezone }).fill("Europe/Paris");
      await page.getByRole("option", { name: "Europe/Paris" }).click();
      await page.getByLabel(`${s.days["5"]} ${s.inboxes.businessHours.to}`).fill("00:00");
      await page.getByLabel(s.inboxes.businessHours.holidayDate).fill("2026-12-25");
      await page.getByRole("button", { name: s.inboxes.businessHours.addHoliday, exact: true }).click();
      await page.getByRole("button", { name: s.common.save }).click();
      await expect
        .poll(async () => (await api("GET", `/inboxes/${inbox.id}`)).json.businessHours?.holidays)
        .toEqual(["2026-12-25"]);
      const hours = (await api("GET", `/inboxes/${inbox.id}`)).json.businessHours;
      expect(hours).toMatchObject({ isEnabled: true, timezone: "Europe/Paris" });
      expect(hours.weekly).toHaveLength(5);
      expect(hours.weekly).toContainEqual({ day: 5, startMinute: 540, endMinute: 1440 });
      await screenshot("02a-business-hours");

      // Members per inbox.
      await page.getByRole("tab", { name: s.inboxes.tabs.members }).click();
      const membersPanel = page.getByRole("tabpanel", { name: s.inboxes.tabs.members });
      await membersPanel.getByLabel(s.inboxes.members.label, { exact: true }).click();
      await page.getByRole("option", { name: new RegExp(owner.email) }).click();
      await membersPanel.getByRole("heading", { name: s.inboxes.members.title }).click();
      await membersPanel.getByRole("button", { name: s.inboxes.members.save }).click();
      await page.getByText(s.inboxes.members.savedMessage).waitFor();
      const members = await api("GET", `/inboxes/${inbox.id}/members`);
      expect(members.json.items).toEqual([expect.objectContaining({ email: owner.email })]);
    },
    STEP_TIMEOUT_MS,
  );

  it(
    "connects an API inbox to its channel and shows the credentials Parley issued once",
    async () => {
      const { page, screenshot } = story;
      const created = await api("POST", "/inboxes", { type: "api", name: "Backend bridge" });
      expect(created.status).toBe(201);
      await page.goto(`/settings/inboxes/${created.json.id}`);
      await page.getByRole("tab", { name: s.inboxes.tabs.connection }).click();
      await page.getByTestId("channel-status").filter({ hasText: s.inboxes.channel.statuses.not_connected }).waitFor();
      await page.getByRole("button", { name: s.inboxes.channel.connect, exact: true }).click();
      await page
        .getByTestId("channel-status")
        .filter({ hasText: new RegExp(`^${s.inboxes.channel.statuses.connected}$`) })
        .waitFor();
      await page.locator('[data-testid^="issued-"]').first().waitFor();
      const connection = await api("GET", `/inboxes/${created.json.id}/channel`);
      expect(connection.json.status).toBe("connected");
      expect(connection.json.issuedCredentials).toBeUndefined();
      await screenshot("02c-api-channel");
    },
    STEP_TIMEOUT_MS,
  );

  it(
    "creates a team with a member, a label with a colour and a canned response",
    async () => {
      const { page, screenshot } = story;
      await openSettings(s.nav.teams, "/settings/teams");
      await page.getByRole("button", { name: s.teams.add }).click();
      const team = dialog(s.teams.createTitle);
      await team.getByLabel(s.teams.name).fill("Tier 2");
      await team.getByLabel(s.teams.members, { exact: true }).click();
      await page.getByRole("option", { name: new RegExp(owner.email) }).click();
      await team.getByRole("heading", { name: s.teams.createTitle }).click();
      await team.getByRole("button", { name: s.common.create }).click();
      await page.getByRole("table", { name: s.teams.tableLabel }).getByRole("cell", { name: "Tier 2", exact: true }).waitFor();
      const teams = await api("GET", "/teams");
      expect(teams.json.items).toEqual([expect.objectContaining({ name: "Tier 2", memberCount: 1 })]);

      await openSettings(s.nav.labels, "/settings/labels");
      await page.getByRole("button", { name: s.labels.add }).click();
      const label = dialog(s.labels.createTitle);
      await label.getByLabel(s.labels.name).fill("billing");
      await label.getByLabel(s.labels.color).fill("#fa5252");
      await label.getByRole("button", { name: s.common.create }).click();
      await page.getByRole("table", { name: s.labels.tableLabel }).getByText("billing").waitFor();
      const labels = await api("GET", "/labels");
      expect(labels.json.items).toEqual([expect.objectContaining({ name: "billing", color: "#fa5252" })]);
      // Deleting asks first; cancelling keeps the label.
      await page.getByRole("button", { name: `${s.common.delete} billing` }).click();
      const confirm = dialog(s.labels.deleteTitle.replace("{{name}}", "billing"));
      await confirm.getByRole("button", { name: en.common.cancel }).click();
      await confirm.waitFor({ state: "hidden" });
      expect((await api("GET", "/labels")).json.items).toHaveLength(1);
      await page.getByRole("button", { name: `${s.common.delete} billing` }).click();
      await confirm.getByRole("button", { name: s.common.confirmDelete }).click();
      await page.getByText(s.labels.empty.title).waitFor();
      expect((await api("GET", "/labels")).json.items).toHaveLength(0);

      await openSettings(s.nav.cannedResponses, "/settings/canned-responses");
      await page.getByRole("button", { name: s.canned.add }).click();
      const canned = dialog(s.canned.createTitle);
      await canned.locator("label", { hasText: s.canned.scopes.shared }).click();
      expect(await canned.getByRole("radio", { name: s.canned.scopes.shared }).isChecked()).toBe(true);
      await canned.getByLabel(s.canned.shortcut).fill("refund");
      await canned.getByLabel(s.canned.content).fill("Hi {{contact.name}}, your refund is on its way.");
      await canned.getByRole("button", { name: s.common.create }).click();
      await page.getByRole("table", { name: s.canned.tableLabel }).getByText("/refund").waitFor();
      const responses = await api("GET", "/canned-responses");
      expect(responses.json.items).toEqual([expect.objectContaining({ shortcut: "refund", scope: "shared" })]);

      // A shared shortcut already in use is refused by the server; the dashboard says why next to the field.
      await page.getByRole("button", { name: s.canned.add }).click();
      await canned.locator("label", { hasText: s.canned.scopes.shared }).click();
      await canned.getByLabel(s.canned.shortcut).fill("refund");
      await canned.getByLabel(s.canned.content).fill("Another text");
      await canned.getByRole("button", { name: s.common.create }).click();
      await canned.getByText(en.errors.reasons.canned_shortcut_taken.replace("{{shortcut}}", "refund")).waitFor();
      await screenshot("03-canned-duplicate");
      await canned.getByRole("button", { name: en.common.cancel }).click();
      await canned.waitFor({ state: "hidden" });
    },
    STEP_TIMEOUT_MS,
  );

  it(
    "adds a proactive trigger and bans an address range, then lifts the ban",
    async () => {
      const { page } = story;
      await openSettings(s.nav.triggers, "/settings/triggers");
      await page.getByRole("button", { name: s.triggers.add }).click();
      const form = dialog(s.triggers.createTitle);
      await form.getByLabel(s.triggers.name).fill("Pricing greeter");
      await form.getByRole("button", { name: s.triggers.addCondition }).click();
      await form.getByRole("textbox", { name: s.triggers.text, exact: true }).fill("Questions about pricing?");
      await form.getByRole("button", { name: s.common.create }).click();
      await form.waitFor({ state: "hidden" });
      await page.getByTestId("trigger-row").filter({ hasText: "Pricing greeter" }).waitFor();
      const triggers = await api("GET", "/proactive-triggers");
      expect(triggers.json.items).toEqual([
        expect.objectContaining({
          name: "Pricing greeter",
          isEnabled: true,
          conditions: [expect.objectContaining({ type: "time_on_page", operator: "gt", value: 30 })],
          actions: [expect.objectContaining({ type: "greeting", text: "Questions about pricing?" })],
        }),
      ]);

      await openSettings(s.nav.visitorBans, "/settings/visitor-bans");
      await page.getByRole("button", { name: s.visitorBans.add }).click();
      const ban = dialog(s.visitorBans.createTitle);
      await ban.getByLabel(s.visitorBans.ipRange).fill("not-an-address");
      await ban.getByRole("button", { name: s.visitorBans.ban, exact: true }).click();
      // The server refuses it and the form marks the field, keeping the dialog open.
      await expect.poll(() => ban.getByLabel(s.visitorBans.ipRange).getAttribute("aria-invalid")).toBe("true");
      await ban.getByLabel(s.visitorBans.ipRange).fill("203.0.113.0/24");
      await ban.getByRole("button", { name: s.visitorBans.ban, exact: true }).click();
      await ban.waitFor({ state: "hidden" });
      const row = page.getByTestId("visitor-ban-row").filter({ hasText: "203.0.113.0/24" });
      await row.waitFor();
      expect((await api("GET", "/visitor-bans")).json.items).toHaveLength(1);
      await row.getByRole("button", { name: s.visitorBans.lift }).click();
      await dialog(s.visitorBans.liftTitle.replace("{{who}}", "203.0.113.0/24"))
        .getByRole("button", { name: s.visitorBans.lift })
        .click();
      await page.getByText(s.visitorBans.empty.title).waitFor();
      expect((await api("GET", "/visitor-bans")).json.items).toHaveLength(0);

      // A banned contact is shown by name, in the row and in the dialog that lifts the ban.
      const banned = await api("POST", "/contacts", { name: "Mallory Spam", email: `mallory-${Date.now()}@example.test` });
      expect(banned.status).toBe(201);
      expect((await api("POST", "/visitor-bans", { contactId: banned.json.id, reason: "spam" })).status).toBe(201);
      await page.reload();
      const contactRow = page.getByTestId("visitor-ban-row").filter({ hasText: "Mallory Spam" });
      await contactRow.waitFor();
      await contactRow.getByRole("button", { name: s.visitorBans.lift }).click();
      await dialog(s.visitorBans.liftTitle.replace("{{who}}", "Mallory Spam"))
        .getByRole("button", { name: s.visitorBans.lift })
        .click();
      await page.getByText(s.visitorBans.empty.title).waitFor();
      expect((await api("GET", "/visitor-bans")).json.items).toHaveLength(0);
    },
    STEP_TIMEOUT_MS,
  );

  it(
    "invites a member, whose invitation mail lands in the dev mailbox",
    async () => {
      const { page, screenshot } = story;
      await openSettings(s.nav.members, "/settings/members");
      await page.getByTestId("member-row").filter({ hasText: owner.email }).waitFor();
      await page.getByRole("button", { name: s.members.invite }).click();
      const invite = dialog(s.members.inviteTitle);
      await invite.getByLabel(s.members.email).fill(invitee);
      await invite.getByRole("button", { name: s.members.send }).click();
      await invite.waitFor({ state: "hidden" });

      await page.getByRole("tab", { name: s.members.tabs.invitations }).click();
      const row = page.getByTestId("invitation-row").filter({ hasText: invitee });
      await row.waitFor();
      expect(await row.textContent()).toContain(s.members.invitationStatuses.pending);
      await screenshot("04-invitations");

      await openSettings(s.nav.devMailbox, "/settings/dev-mailbox");
      const mail = page.getByTestId("dev-mail").filter({ hasText: invitee });
      await mail.waitFor();
      expect(await mail.textContent()).toContain(`invited you to ${owner.workspaceName}`);
      await mail.getByRole("button").click();
      expect(await page.getByTestId("dev-mail-text").textContent()).toContain("/accept-invitation?token=");
      await screenshot("05-dev-mailbox");
      await page.keyboard.press("Escape");
    },
    STEP_TIMEOUT_MS,
  );

  it(
    "shows an agent only the settings their role allows",
    async () => {
      const { server, browser, screenshot } = story;
      const mailbox = await api("GET", "/dev-mailbox");
      const mail = mailbox.json.items.find((item: { to: string }) => item.to.includes(invitee));
      const invitationToken = new URL(
        /https?:\/\/\S+\/accept-invitation\?token=[^\s"<]+/.exec(mail.text)?.[0] ?? "",
      ).searchParams.get("token");
      const accepted = await api(
        "POST",
        "/invitations/accept",
        { token: invitationToken, name: "Charles Babbage", password: "difference-engine-1822" },
        "",
      );
      expect(accepted.status).toBe(200);

      const agentContext = await newBrowserContext(browser, {
        baseURL: server.baseUrl,
        locale: "en-US",
        viewport: { width: 1280, height: 800 },
      });
      agentContext.setDefaultTimeout(UI_TIMEOUT_MS);
      const agentPage = await agentContext.newPage();
      try {
        await submitLogin(agentPage, { email: invitee, password: "difference-engine-1822" }, en.auth.login);
        await waitForPath(agentPage, "/");
        await agentPage.goto("/settings");
        // An agent sees members, roles, canned responses and visitor bans (they manage contacts), and their own account.
        await waitForPath(agentPage, "/settings/members");
        const menu = agentPage.getByRole("navigation", { name: s.nav.label });
        const links = await menu.getByRole("link").allTextContents();
        expect(links).toEqual([
          s.nav.members,
          s.nav.roles,
          s.nav.cannedResponses,
          s.nav.visitorBans,
          s.nav.profile,
          s.nav.accountSecurity,
        ]);
        await agentPage.getByTestId("member-row").first().waitFor();
        expect(await agentPage.getByRole("button", { name: s.members.invite }).count()).toBe(0);
        await agentPage.goto("/settings/webhooks");
        await agentPage.getByText(en.access.forbiddenTitle).waitFor();
        await screenshot("05b-agent-menu", agentPage);
      } catch (error) {
        await screenshot("failed-agent", agentPage);
        throw new Error(`${String(error)} (the agent's page was at ${agentPage.url()})`);
      } finally {
        await agentContext.close();
      }
    },
    STEP_TIMEOUT_MS,
  );

  it(
    "creates a custom role in the permission matrix",
    async () => {
      const { page, screenshot } = story;
      await openSettings(s.nav.roles, "/settings/roles");
      await page.getByRole("table", { name: s.roles.matrixLabel }).waitFor();
      await page.getByRole("button", { name: s.roles.add }).click();
      const role = dialog(s.roles.createTitle);
      await role.getByLabel(s.roles.name).fill("Quality reviewer");
      await role.getByRole("checkbox", { name: s.roles.permissionNames.audit_view }).check();
      await role.getByRole("checkbox", { name: s.roles.permissionNames.reports_view }).check();
      await role.getByRole("button", { name: s.common.create }).click();
      await role.waitFor({ state: "hidden" });
      await page.getByTestId("role-column").filter({ hasText: "Quality reviewer" }).waitFor();

      const roles = await api("GET", "/roles");
      const created = roles.json.items.find((item: { name: string }) => item.name === "Quality reviewer");
      expect([...created.permissions].sort()).toEqual(["audit.view", "reports.view"]);
      await screenshot("06-roles");
    },
    STEP_TIMEOUT_MS,
  );

  it(
    "creates a webhook, sees its deliveries and redelivers one",
    async () => {
      const { page, screenshot } = story;
      await openSettings(s.nav.webhooks, "/settings/webhooks");
      await page.getByRole("button", { name: s.webhooks.add }).click();
      const form = dialog(s.webhooks.createTitle);
      await form.getByLabel(s.webhooks.url).fill(receiverUrl);
      await form.getByRole("checkbox", { name: "contact.created" }).check();
      await form.getByRole("button", { name: s.common.create }).click();
      const secret = await form.getByTestId("webhook-secret").textContent();
      expect(secret?.length).toBeGreaterThan(20);
      await form.getByRole("button", { name: s.common.done }).click();
      await page.getByTestId("webhook-row").filter({ hasText: receiverUrl }).waitFor();

      const contact = await api("POST", "/contacts", { name: "Grace Hopper", email: `grace-${stamp}@example.test` });
      expect(contact.status).toBe(201);
      await expect.poll(() => received.filter((hook) => hook.event === "contact.created").length, { timeout: 15_000 }).toBe(1);
      expect(received[0]?.signature).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);

      await page.getByRole("button", { name: s.webhooks.deliveries }).click();
      const delivery = page.getByTestId("webhook-delivery").filter({ hasText: "contact.created" });
      await delivery.filter({ hasText: s.webhooks.deliveryStatuses.succeeded }).first().waitFor();
      await delivery.first().getByRole("button", { name: s.webhooks.redeliver }).click();
      await expect.poll(() => received.filter((hook) => hook.event === "contact.created").length, { timeout: 15_000 }).toBe(2);
      await expect.poll(() => page.getByTestId("webhook-delivery").count()).toBe(2);
      await screenshot("07-webhook-deliveries");
      await page.keyboard.press("Escape");
    },
    STEP_TIMEOUT_MS,
  );

  it(
    "creates an API key whose secret is shown once and works",
    async () => {
      const { page, screenshot } = story;
      await openSettings(s.nav.apiKeys, "/settings/api-keys");
      await page.getByRole("button", { name: s.apiKeys.add }).click();
      const form = dialog(s.apiKeys.createTitle);
      await form.getByLabel(s.apiKeys.name).fill("CRM sync");
      await form.getByRole("checkbox", { name: s.roles.permissionNames.audit_view }).check();
      await form.getByRole("button", { name: s.common.create }).click();
      const key = (await form.getByTestId("api-key-secret").textContent()) ?? "";
      expect(key).toMatch(/^pk_/);
      await screenshot("08-api-key-shown-once");

      // The key really authenticates, with the permission it was given.
      const withKey = await api("GET", "/audit-log?limit=1", undefined, key);
      expect(withKey.status).toBe(200);

      await form.getByRole("button", { name: s.common.done }).click();
      await form.waitFor({ state: "hidden" });
      const row = page.getByTestId("api-key-row").filter({ hasText: "CRM sync" });
      await row.waitFor();
      expect(await page.content()).not.toContain(key);
    },
    STEP_TIMEOUT_MS,
  );

  it(
    "filters the audit log to these changes, and shows new entries live",
    async () => {
      const { page, screenshot } = story;
      await openSettings(s.nav.auditLog, "/settings/audit-log");
      await page.getByTestId("audit-entry").first().waitFor();
      for (const action of [
        "inbox.created",
        "team.created",
        "label.created",
        "role.created",
        "webhook.created",
        "api_key.created",
      ]) {
        await page.getByTestId("audit-entry").filter({ hasText: action }).first().waitFor();
      }

      await page.getByLabel(s.audit.action).fill("api_key.*");
      await page.getByRole("button", { name: s.audit.apply }).click();
      await expect.poll(() => page.getByTestId("audit-entry").count()).toBe(1);
      expect(await page.getByTestId("audit-entry").textContent()).toContain("api_key.created");
      // The export link streams the same filtered entries from the server, as CSV.
      const exportHref = (await page.getByRole("link", { name: s.audit.export }).getAttribute("href")) ?? "";
      const csv = await page.request.get(exportHref);
      expect(csv.headers()["content-type"]).toContain("text/csv");
      const csvText = await csv.text();
      expect(csvText).toContain("api_key.created");
      expect(csvText).not.toContain("label.created");

      await page.getByRole("button", { name: s.audit.reset }).click();
      await page.getByLabel(s.audit.search).fill("invitation");
      await page.getByRole("button", { name: s.audit.apply }).click();
      await page.getByTestId("audit-entry").filter({ hasText: "invitation.created" }).waitFor();

      // A change made elsewhere arrives over the socket without a reload.
      await page.getByRole("button", { name: s.audit.reset }).click();
      await page.getByTestId("audit-entry").filter({ hasText: "api_key.created" }).waitFor();
      const live = await api("POST", "/labels", { name: "vip", color: "#40c057" });
      expect(live.status).toBe(201);
      await page.getByTestId("audit-live-count").waitFor();
      await page.getByTestId("audit-entry").filter({ hasText: "label.created" }).filter({ hasText: "vip" }).waitFor();
      await screenshot("09-audit-log");
    },
    STEP_TIMEOUT_MS,
  );

  it(
    "renames the member in their profile, and shows settings in Arabic, mirrored",
    async () => {
      const { page, pageErrors, screenshot } = story;
      await openSettings(s.nav.profile, "/settings/profile");
      await page.getByRole("textbox", { name: s.profile.name }).fill("Ada King");
      await page.getByRole("button", { name: s.common.save }).click();
      await page.getByText(s.profile.savedMessage).waitFor();
      expect((await api("GET", "/me")).json.user.name).toBe("Ada King");

      await page.getByRole("combobox", { name: s.profile.language }).click();
      await page.getByRole("option", { name: LANGUAGE_NAMES.ar }).click();
      await page.getByRole("heading", { name: ar.settings.profile.pageTitle, exact: true }).waitFor();
      expect(await page.evaluate(() => document.documentElement.dir)).toBe("rtl");
      await page
        .getByRole("navigation", { name: ar.settings.nav.label })
        .getByRole("link", { name: ar.settings.nav.roles })
        .click();
      await page.getByRole("table", { name: ar.settings.roles.matrixLabel }).waitFor();
      await screenshot("10-roles-arabic");

      await page
        .getByRole("navigation", { name: ar.settings.nav.label })
        .getByRole("link", { name: ar.settings.nav.profile })
        .click();
      await page.getByRole("combobox", { name: ar.settings.profile.language }).click();
      await page.getByRole("option", { name: LANGUAGE_NAMES.en }).click();
      await page.getByRole("heading", { name: s.profile.pageTitle, exact: true }).waitFor();
      expect(await page.evaluate(() => document.documentElement.dir)).toBe("ltr");
      expect(pageErrors).toEqual([]);
    },
    STEP_TIMEOUT_MS,
  );
  it(
    "sets the workspace password policy, refusing a bad allowlist entry, and adds a SAML connection",
    async () => {
      const { page, screenshot } = story;
      await openSettings(s.nav.security, "/settings/security");
      await page.getByLabel(s.security.ipAllowlist).fill("not-an-ip");
      await page.getByRole("button", { name: s.common.save }).click();
      await expect.poll(() => page.getByLabel(s.security.ipAllowlist).getAttribute("aria-invalid")).toBe("true");
      await page.getByLabel(s.security.ipAllowlist).fill("");
      await page.getByLabel(s.security.passwordMinLength).fill("12");
      expect(await page.getByLabel(s.security.visitorRetentionDays).inputValue()).toBe("270");
      await page.getByLabel(s.security.visitorRetentionDays).fill("90");
      await page.getByRole("button", { name: s.common.save }).click();
      await page.getByText(s.security.savedMessage).waitFor();
      const security = await api("GET", "/workspaces/current/security");
      expect(security.json).toMatchObject({ passwordMinLength: 12, ipAllowlist: [], anonymousVisitorRetentionDays: 90 });

      // A SAML connection for the company's domain; its service-provider values are shown to paste into the IdP.
      const idpKey = await createSigningKey("settings-idp");
      await page.getByRole("button", { name: s.security.sso.add }).click();
      const sso = dialog(s.security.sso.createTitle);
      await sso.locator("label", { hasText: s.security.sso.kinds.saml }).click();
      await sso.getByLabel(s.security.sso.name).fill("Acme SAML");
      await sso.getByLabel(s.security.sso.domains).fill("acme-settings.test");
      await sso.getByLabel(s.security.sso.domains).press("Enter");
      await sso.getByLabel(s.security.sso.idpEntryPoint).fill("https://idp.acme-settings.test/sso");
      await sso.getByLabel(s.security.sso.idpIssuer).fill("https://idp.acme-settings.test/entity");
      await sso.getByLabel(s.security.sso.idpCertificate).fill(idpKey.certificate);
      await sso.getByRole("button", { name: s.common.create }).click();
      await sso.waitFor({ state: "hidden" });
      await page.getByRole("table", { name: s.security.sso.tableLabel }).getByText("Acme SAML").waitFor();
      const connections = await api("GET", "/sso/connections");
      expect(connections.json.items).toEqual([
        expect.objectContaining({ protocol: "saml", name: "Acme SAML", domains: ["acme-settings.test"], isEnabled: true }),
      ]);
      await screenshot("11-security");
    },
    STEP_TIMEOUT_MS,
  );

  it(
    "turns on two-factor authentication and logs out every other session",
    async () => {
      const { page, pageErrors, screenshot } = story;
      // Another device signs in; "log out everywhere else" must end it and keep this browser signed in.
      const other = await api("POST", "/auth/login", { email: owner.email, password: owner.password }, "");
      expect(other.status).toBe(200);
      const otherToken: string = other.json.token;

      await openSettings(s.nav.accountSecurity, "/settings/account-security");
      await page.getByRole("button", { name: s.twoFactor.turnOn }).click();
      const secret = (await page.getByTestId("two-factor-secret").textContent()) ?? "";
      await page.getByLabel(s.twoFactor.code).fill(await generate({ secret }));
      await page.getByRole("button", { name: s.twoFactor.confirm }).click();
      await expect.poll(() => page.getByTestId("backup-code").count()).toBe(10);
      await page.getByRole("button", { name: en.restrictions.twoFactor.saved }).click();
      await page
        .getByTestId("two-factor-status")
        .filter({ hasText: new RegExp(`^${s.twoFactor.enabled}$`) })
        .waitFor();
      expect((await api("GET", "/me/two-factor")).json.enabled).toBe(true);

      await expect.poll(() => page.getByTestId("account-session").count()).toBeGreaterThan(1);
      await page.getByRole("button", { name: s.sessions.endOthers }).click();
      await dialog(s.sessions.endOthersTitle).getByRole("button", { name: s.sessions.endOthers }).click();
      await expect.poll(() => page.getByTestId("account-session").count()).toBe(1);
      expect((await api("GET", "/me", undefined, otherToken)).status).toBe(401);
      expect((await api("GET", "/me")).status).toBe(401);
      await screenshot("12-account-security");
      expect(pageErrors).toEqual([]);
    },
    STEP_TIMEOUT_MS,
  );
});
