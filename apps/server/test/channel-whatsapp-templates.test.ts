import type { TWhatsAppTemplate } from "@parley/shared";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { messages } from "../src/modules/messages/messages.tables.ts";
import { type ChannelSuite, postMetaWebhook, sentMessage, startChannelSuite } from "./channel-harness.ts";
import { eventually, type FakePlatform, type RecordedRequest, startFakePlatform } from "./fake-platform.ts";
import { bearer, signUp, type TestApp } from "./helpers.ts";

/**
 * WhatsApp message templates and the 24-hour customer-service window: templates are synced from
 * the business account (GET /{waba-id}/message_templates, cursor paging, as in Meta's "Get
 * templates" reference), listed with their review status, checked before sending, and sent with
 * header, body and button parameters (https://developers.facebook.com/documentation/business-messaging/whatsapp/templates/template-messages).
 */

const APP_SECRET = "wa-templates-app-secret";
const PHONE_NUMBER_ID = "106540352242922";
const WABA_ID = "102290129340398";
const ACCESS_TOKEN = "EAAJB-templates-system-user-token-0123";
const CUSTOMER = "16505551234";
const V = "/v23.0";

const ORDER_CONFIRMATION = {
  name: "order_confirmation",
  parameter_format: "POSITIONAL",
  components: [
    { type: "HEADER", format: "IMAGE", example: { header_handle: ["4::aW1hZ2UvanBlZw==:ARZ"] } },
    { type: "BODY", text: "Hi {{1}}, your order {{2}} is confirmed.", example: { body_text: [["Pablo", "#860198"]] } },
    { type: "FOOTER", text: "Lucky Shrub" },
    {
      type: "BUTTONS",
      buttons: [
        { type: "QUICK_REPLY", text: "Track it" },
        {
          type: "URL",
          text: "See order",
          url: "https://shop.example.com/orders/{{1}}",
          example: ["https://shop.example.com/orders/860198"],
        },
      ],
    },
  ],
  language: "en_US",
  status: "APPROVED",
  category: "UTILITY",
  id: "1473688840035974",
};

const pageOne = [
  ORDER_CONFIRMATION,
  {
    name: "seasonal_promotion",
    parameter_format: "POSITIONAL",
    components: [{ type: "BODY", text: "Our {{1}} sale starts now!" }],
    language: "en_US",
    status: "PENDING",
    category: "MARKETING",
    id: "546151681022936",
  },
];
const pageTwo = [
  {
    name: "seasonal_promotion",
    components: [{ type: "BODY", text: "¡Nuestra oferta de {{1}} ya empezó!" }],
    language: "es",
    status: "REJECTED",
    category: "MARKETING",
    id: "1168429979817452",
  },
  {
    name: "welcome_back",
    components: [{ type: "BODY", text: "Welcome back! Reply to pick up where we left off." }],
    language: "en_US",
    status: "APPROVED",
    category: "UTILITY",
    id: "2185011215271553",
  },
];

