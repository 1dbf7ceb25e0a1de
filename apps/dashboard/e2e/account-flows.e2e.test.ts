import { createServer, type Server } from "node:http";
import { generate } from "otplib";
import type { Locator, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { submitLogin, UI_TIMEOUT_MS, useBrowserStory } from "../../../test-support/browser-story.ts";
import { createSigningKey } from "../../server/test/fixtures/sso/test-keys.ts";
import { type CaughtMail, codeIn, linkIn, type MailCatcher, startMailCatcher } from "../../server/test/mail-catcher.ts";
import { ar } from "../src/i18n/locales/ar";
import { en } from "../src/i18n/locales/en";

const STEP_TIMEOUT_MS = 90_000;
const stamp = Date.now();

/** Signs up through the API, then uses only links and codes that arrive by mail. */
const katherine = {
  name: "Katherine Johnson",
  email: `katherine-${stamp}@example.test`,
  password: "orbital-mechanics-1962",
  workspaceName: "Johnson Flight Dynamics",
};
const katherineNewPassword = "trajectory-reentry-2026";

/** Owns the workspace that requires two-factor authentication. */
const owner = {
  name: "Dorothy Vaughan",
  email: `dorothy-${stamp}@example.test`,
  password: "fortran-for-everyone-1961",
  workspaceName: "Vaughan Computing",
};
/** Her domain signs in through SAML only, once the connection below enforces it. */
const ssoUser = {
  name: "Grace Hopper",
  email: `grace-${stamp}@sso-corp.test`,
  password: "compiler-pioneer-1952",
  workspaceName: "Hopper Labs",
};
const newMember = { name: "Mary Jackson", email: `mary-${stamp}@example.test`, password: "wind-tunnel-engineer-1958" };

const waitForPath = (page: Page, pathname: string) =>
  page.waitForURL((url) => url.pathname === pathname, { timeout: UI_TIMEOUT_MS });

const waitForHeaderWorkspace = (page: Page, name: string) =>
  page.waitForFunction((expected) => document.querySelector('[data-testid="workspace-name"]')?.textContent === expected, name, {
    timeout: UI_TIMEOUT_MS,
  });

/** The text a field's aria-describedby points at (its description and its error). */
const describedTextOf = async (page: Page, field: Locator) => {
  const ids = ((await field.getAttribute("aria-describedby")) ?? "").split(" ").filter(Boolean);
  const texts = await Promise.all(ids.map((id) => page.locator(`[id="${id}"]`).textContent()));
  return texts.join(" ");
};

/** A path plus query of a link from a mail, to open against the browser's base URL. */
const pathOf = (link: string) => {
  const url = new URL(link);
  return `${url.pathname}${url.search}`;
};

const mailTo = (email: string, subject: string) => (mail: CaughtMail) =>
  mail.to.includes(email) && mail.subject.includes(subject);

describe("account flows in the dashboard: mail links, emailed codes, invitations and required 2FA", () => {
  let catcher: MailCatcher;
  let idpServer: Server | undefined;
  // Registered before the story: the mail catcher starts before the server that sends to it, and closes after it stops.
  beforeAll(async () => {
    catcher = await startMailCatcher();
  });
  afterAll(async () => {
    await catcher?.close();
    await new Promise((resolve) => (idpServer ? idpServer.close(resolve) : resolve(undefined)));
  });
  const story = useBrowserStory({
    screenshotFolder: "dashboard",
    screenshotPrefix: "account-",
    fullPageScreenshots: true,
    viewport: { width: 1280, height: 900 },
    serverEnv: () => ({ SMTP_URL: catcher.url }),
  });
  let ownerToken = "";

  const api = async (method: string, url: string, body?: unknown, token?: string) => {
    const response = await fetch(`${story.server.baseUrl}/api/v1${url}`, {
      method,
      headers: {
        ...(body === undefined ? {} : { "content-type": "application/json" }),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, json: await response.json().catch(() => null) };
  };

  const logOut = async () => {
    await story.page.getByTestId("user-menu").click();
    await story.page.getByRole("menuitem", { name: en.shell.userMenu.logOut }).click();
    await waitForPath(story.page, "/login");
  };

  it(
    "confirms the email address with the link from the verification mail",
    async () => {
      const { page, screenshot } = story;
      const signup = await api("POST", "/auth/signup", katherine);
      expect(signup.status).toBe(201);
      expect(signup.json.user.emailVerified).toBe(false);

      const mail = await catcher.waitFor(mailTo(katherine.email, "Confirm your email"), 30_000);
      await page.goto(pathOf(linkIn(mail, "/verify-email")));
      await page.getByTestId("email-verified").waitFor();
      await screenshot("01-email-verified");

      const me = await api("GET", "/me", undefined, signup.json.token);
      expect(me.json.user.emailVerified).toBe(true);

      // The link is single-use: opening it again explains that and offers a way to a new one.
      await page.reload();
      await page.getByText(en.auth.verifyEmail.invalidTitle).waitFor();
      await page.getByText(en.auth.verifyEmail.signInToResend).waitFor();
      await screenshot("02-email-link-used");
    },
    STEP_TIMEOUT_MS,
  );

  it(
    "resets a forgotten password with the mailed link, refuses a weak one on the field, and signs in with the new one",
    async () => {
      const { page, screenshot } = story;
      await page.goto("/login");
      await page.getByRole("link", { name: en.auth.login.forgotPassword }).click();
      await waitForPath(page, "/forgot-password");
      // The page's code loads on demand; until then the previous page is still on screen.
      await page.getByRole("heading", { name: en.auth.forgotPassword.title }).waitFor();
      await page.getByLabel(en.auth.forgotPassword.email).fill(katherine.email);
      await page.getByRole("button", { name: en.auth.forgotPassword.submit }).click();
      await page.getByTestId("reset-link-sent").waitFor();
      await screenshot("03-reset-link-sent");

      const mail = await catcher.waitFor(mailTo(katherine.email, "Reset your Parley password"), 30_000);
      await page.goto(pathOf(linkIn(mail, "/reset-password")));
      const passwordField = page.getByRole("textbox", { name: en.auth.resetPassword.password });
      // The policy refuses the person's own name; the server's reason lands on the field.
      await passwordField.fill(katherine.name);
      await page.getByRole("button", { name: en.auth.resetPassword.submit }).click();
      await page.getByText(/your email address or your name/i).waitFor();
      expect(await describedTextOf(page, passwordField)).toMatch(/your email address or your name/i);
      await screenshot("04-reset-password-refused");

      await passwordField.fill(katherineNewPassword);
      await page.getByRole("button", { name: en.auth.resetPassword.submit }).click();
      await page.getByTestId("password-reset-done").waitFor();
      await screenshot("05-password-reset-done");

      await page.getByRole("link", { name: en.auth.resetPassword.signIn }).click();
      await waitForPath(page, "/login");
      await page.getByRole("heading", { name: en.auth.login.title }).waitFor();
      await page.getByLabel(en.auth.login.email).fill(katherine.email);
      await page.getByRole("textbox", { name: en.auth.login.password }).fill(katherineNewPassword);
      await page.getByRole("button", { name: en.auth.login.submit, exact: true }).click();
      await waitForPath(page, "/");
      await waitForHeaderWorkspace(page, katherine.workspaceName);
      await screenshot("06-signed-in-with-new-password");

      // The old password no longer works.
      expect((await api("POST", "/auth/login", { email: katherine.email, password: katherine.password })).status).toBe(401);
    },
    STEP_TIMEOUT_MS,
  );

  it(
    "signs in with a code from the mail after refusing a wrong one",
    async () => {
      const { page, screenshot } = story;
      await logOut();
      await page.getByRole("button", { name: en.auth.login.useLoginCode }).click();
      await page.getByLabel(en.auth.loginCode.email).fill(katherine.email);
      await page.getByRole("button", { name: en.auth.loginCode.send }).click();
      await page.getByTestId("login-code-sent").waitFor();

      const code = codeIn(await catcher.waitFor(mailTo(katherine.email, "sign-in code"), 30_000));
      const wrongCode = String((Number(code) + 1) % 1_000_000).padStart(6, "0");
      const codeField = page.getByLabel(en.auth.loginCode.code);
      await codeField.fill(wrongCode);
      await page.getByRole("button", { name: en.auth.loginCode.submit }).click();
      await page.getByText(en.auth.loginCode.invalidCode).waitFor();
      await screenshot("07-login-code-wrong");

      await codeField.fill(code);
      await page.getByRole("button", { name: en.auth.loginCode.submit }).click();
      await waitForPath(page, "/");
      await waitForHeaderWorkspace(page, katherine.workspaceName);
      await screenshot("08-signed-in-with-code");
    },
    STEP_TIMEOUT_MS,
  );

  it(
    "explains a failed single sign-on and that a domain has none",
    async () => {
      const { page, screenshot } = story;
      await logOut();
      await page.goto("/login?sso_error=domain_not_allowed");
      await page.getByText(en.auth.ssoError.codes.domain_not_allowed).waitFor();
      await page.getByRole("button", { name: en.auth.login.useSso }).click();
      await page.getByLabel(en.auth.sso.email).fill(katherine.email);
      await page.getByRole("button", { name: en.auth.sso.submit, exact: true }).click();
      await page.getByText(en.auth.sso.noConnection).waitFor();
      await screenshot("09-sso-error-and-no-connection");

      // The same page in Arabic, right to left.
      await page.getByLabel(en.shell.userMenu.language).selectOption("ar");
      await page.getByText(ar.auth.ssoError.codes.domain_not_allowed).waitFor();
      expect(await page.evaluate(() => document.documentElement.dir)).toBe("rtl");
      await screenshot("09b-sso-error-arabic");
      await page.getByLabel(ar.shell.userMenu.language).selectOption("en");
      await page.getByText(en.auth.ssoError.codes.domain_not_allowed).waitFor();
    },
    STEP_TIMEOUT_MS,
  );

  it(
    "lets an existing account accept an invitation after signing in, landing in the inviting workspace",
    async () => {
      const { page, screenshot } = story;
      const signup = await api("POST", "/auth/signup", owner);
      expect(signup.status).toBe(201);
      ownerToken = signup.json.token;
      const roles = await api("GET", "/roles", undefined, ownerToken);
      const agentRole = roles.json.items.find((role: { key: string | null }) => role.key === "agent");
      const invited = await api("POST", "/invitations", { email: katherine.email, roleId: agentRole.id }, ownerToken);
      expect(invited.status).toBe(201);

      const mail = await catcher.waitFor(mailTo(katherine.email, `invited you to ${owner.workspaceName}`), 30_000);
      await page.goto(pathOf(linkIn(mail, "/accept-invitation")));
      expect(await page.getByTestId("invitation-workspace").textContent()).toBe(owner.workspaceName);
      expect(await page.getByTestId("invitation-email").textContent()).toBe(katherine.email);
      await screenshot("10-invitation-existing-account");

      await page.getByRole("link", { name: en.invitation.signInToAccept }).click();
      await waitForPath(page, "/login");
      await page.getByRole("heading", { name: en.auth.login.title }).waitFor();
      // The address comes pre-filled from the invitation.
      expect(await page.getByLabel(en.auth.login.email).inputValue()).toBe(katherine.email);
      await page.getByRole("textbox", { name: en.auth.login.password }).fill(katherineNewPassword);
      await page.getByRole("button", { name: en.auth.login.submit, exact: true }).click();

      await waitForPath(page, "/accept-invitation");
      await page.getByRole("button", { name: `Join ${owner.workspaceName}` }).click();
      await waitForPath(page, "/");
      await waitForHeaderWorkspace(page, owner.workspaceName);
      await screenshot("11-joined-inviting-workspace");
      await logOut();
    },
    STEP_TIMEOUT_MS,
  );

  it(
    "makes a new member of a workspace that requires 2FA set it up before anything else, backup codes included",
    async () => {
      const { page, screenshot } = story;
      // The owner needs 2FA before the workspace may require it (the lockout guard).
      const enrolment = await api("POST", "/me/two-factor/enrol", {}, ownerToken);
      const confirmed = await api(
        "POST",
        "/me/two-factor/confirm",
        { code: await generate({ secret: enrolment.json.secret }) },
        ownerToken,
      );
      expect(confirmed.status).toBe(200);
      const secured = await api("PATCH", "/workspaces/current/security", { requireTwoFactor: true }, ownerToken);
      expect(secured.status).toBe(200);

      const roles = await api("GET", "/roles", undefined, ownerToken);
      const agentRole = roles.json.items.find((role: { key: string | null }) => role.key === "agent");
      expect((await api("POST", "/invitations", { email: newMember.email, roleId: agentRole.id }, ownerToken)).status).toBe(201);
      const mail = await catcher.waitFor(mailTo(newMember.email, "invited you"), 30_000);

      // A new account: name and password on the invitation page.
      await page.goto(pathOf(linkIn(mail, "/accept-invitation")));
      await page.getByLabel(en.invitation.name).fill(newMember.name);
      await page.getByRole("textbox", { name: en.invitation.password }).fill(newMember.password);
      await screenshot("12-invitation-new-account");
      await page.getByRole("button", { name: en.invitation.createAndAccept }).click();

      // The session is restricted: the enrolment screen replaces the app, with log out still reachable.
      await page.getByRole("heading", { name: en.restrictions.twoFactor.title }).waitFor();
      await page.getByTestId("two-factor-secret").waitFor();
      expect(await page.getByRole("navigation", { name: en.shell.nav.label }).count()).toBe(0);
      await screenshot("13-two-factor-enrolment-required");
      await logOut();

      // Signing in again with the password lands on the same screen.
      await submitLogin(page, newMember, en.auth.login);
      const secretElement = page.getByTestId("two-factor-secret");
      await secretElement.waitFor();
      expect(await page.getByRole("img", { name: en.restrictions.twoFactor.qrCodeAlt }).getAttribute("src")).toMatch(
        /^data:image\/png;base64,/,
      );
      const secret = (await secretElement.textContent())?.trim() ?? "";
      await page.getByLabel(en.restrictions.twoFactor.code).fill(await generate({ secret }));
      await page.getByRole("button", { name: en.restrictions.twoFactor.submit }).click();

      await page.getByRole("heading", { name: en.restrictions.twoFactor.backupTitle }).waitFor();
      const backupCodes = await page.getByTestId("backup-code").allTextContents();
      expect(backupCodes).toHaveLength(10);
      await screenshot("14-backup-codes");

      await page.getByRole("button", { name: en.restrictions.twoFactor.saved }).click();
      await waitForHeaderWorkspace(page, owner.workspaceName);
      await page.getByRole("navigation", { name: en.shell.nav.label }).waitFor();
      await screenshot("15-in-the-app-after-enrolment");

      // The member now has a second factor: the next password sign-in asks for it, and a backup code works.
      await logOut();
      await submitLogin(page, newMember, en.auth.login);
      await page.getByRole("button", { name: en.auth.twoFactor.useBackupCode }).click();
      await page.getByLabel(en.auth.twoFactor.backupCode).fill(backupCodes[0] ?? "");
      await page.getByRole("button", { name: en.auth.twoFactor.submit }).click();
      await waitForPath(page, "/");
      await waitForHeaderWorkspace(page, owner.workspaceName);
    },
    STEP_TIMEOUT_MS,
  );

  it(
    "offers single sign-on when a password sign-in answers sso_required, and sends the browser to the identity provider",
    async () => {
      const { page, pageErrors, screenshot } = story;
      expect((await api("POST", "/auth/signup", ssoUser)).status).toBe(201);
      const roles = await api("GET", "/roles", undefined, ownerToken);
      const agentRole = roles.json.items.find((role: { key: string | null }) => role.key === "agent");
      // A stand-in identity provider on this machine: it only records the sign-in request the browser brings.
      const idpRequests: URL[] = [];
      idpServer = createServer((request, response) => {
        const url = new URL(request.url ?? "/", "http://127.0.0.1");
        // Browsers also ask the page's host for a favicon.
        if (url.pathname === "/saml/sso") idpRequests.push(url);
        response.writeHead(200, { "content-type": "text/html" }).end("<title>Identity provider</title><p>stub</p>");
      });
      await new Promise<void>((resolve) => idpServer?.listen(0, "127.0.0.1", resolve));
      const address = idpServer.address();
      if (address === null || typeof address === "string") throw new Error("the stub identity provider has no port");
      const idpEntryPoint = `http://127.0.0.1:${address.port}/saml/sso`;
      const idpKey = await createSigningKey("sso-corp-idp");
      const connection = await api(
        "POST",
        "/sso/connections",
        {
          protocol: "saml",
          name: "SSO Corp Okta",
          idpEntryPoint,
          idpIssuer: "https://idp.sso-corp.test",
          idpCertificate: idpKey.certificate,
          domains: ["sso-corp.test"],
          defaultRoleId: agentRole.id,
          isPasswordLoginForbidden: true,
        },
        ownerToken,
      );
      expect(connection.status).toBe(201);

      await logOut();
      await submitLogin(page, ssoUser, en.auth.login);
      await page.getByTestId("sso-required").waitFor();
      await screenshot("16-sso-required");
      await page.getByTestId("sso-required").getByRole("button", { name: en.auth.login.useSso }).click();
      await page.waitForURL((url) => url.href.startsWith(idpEntryPoint), { timeout: UI_TIMEOUT_MS });
      expect(idpRequests).toHaveLength(1);
      expect(idpRequests[0]?.searchParams.get("SAMLRequest")).toBeTruthy();
      expect(pageErrors).toEqual([]);
    },
    STEP_TIMEOUT_MS,
  );
});
