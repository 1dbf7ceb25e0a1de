import type { TChannelConnection } from "@parley/shared";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { contacts } from "../src/modules/contacts/contacts.tables.ts";
import { inboxes } from "../src/modules/inboxes/inboxes.tables.ts";
import { type ChannelSuite, postMetaWebhook, sentMessage, startChannelSuite } from "./channel-harness.ts";
import { eventually, type FakePlatform, type RecordedRequest, startFakePlatform } from "./fake-platform.ts";
import { bearer, type TestApp } from "./helpers.ts";

/**
 * An Instagram professional account without a Facebook page, connected through Business Login for
 * Instagram, end to end against local fakes of api.instagram.com and graph.instagram.com built from
 * Meta's documented payloads:
 * https://developers.facebook.com/docs/instagram-platform/instagram-api-with-instagram-login/business-login
 * https://developers.facebook.com/docs/instagram-platform/reference/refresh_access_token
 * https://developers.facebook.com/docs/instagram-platform/instagram-api-with-instagram-login/webhooks
 * https://developers.facebook.com/docs/instagram-platform/instagram-api-with-instagram-login/messaging-api
 */

const META_APP_ID = "1517776481860111";
const META_APP_SECRET = "meta-app-secret-not-for-instagram-login";
const IG_APP_ID = "990602627938098";
const IG_APP_SECRET = "instagram-login-app-secret";
const VERIFY_TOKEN = "ig-login-verify-token";
const IG_ID = "17841401234567890";
const IGSID = "7812345678901234";
const SHORT_TOKEN = "IGQVshortlivedtoken0123456789";
const LONG_TOKEN = "IGAAlonglivedtoken0123456789abcdef";
const RENEWED_TOKEN = "IGAArenewedtoken0123456789abcdef";
const V = "/v23.0";
const DAY_MS = 24 * 60 * 60 * 1000;