describe("WhatsApp templates and the 24-hour window", () => {
  let suite: ChannelSuite;
  let harness: TestApp;
  let baseUrl: string;
  let graph: FakePlatform;
  let token: string;
  let inboxId: string;
  let conversationId: string;
  let templatesOnWhatsApp: Array<Record<string, unknown>> = [...pageOne, ...pageTwo];

  const templatesAnswer = (request: RecordedRequest) => {
    const name = request.query.get("name");
    if (name) return { json: { data: templatesOnWhatsApp.filter((template) => template.name === name) } };
    const after = request.query.get("after");
    const split = pageOne.length;
    if (after === "QVFIUmxtTVRmbTF3")
      return { json: { data: templatesOnWhatsApp.slice(split), paging: { cursors: { before: "QVFIUmd", after: "QVFIUmZA" } } } };
    return {
      json: {
        data: templatesOnWhatsApp.slice(0, split),
        paging: {
          cursors: { before: "QVFIUmd", after: "QVFIUmxtTVRmbTF3" },
          next: `https://graph.facebook.com/v23.0/${WABA_ID}/message_templates?limit=100&after=QVFIUmxtTVRmbTF3`,
        },
      },
    };
  };

  const sendMessage = (payload: Record<string, unknown>) => suite.postMessage(conversationId, payload);

  const listTemplates = (query = "") =>
    harness.app.inject({ method: "GET", url: `/api/v1/inboxes/${inboxId}/whatsapp/templates${query}`, headers: bearer(token) });

  const sync = () =>
    harness.app.inject({ method: "POST", url: `/api/v1/inboxes/${inboxId}/whatsapp/templates/sync`, headers: bearer(token) });

  beforeAll(async () => {
    graph = await startFakePlatform();
    suite = await startChannelSuite({
      env: { META_GRAPH_URL: graph.url, META_APP_SECRET: APP_SECRET },
      inbox: { type: "whatsapp", name: "Orders WhatsApp" },
    });
    ({ harness, baseUrl, token, inboxId } = suite);
    graph.on("GET", `${V}/${PHONE_NUMBER_ID}`, { json: { display_phone_number: "15550783881", verified_name: "Lucky Shrub" } });
    graph.on("POST", `${V}/${WABA_ID}/subscribed_apps`, { json: { success: true } });
    graph.on("GET", `${V}/${WABA_ID}/message_templates`, templatesAnswer);
    const connected = await suite.connectChannel({ phoneNumberId: PHONE_NUMBER_ID, wabaId: WABA_ID, accessToken: ACCESS_TOKEN });
    expect(connected.statusCode).toBe(200);
    // No verify token configured: the app is subscribed without moving the account's webhook.
    expect((await graph.waitFor((request) => request.path === `${V}/${WABA_ID}/subscribed_apps`)).json).toEqual({});

    const body = JSON.stringify({
      object: "whatsapp_business_account",
      entry: [
        {
          id: WABA_ID,
          changes: [
            {
              field: "messages",
              value: {
                messaging_product: "whatsapp",
                metadata: { display_phone_number: "15550783881", phone_number_id: PHONE_NUMBER_ID },
                contacts: [{ profile: { name: "Pablo Morales" }, wa_id: CUSTOMER }],
                messages: [
                  {
                    from: CUSTOMER,
                    id: "wamid.WINDOW1",
                    timestamp: "1750000000",
                    type: "text",
                    text: { body: "Where is my order?" },
                  },
                ],
              },
            },
          ],
        },
      ],
    });
    const delivered = await postMetaWebhook(`${baseUrl}/webhooks/whatsapp`, body, APP_SECRET);
    expect(delivered.status).toBe(200);
    const inbound = await eventually(() => suite.messageByExternalId("wamid.WINDOW1"));
    conversationId = inbound.conversationId;
  });

  afterAll(async () => {
    await suite?.close();
    await graph?.close();
  });

  it("syncs every page of the business account's templates and records who asked", async () => {
    const synced = await sync();
    expect(synced.statusCode).toBe(200);
    expect(synced.json()).toEqual({ synced: 4, removed: 0 });
    const calls = graph.requests.filter((request) => request.path === `${V}/${WABA_ID}/message_templates`);
    expect(calls).toHaveLength(2);
    expect(calls[0]?.headers.authorization).toBe(`Bearer ${ACCESS_TOKEN}`);
    expect(calls[0]?.query.get("fields")).toBe("id,name,language,status,category,components");
    expect(calls[0]?.query.get("limit")).toBe("100");
    expect(calls[1]?.query.get("after")).toBe("QVFIUmxtTVRmbTF3");

    const audit = await harness.app.inject({ method: "GET", url: "/api/v1/audit-log", headers: bearer(token) });
    const entry = (audit.json().items as Array<{ action: string; after: unknown }>).find(
      (item) => item.action === "inbox.whatsapp_templates_synced",
    );
    expect(entry?.after).toEqual({ synced: 4, removed: 0 });
  });

  it("lists templates by name with their review status, filtered and paged", async () => {
    const all = await listTemplates();
    expect(all.statusCode).toBe(200);
    const items = all.json().items as TWhatsAppTemplate[];
    expect(items.map((item) => [item.name, item.language, item.status])).toEqual([
      ["order_confirmation", "en_US", "approved"],
      ["seasonal_promotion", "en_US", "pending"],
      ["seasonal_promotion", "es", "rejected"],
      ["welcome_back", "en_US", "approved"],
    ]);
    expect(items[0]).toMatchObject({ externalId: "1473688840035974", category: "utility" });
    expect(items[0]?.components).toHaveLength(4);

    const approved = await listTemplates("?status=APPROVED");
    expect((approved.json().items as TWhatsAppTemplate[]).map((item) => item.name)).toEqual([
      "order_confirmation",
      "welcome_back",
    ]);

    const names: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await listTemplates(`?limit=3${cursor ? `&cursor=${cursor}` : ""}`);
      names.push(...(page.json().items as TWhatsAppTemplate[]).map((item) => `${item.name}:${item.language}`));
      cursor = page.json().nextCursor;
    } while (cursor);
    expect(names).toEqual([
      "order_confirmation:en_US",
      "seasonal_promotion:en_US",
      "seasonal_promotion:es",
      "welcome_back:en_US",
    ]);

    expect((await listTemplates("?limit=0")).statusCode).toBe(400);
    expect((await listTemplates("?cursor=nope")).statusCode).toBe(400);
    const stranger = await signUp(harness.app);
    const hidden = await harness.app.inject({
      method: "GET",
      url: `/api/v1/inboxes/${inboxId}/whatsapp/templates`,
      headers: bearer(stranger.token),
    });
    expect(hidden.statusCode).toBe(404);
    const strangerSync = await harness.app.inject({
      method: "POST",
      url: `/api/v1/inboxes/${inboxId}/whatsapp/templates/sync`,
      headers: bearer(stranger.token),
    });
    expect(strangerSync.statusCode).toBe(404);
  });

  it("refuses free-form replies 24 hours after the contact's last message, telling the agent to pick a template", async () => {
    await harness.database.pool.query(
      "update messages set created_at = now() - interval '25 hours' where conversation_id = $1 and sender_type = 'contact'",
      [conversationId],
    );
    const refused = await sendMessage({ clientId: "late-1", text: "Sorry for the wait!" });
    expect(refused.statusCode).toBe(422);
    expect(refused.json().error.code).toBe("outside_messaging_window");
    expect(refused.json().error.message).toContain("template");
    const [kept] = await harness.database.db.select().from(messages).where(eq(messages.clientId, "late-1"));
    expect(kept).toBeUndefined();
  });

  it("refuses templates that are unknown, not approved or wrongly filled before anything is queued", async () => {
    const unknown = await sendMessage({
      clientId: "tpl-unknown",
      content: { template: { name: "no_such_template", language: "en_US" } },
    });
    expect(unknown.statusCode).toBe(422);
    expect(unknown.json().error).toMatchObject({ code: "channel_rejected" });
    expect(unknown.json().error.message).toContain("no_such_template");

    const pending = await sendMessage({
      clientId: "tpl-pending",
      content: { template: { name: "seasonal_promotion", language: "en_US", bodyParameters: ["summer"] } },
    });
    expect(pending.statusCode).toBe(422);
    expect(pending.json().error.message).toContain("pending");

    const missing = await sendMessage({
      clientId: "tpl-missing",
      content: { template: { name: "order_confirmation", language: "en_US", bodyParameters: ["Pablo"] } },
    });
    expect(missing.statusCode).toBe(400);
    const paths = (missing.json().error.details as Array<{ path: string }>).map((detail) => detail.path);
    expect(paths).toEqual(["content.template.bodyParameters", "content.template.headerMedia"]);

    // Another workspace's file (or none at all) cannot become a header: its signed link would leak it.
    const foreign = await sendMessage({
      clientId: "tpl-foreign-file",
      content: {
        template: {
          name: "order_confirmation",
          language: "en_US",
          bodyParameters: ["Pablo", "#860198"],
          headerMedia: { kind: "image", attachmentId: "0190f5a2-7c1e-7000-8000-00000000f11e" },
        },
      },
    });
    expect(foreign.statusCode).toBe(400);
    expect(foreign.json().error.details).toEqual([
      { path: "content.template.headerMedia.attachmentId", message: "No uploaded file with this id." },
    ]);

    const [stored] = await harness.database.db
      .select()
      .from(messages)
      .where(and(eq(messages.conversationId, conversationId), eq(messages.senderType, "agent")));
    expect(stored).toBeUndefined();
  });

  it("sends an approved template outside the window with header, body and button parameters", async () => {
    graph.on("POST", `${V}/${PHONE_NUMBER_ID}/messages`, {
      json: {
        messaging_product: "whatsapp",
        contacts: [{ input: CUSTOMER, wa_id: CUSTOMER }],
        messages: [{ id: "wamid.TEMPLATE1", message_status: "accepted" }],
      },
    });
    const sent = await sendMessage({
      clientId: "tpl-ok",
      content: {
        template: {
          name: "order_confirmation",
          language: "en_US",
          bodyParameters: ["Pablo", "#860198"],
          headerMedia: { kind: "image", link: "https://cdn.example.com/orders/860198.jpg" },
          buttonParameters: [
            { index: 0, value: "track-860198" },
            { index: 1, value: "860198" },
          ],
        },
      },
    });
    expect(sent.statusCode).toBe(201);
    const message = sentMessage(sent);
    const request = await graph.waitFor((candidate) => candidate.path === `${V}/${PHONE_NUMBER_ID}/messages`);
    expect(request.json).toEqual({
      messaging_product: "whatsapp",
      recipient_type: "individual",
      to: CUSTOMER,
      type: "template",
      template: {
        name: "order_confirmation",
        language: { code: "en_US" },
        components: [
          { type: "header", parameters: [{ type: "image", image: { link: "https://cdn.example.com/orders/860198.jpg" } }] },
          {
            type: "body",
            parameters: [
              { type: "text", text: "Pablo" },
              { type: "text", text: "#860198" },
            ],
          },
          { type: "button", sub_type: "quick_reply", index: "0", parameters: [{ type: "payload", payload: "track-860198" }] },
          { type: "button", sub_type: "url", index: "1", parameters: [{ type: "text", text: "860198" }] },
        ],
      },
    });
    const row = await eventually(async () => {
      const found = await suite.messageRow(message.id);
      return found?.externalId ? found : undefined;
    });
    expect(row.externalId).toBe("wamid.TEMPLATE1");
    // The conversation shows what the contact received.
    expect(row.text).toBe("Hi Pablo, your order #860198 is confirmed.");
  });

  it("keeps templates current: removed ones disappear, review outcomes arrive with the scheduled sync", async () => {
    templatesOnWhatsApp = [
      ORDER_CONFIRMATION,
      { ...pageOne[1], status: "APPROVED" },
      ...pageTwo.filter((template) => template.language !== "es"),
    ];
    // The hourly job, run through the real worker.
    await harness.database.pool.query("select graphile_worker.add_job('channels.whatsapp_sync_templates', '{}'::json)");
    const items = await eventually(async () => {
      const listed = (await listTemplates()).json().items as TWhatsAppTemplate[];
      return listed.length === 3 ? listed : undefined;
    });
    expect(items.map((item) => [item.name, item.language, item.status])).toEqual([
      ["order_confirmation", "en_US", "approved"],
      ["seasonal_promotion", "en_US", "approved"],
      ["welcome_back", "en_US", "approved"],
    ]);
    expect((await sync()).json()).toEqual({ synced: 3, removed: 0 });
  });

  it("answers hostile path, query and body values with a 4xx in the standard error shape", async () => {
    const hostile = ["not-a-uuid", "%00", "..%2f..%2f", "x".repeat(300), "' OR 1=1 --"];
    const queries = [
      "?limit=-1",
      "?limit=abc",
      "?limit=1e99",
      "?cursor=%00",
      `?cursor=${"x".repeat(5000)}`,
      "?q=%00",
      `?q=${"x".repeat(300)}`,
      "?q=%25_%5C",
      "?status=%00",
      "?status=APPROVED%27--",
      "?a[b]=c&a=1",
    ];
    const requests: Array<{ method: "GET" | "POST"; url: string; payload?: string }> = [
      ...hostile.flatMap((value) => [
        { method: "GET" as const, url: `/api/v1/inboxes/${value}/whatsapp/templates` },
        { method: "POST" as const, url: `/api/v1/inboxes/${value}/whatsapp/templates/sync` },
      ]),
      ...queries.map((query) => ({ method: "GET" as const, url: `/api/v1/inboxes/${inboxId}/whatsapp/templates${query}` })),
      ...["{", "null", "[]", '"s"', '{"a":'.repeat(2000)].map((payload) => ({
        method: "POST" as const,
        url: `/api/v1/inboxes/${inboxId}/whatsapp/templates/sync`,
        payload,
      })),
    ];
    for (const request of requests) {
      const response = await harness.app.inject({
        method: request.method,
        url: request.url,
        headers: { ...bearer(token), ...(request.payload ? { "content-type": "application/json" } : {}) },
        ...(request.payload ? { payload: request.payload } : {}),
      });
      const label = `${request.method} ${request.url.slice(0, 80)} → ${response.statusCode}`;
      if (response.statusCode === 200) {
        // Only harmless searches may succeed: a literal %_\ matches nothing.
        expect(response.json().items ?? [], label).toEqual([]);
        continue;
      }
      expect(response.statusCode, label).toBeGreaterThanOrEqual(400);
      expect(response.statusCode, label).toBeLessThan(500);
      expect(response.json().error.code, label).toEqual(expect.any(String));
    }
  });

  it("shows a revoked token as Meta's words and puts the inbox in error", async () => {
    graph.on(
      "GET",
      `${V}/${WABA_ID}/message_templates`,
      {
        status: 401,
        json: {
          error: {
            message: "Error validating access token: The user has not authorized application 1234.",
            type: "OAuthException",
            code: 190,
            error_subcode: 458,
          },
        },
      },
      { once: true },
    );
    const refused = await sync();
    expect(refused.statusCode).toBe(422);
    expect(refused.json().error.message).toContain("has not authorized application");
    expect((await suite.inboxRow()).channelStatus).toBe("error");
    const again = await sync();
    expect(again.statusCode).toBe(409);
    expect(again.json().error.code).toBe("channel_not_connected");

    const website = await harness.app.inject({
      method: "POST",
      url: "/api/v1/inboxes",
      headers: bearer(token),
      payload: { type: "website", name: "Site" },
    });
    const notWhatsApp = await harness.app.inject({
      method: "POST",
      url: `/api/v1/inboxes/${website.json().id}/whatsapp/templates/sync`,
      headers: bearer(token),
    });
    expect(notWhatsApp.statusCode).toBe(400);
  });
});
