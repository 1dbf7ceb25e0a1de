import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { submitLogin, UI_TIMEOUT_MS, useBrowserStory } from "../../../test-support/browser-story.ts";
import { type FakePlatform, startFakePlatform } from "../../server/test/fake-platform.ts";
import { settingsEn } from "../src/features/settings/i18n/settings.en";
import { en } from "../src/i18n/locales/en";

const stamp = Date.now();
const c = settingsEn.inboxes.channel;
const IG_APP_ID = "990602627938098";
const IG_APP_SECRET = "instagram-login-app-secret";
const IG_ID = "17841401234567890";
const LONG_TOKEN = "IGAAlonglivedtoken0123456789abcdef";

const admin = {
  name: "Grace Hopper",
  email: `grace-instagram-${stamp}@example.test`,
  password: "compiler-pioneer-1952",
  workspaceName: "Hopper Studio",
};

/**
 * An admin connects an Instagram inbox with "Connect with Instagram": the browser goes to a local
 * stand-in for Instagram's authorization window, which sends it back with a code, as Instagram does.
 */
describe("Instagram Login from the inbox settings", () => {
  let instagram: FakePlatform;

  // Registered before the story: the stand-in for Instagram is up before the server that calls it.
  beforeAll(async () => {
    instagram = await startFakePlatform();
    // The authorization window grants at once and returns to Parley's callback with the state.
    instagram.on("GET", "/www/oauth/authorize", (request) => ({
      status: 302,
      headers: {
        location: `${request.query.get("redirect_uri")}?code=granted-code&state=${encodeURIComponent(request.query.get("state") ?? "")}#_`,
      },
    }));
    instagram.on("POST", "/api/oauth/access_token", (request) =>
      request.form?.code === "granted-code"
        ? { json: { data: [{ access_token: "IGQVshortlivedtoken0123456789", user_id: "9876543210", permissions: "" }] } }
        : { status: 400, json: { error_type: "OAuthException", code: 400, error_message: "Invalid authorization code" } },
    );
    instagram.on("GET", "/graph/access_token", { json: { access_token: LONG_TOKEN, token_type: "bearer", expires_in: 5183944 } });
    instagram.on("GET", "/graph/v23.0/me", { json: { id: "9876543210", user_id: IG_ID, username: "hopper.studio" } });
    instagram.on("POST", "/graph/v23.0/me/subscribed_apps", { json: { success: true } });
  });
  afterAll(async () => {
    await instagram?.close();
  });

  const story = useBrowserStory({
    screenshotFolder: "dashboard",
    screenshotPrefix: "instagram-login-",
    fullPageScreenshots: true,
    viewport: { width: 1280, height: 900 },
    serverEnv: () => ({
      INSTAGRAM_APP_ID: IG_APP_ID,
      INSTAGRAM_APP_SECRET: IG_APP_SECRET,
      INSTAGRAM_LOGIN_URL: `${instagram.url}/www`,
      INSTAGRAM_API_URL: `${instagram.url}/api`,
      INSTAGRAM_GRAPH_URL: `${instagram.url}/graph`,
    }),
  });

  it("connects the inbox through Instagram and shows the account", async () => {
    const { page, server, screenshot } = story;
    const signup = await fetch(`${server.baseUrl}/api/v1/auth/signup`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(admin),
    });
    expect(signup.status).toBe(201);
    const { token } = (await signup.json()) as { token: string };
    const created = await fetch(`${server.baseUrl}/api/v1/inboxes`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: JSON.stringify({ type: "instagram", name: "Hopper on Instagram" }),
    });
    const { id: inboxId } = (await created.json()) as { id: string };

    await submitLogin(page, admin, en.auth.login);
    await page.waitForURL((url) => url.pathname === "/");

    await page.goto(`/settings/inboxes/${inboxId}`);
    await page.getByRole("tab", { name: settingsEn.inboxes.tabs.connection }).click();
    await page.getByText(c.instagramLoginHint).waitFor();
    // The Facebook-page route stays offered next to it.
    await page.getByRole("button", { name: c.continueWithFacebook }).waitFor();
    await screenshot("01-offered");
    await page.getByRole("button", { name: c.continueWithInstagram }).click();

    await page.waitForURL(
      (url) => url.pathname === `/settings/inboxes/${inboxId}` && url.searchParams.get("channelConnected") === "instagram",
    );
    await expect
      .poll(async () => page.getByTestId("channel-status").textContent(), { timeout: UI_TIMEOUT_MS })
      .toBe(c.statuses.connected);
    await page.getByText(c.connectedAs.replace("{{name}}", "@hopper.studio")).waitFor();
    await screenshot("02-connected");
    const authorize = instagram.requests.find((request) => request.path === "/www/oauth/authorize");
    expect(authorize?.query.get("client_id")).toBe(IG_APP_ID);
  }, 90_000);
});