describe("Instagram: an account connected through Instagram Login, without a Facebook page", () => {
  let suite: ChannelSuite;
  let harness: TestApp;
  let baseUrl: string;
  let facebookGraph: FakePlatform;
  let instagramApi: FakePlatform;
  let instagramGraph: FakePlatform;
  let token: string;
  let inboxId: string;
  let messengerInboxId: string;
  let sentCount = 0;
  let graphToken = LONG_TOKEN;

  const deliver = (payload: unknown, appSecret = IG_APP_SECRET) =>
    postMetaWebhook(`${baseUrl}/webhooks/instagram`, payload, appSecret);
  const igWebhook = (...messaging: unknown[]) => ({ object: "instagram", entry: [{ id: IG_ID, time: Date.now(), messaging }] });
  const fromContact = (event: Record<string, unknown>) => ({
    sender: { id: IGSID },
    recipient: { id: IG_ID },
    timestamp: Date.now(),
    ...event,
  });

  const storedSecrets = async () => {
    const row = await suite.inboxRow();
    return row.channelSecrets
      ? (JSON.parse(harness.app.parley.secrets.decrypt(row.channelSecrets)) as Record<string, string>)
      : {};
  };
  const reply = async (text: string) => {
    const conversation = await suite.firstConversation();
    const response = await suite.postMessage(conversation.id, { clientId: `c-${text}`, text });
    expect(response.statusCode).toBe(201);
    return sentMessage(response);
  };
  const runRefresh = () =>
    harness.database.pool.query("select graphile_worker.add_job('channels.instagram_token_refresh', '{}'::json)");
  const ageToken = async (refreshedDaysAgo: number, expiresInDays: number) => {
    const row = await suite.inboxRow();
    await harness.database.db
      .update(inboxes)
      .set({
        channelConfig: {
          ...row.channelConfig,
          tokenRefreshedAt: new Date(Date.now() - refreshedDaysAgo * DAY_MS).toISOString(),
          tokenExpiresAt: new Date(Date.now() + expiresInDays * DAY_MS).toISOString(),
        },
      })
      .where(eq(inboxes.id, inboxId));
  };
  const callback = (query: string) =>
    harness.app.inject({ method: "GET", url: `/api/v1/channels/instagram-login/oauth/callback?${query}` });
  const startLogin = async (id = inboxId) => {
    const started = await harness.app.inject({
      method: "GET",
      url: `/api/v1/channels/instagram-login/oauth/start?inboxId=${id}`,
      headers: bearer(token),
    });
    return started;
  };

  beforeAll(async () => {
    facebookGraph = await startFakePlatform();
    instagramApi = await startFakePlatform();
    instagramGraph = await startFakePlatform();
    suite = await startChannelSuite({
      env: {
        META_GRAPH_URL: facebookGraph.url,
        META_APP_ID,
        META_APP_SECRET,
        META_VERIFY_TOKEN: VERIFY_TOKEN,
        INSTAGRAM_APP_ID: IG_APP_ID,
        INSTAGRAM_APP_SECRET: IG_APP_SECRET,
        INSTAGRAM_API_URL: instagramApi.url,
        INSTAGRAM_GRAPH_URL: instagramGraph.url,
      },
      inbox: { type: "instagram", name: "Acme Studio on Instagram" },
    });
    ({ harness, baseUrl, token, inboxId } = suite);
    messengerInboxId = await suite.createInbox({ type: "messenger", name: "Acme on Messenger" });

    const authorized = (request: RecordedRequest) => request.headers.authorization === `Bearer ${graphToken}`;
    const invalidToken = {
      status: 400,
      json: { error: { message: "Invalid OAuth access token - Cannot parse access token", type: "OAuthException", code: 190 } },
    };
    instagramGraph.on("GET", `${V}/me`, (request) =>
      authorized(request)
        ? {
            json: {
              id: "9876543210123456",
              user_id: IG_ID,
              username: "acme.studio",
              name: "Acme Studio",
              profile_picture_url: "https://scontent.cdninstagram.com/acme.jpg",
            },
          }
        : invalidToken,
    );
    instagramGraph.on("POST", `${V}/me/subscribed_apps`, (request) =>
      authorized(request) ? { json: { success: true } } : invalidToken,
    );
    instagramGraph.on("DELETE", `${V}/me/subscribed_apps`, (request) =>
      authorized(request) ? { json: { success: true } } : invalidToken,
    );
    instagramGraph.on("GET", `${V}/${IGSID}`, (request) =>
      authorized(request)
        ? { json: { name: "Lina Park", username: "lina.park", profile_pic: "https://scontent.cdninstagram.com/lina.jpg" } }
        : invalidToken,
    );
    instagramGraph.on("POST", `${V}/me/messages`, (request) =>
      authorized(request)
        ? {
            json: {
              recipient_id: (request.json as { recipient: { id: string } }).recipient.id,
              message_id: `aWdfIGLOGIN_sent_${++sentCount}`,
            },
          }
        : invalidToken,
    );
  });

  afterAll(async () => {
    await suite?.close();
    await Promise.all([facebookGraph?.close(), instagramApi?.close(), instagramGraph?.close()]);
  });

  it("tells the dashboard Instagram Login is available, and opens Instagram's window only for Instagram inboxes", async () => {
    const availability = await harness.app.inject({
      method: "GET",
      url: "/api/v1/channels/instagram-login",
      headers: bearer(token),
    });
    expect(availability.json()).toEqual({ isConfigured: true });
    expect((await harness.app.inject({ method: "GET", url: "/api/v1/channels/instagram-login" })).statusCode).toBe(401);

    const wrongType = await startLogin(messengerInboxId);
    expect(wrongType.statusCode).toBe(400);
    const unknown = await startLogin("00000000-0000-4000-8000-000000000000");
    expect(unknown.statusCode).toBe(404);
    const invalid = await startLogin("not-a-uuid");
    expect(invalid.statusCode).toBe(400);

    const started = await startLogin();
    expect(started.statusCode).toBe(200);
    const window = new URL(started.json().url);
    expect(`${window.origin}${window.pathname}`).toBe("https://www.instagram.com/oauth/authorize");
    expect(window.searchParams.get("client_id")).toBe(IG_APP_ID);
    expect(window.searchParams.get("redirect_uri")).toBe(
      `${harness.config.publicUrl}/api/v1/channels/instagram-login/oauth/callback`,
    );
    expect(window.searchParams.get("response_type")).toBe("code");
    expect(window.searchParams.get("scope")?.split(",")).toEqual([
      "instagram_business_basic",
      "instagram_business_manage_messages",
    ]);
    expect(window.searchParams.get("state")).toBeTruthy();
  });

  it("refuses a manual connect with a malformed token before asking Instagram", async () => {
    const refused = await suite.connectChannel({ mode: "instagram_login", accessToken: "short" });
    expect(refused.statusCode).toBe(400);
    expect(refused.json().error.code).toBe("validation_failed");
    expect(instagramGraph.requests).toHaveLength(0);
  });

  it("connects through the callback: checks the state, exchanges the code, keeps a long-lived token, subscribes webhooks", async () => {
    const state = new URL((await startLogin()).json().url).searchParams.get("state") ?? "";
    const redirectUri = `${harness.config.publicUrl}/api/v1/channels/instagram-login/oauth/callback`;
    instagramApi.on("POST", "/oauth/access_token", (request) =>
      request.form?.code === "ig-auth-code-1" &&
      request.form.client_id === IG_APP_ID &&
      request.form.client_secret === IG_APP_SECRET &&
      request.form.grant_type === "authorization_code" &&
      request.form.redirect_uri === redirectUri
        ? {
            json: {
              data: [
                {
                  access_token: SHORT_TOKEN,
                  user_id: "9876543210123456",
                  permissions: "instagram_business_basic,instagram_business_manage_messages",
                },
              ],
            },
          }
        : { status: 400, json: { error_type: "OAuthException", code: 400, error_message: "Invalid authorization code" } },
    );
    instagramGraph.on("GET", "/access_token", (request) =>
      request.query.get("grant_type") === "ig_exchange_token" &&
      request.query.get("client_secret") === IG_APP_SECRET &&
      request.query.get("access_token") === SHORT_TOKEN
        ? { json: { access_token: LONG_TOKEN, token_type: "bearer", expires_in: 5183944 } }
        : { status: 400, json: { error: { message: "Invalid OAuth access token.", type: "OAuthException", code: 190 } } },
    );

    const tampered = await callback(`code=ig-auth-code-1&state=${encodeURIComponent(`${state}x`)}`);
    expect(tampered.statusCode).toBe(302);
    expect(tampered.headers.location).toBe(`${harness.config.publicUrl}/settings/inboxes?channelError=invalid_state`);
    const denied = await callback(`error=access_denied&error_reason=user_denied&state=${encodeURIComponent(state)}`);
    expect(denied.headers.location).toBe(`${harness.config.publicUrl}/settings/inboxes/${inboxId}?channelError=access_denied`);
    const badCode = await callback(`code=forged-code&state=${encodeURIComponent(state)}`);
    expect(badCode.headers.location).toBe(`${harness.config.publicUrl}/settings/inboxes/${inboxId}?channelError=login_failed`);
    expect((await suite.inboxRow()).channelStatus).toBeNull();

    const connected = await callback(`code=${encodeURIComponent("ig-auth-code-1#_")}&state=${encodeURIComponent(state)}`);
    expect(connected.statusCode).toBe(302);
    expect(connected.headers.location).toBe(`${harness.config.publicUrl}/settings/inboxes/${inboxId}?channelConnected=instagram`);

    const connection = await suite.channelConnection();
    expect(connection.json<TChannelConnection>()).toMatchObject({
      status: "connected",
      platform: "instagram",
      channelKey: IG_ID,
      displayName: "@acme.studio",
      webhookUrl: `${harness.config.publicUrl}/webhooks/instagram`,
    });
    expect(connection.body).not.toContain(LONG_TOKEN);
    const me = instagramGraph.requests.find((request) => request.method === "GET" && request.path === `${V}/me`);
    expect(me?.query.get("fields")).toBe("user_id,username,name,profile_picture_url");
    const subscribe = instagramGraph.requests.find(
      (request) => request.method === "POST" && request.path === `${V}/me/subscribed_apps`,
    );
    expect(subscribe?.headers.authorization).toBe(`Bearer ${LONG_TOKEN}`);
    expect(subscribe?.query.get("subscribed_fields")?.split(",")).toEqual([
      "messages",
      "messaging_postbacks",
      "messaging_seen",
      "message_reactions",
    ]);
    expect(facebookGraph.requests).toHaveLength(0);

    const row = await suite.inboxRow();
    expect(row.channelSecrets).not.toContain(LONG_TOKEN);
    expect(await storedSecrets()).toEqual({ accessToken: LONG_TOKEN });
    const expiresAt = Date.parse(String(row.channelConfig.tokenExpiresAt));
    expect(Math.abs(expiresAt - (Date.now() + 5183944 * 1000))).toBeLessThan(60_000);

    const audit = await harness.app.inject({ method: "GET", url: "/api/v1/audit-log", headers: bearer(token) });
    expect(
      (audit.json().items as Array<{ action: string; target: { id: string } }>).some(
        (entry) => entry.action === "inbox.channel_connected" && entry.target.id === inboxId,
      ),
    ).toBe(true);
  });

  it("turns a webhook signed with the Instagram app secret into a conversation, and refuses other signatures", async () => {
    const forged = igWebhook(fromContact({ message: { mid: "aWdf_forged", text: "hi" } }));
    expect((await deliver(forged, META_APP_SECRET)).status).toBe(403);
    expect((await deliver(forged, "wrong-secret")).status).toBe(403);
    expect(await suite.storedEventCount()).toBe(0);

    expect(
      (await deliver(igWebhook(fromContact({ message: { mid: "aWdfIGLOGIN_in_1", text: "Do you ship to Lyon?" } })))).status,
    ).toBe(200);
    const stored = await eventually(() => suite.messageByExternalId("aWdfIGLOGIN_in_1"));
    expect(stored).toMatchObject({ senderType: "contact", text: "Do you ship to Lyon?" });
    const contact = await eventually(async () => {
      const conversation = await suite.firstConversation();
      const [row] = await harness.database.db.select().from(contacts).where(eq(contacts.id, conversation.contact.id));
      return row?.name ? row : undefined;
    });
    expect(contact).toMatchObject({ name: "Lina Park", avatarUrl: "https://scontent.cdninstagram.com/lina.jpg" });
    const lookup = instagramGraph.requests.find((request) => request.path === `${V}/${IGSID}`);
    expect(lookup?.query.get("fields")).toBe("name,username,profile_pic");
    expect(lookup?.headers.authorization).toBe(`Bearer ${LONG_TOKEN}`);
  });

  it("sends an agent's reply to graph.instagram.com's me/messages with the account's token", async () => {
    const sent = await reply("Yes, in 2 days.");
    const request = await instagramGraph.waitFor(
      (candidate) => candidate.path === `${V}/me/messages` && JSON.stringify(candidate.json).includes("Yes, in 2 days."),
    );
    expect(request.headers.authorization).toBe(`Bearer ${LONG_TOKEN}`);
    expect(request.json).toEqual({
      recipient: { id: IGSID },
      messaging_type: "RESPONSE",
      message: { text: "Yes, in 2 days." },
    });
    const delivered = await suite.messageWithStatus(sent.id, "sent");
    expect(delivered.externalId).toMatch(/^aWdfIGLOGIN_sent_/);
    expect(facebookGraph.requests).toHaveLength(0);
  });

  it("renews the token once it is due, and replies then go with the renewed token", async () => {
    let refreshes = 0;
    instagramGraph.on("GET", "/refresh_access_token", (request) => {
      refreshes += 1;
      return request.query.get("grant_type") === "ig_refresh_token" && request.query.get("access_token") === LONG_TOKEN
        ? { json: { access_token: RENEWED_TOKEN, token_type: "bearer", expires_in: 5183944 } }
        : { status: 400, json: { error: { message: "Invalid OAuth access token.", type: "OAuthException", code: 190 } } };
    });
    // Freshly connected: not due (Instagram refuses tokens younger than a day, and it has 60 days left).
    await runRefresh();
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(refreshes).toBe(0);

    await ageToken(52, 8);
    await runRefresh();
    await eventually(async () => (await storedSecrets()).accessToken === RENEWED_TOKEN);
    expect(refreshes).toBe(1);
    const row = await suite.inboxRow();
    expect(row.channelStatus).toBe("connected");
    expect(Date.parse(String(row.channelConfig.tokenExpiresAt)) - Date.now()).toBeGreaterThan(59 * DAY_MS);
    expect(Date.now() - Date.parse(String(row.channelConfig.tokenRefreshedAt))).toBeLessThan(60_000);

    graphToken = RENEWED_TOKEN;
    await reply("Anything else?");
    const request = await instagramGraph.waitFor((candidate) => JSON.stringify(candidate.json).includes("Anything else?"));
    expect(request.headers.authorization).toBe(`Bearer ${RENEWED_TOKEN}`);
  });

  it("puts the inbox in error with Instagram's words when it refuses to renew the token", async () => {
    instagramGraph.on(
      "GET",
      "/refresh_access_token",
      {
        status: 400,
        json: {
          error: {
            message: "Error validating access token: The user has not authorized application 990602627938098.",
            type: "OAuthException",
            code: 190,
          },
        },
      },
      { once: true },
    );
    await ageToken(55, 5);
    await runRefresh();
    const errored = await eventually(async () => {
      const row = await suite.inboxRow();
      return row.channelStatus === "error" ? row : undefined;
    });
    expect(errored.channelError).toContain("has not authorized application");
    expect(await storedSecrets()).toEqual({ accessToken: RENEWED_TOKEN });
    const status = await suite.channelConnection();
    expect(status.json()).toMatchObject({ status: "error", error: expect.stringContaining("has not authorized") });
    const audit = await harness.app.inject({ method: "GET", url: "/api/v1/audit-log", headers: bearer(token) });
    expect(
      (audit.json().items as Array<{ action: string; after: { status?: string } | null }>).some(
        (entry) => entry.action === "inbox.channel_status_changed" && entry.after?.status === "error",
      ),
    ).toBe(true);
  });

  it("disconnects: unsubscribes the account's webhooks and erases its token", async () => {
    const disconnected = await suite.disconnectChannel();
    expect(disconnected.json()).toMatchObject({ status: "disconnected" });
    const unsubscribe = await instagramGraph.waitFor(
      (request) => request.method === "DELETE" && request.path === `${V}/me/subscribed_apps`,
    );
    expect(unsubscribe.headers.authorization).toBe(`Bearer ${RENEWED_TOKEN}`);
    expect((await suite.inboxRow()).channelSecrets).toBeNull();
    const before = await suite.storedEventCount();
    expect((await deliver(igWebhook(fromContact({ message: { mid: "aWdf_after", text: "Hello?" } })))).status).toBe(200);
    expect(await suite.storedEventCount()).toBe(before);
  });
});
