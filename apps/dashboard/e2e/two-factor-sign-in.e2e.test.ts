import path from "node:path";
import { generate } from "otplib";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchBrowser, newBrowserContext, screenshotFolder } from "../../../test-support/browser.ts";
import { submitLogin } from "../../../test-support/browser-story.ts";
import { type ParleyServer, startParleyServer } from "../../../test-support/parley-server.ts";
import { en } from "../src/i18n/locales/en";

const account = {
  name: "Grace Hopper",
  email: `grace-${Date.now()}@example.test`,
  password: "compiler-pioneer-1952",
  workspaceName: "Hopper Labs",
};

const api = async (server: ParleyServer, method: string, url: string, body?: unknown, token?: string) => {
  const response = await fetch(`${server.baseUrl}/api/v1${url}`, {
    method,
    headers: {
      ...(body === undefined ? {} : { "content-type": "application/json" }),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, json: await response.json().catch(() => null) };
};

describe("signing in to the dashboard with two-factor authentication", () => {
  let server: ParleyServer;
  let browser: Browser;
  let page: Page;
  let backupCodes: string[];
  let screenshots: string;

  beforeAll(async () => {
    screenshots = await screenshotFolder("dashboard");
    server = await startParleyServer({ env: { PARLEY_SEED_DEMO: "false" } });
    const signup = await api(server, "POST", "/auth/signup", account);
    const token: string = signup.json.token;
    const enrolment = await api(server, "POST", "/me/two-factor/enrol", {}, token);
    const confirm = await api(
      server,
      "POST",
      "/me/two-factor/confirm",
      { code: await generate({ secret: enrolment.json.secret }) },
      token,
    );
    expect(confirm.status).toBe(200);
    backupCodes = confirm.json.backupCodes;
    browser = await launchBrowser();
    page = await (await newBrowserContext(browser, { baseURL: server.baseUrl, locale: "en-US" })).newPage();
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it("asks for the second factor after the password, refuses a wrong code and accepts a backup code", async () => {
    await submitLogin(page, account, en.auth.login);

    const codeField = page.getByLabel(en.auth.twoFactor.code);
    await codeField.waitFor();
    await codeField.fill("000000");
    await page.getByRole("button", { name: en.auth.twoFactor.submit }).click();
    await expect.poll(() => page.getByText(/not right|wrong|already used|does not match/i).count()).toBeGreaterThan(0);
    await page.screenshot({ path: path.join(screenshots, "two-factor-wrong-code.png") });

    await page.getByRole("button", { name: en.auth.twoFactor.useBackupCode }).click();
    await page.getByLabel(en.auth.twoFactor.backupCode).fill(backupCodes[0] ?? "");
    await page.getByRole("button", { name: en.auth.twoFactor.submit }).click();
    await page.waitForURL((url) => url.pathname === "/", { timeout: 15_000 });
    await page.locator('[data-testid="workspace-name"]').waitFor();
    expect(await page.locator('[data-testid="workspace-name"]').textContent()).toBe(account.workspaceName);
    await page.screenshot({ path: path.join(screenshots, "two-factor-signed-in.png") });
  });
});
