import { DEFAULT_WIDGET_SETTINGS } from "@parley/shared";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditLog } from "../src/modules/audit/audit.tables.ts";
import { isGeoDatabaseLoaded } from "../src/modules/widget/geoip.ts";
import { visitorVisits } from "../src/modules/widget/visitors.tables.ts";
import { createWebsiteInbox, emitWithAck } from "./conversation-helpers.ts";
import { bearer, joinWorkspace, signUp, startTestApp, type TestApp } from "./helpers.ts";
import { CHROME_ON_WINDOWS, openWidgetSocket, SAFARI_ON_IPHONE, startWidgetSession, waitFor } from "./widget-helpers.ts";

describe("widget sessions: tracking, settings and availability", () => {
  let harness: TestApp;
  let baseUrl: string;
  beforeAll(async () => {
    // Behind a proxy: the visitor's address comes from X-Forwarded-For.
    harness = await startTestApp({ env: { TRUST_PROXY: "true" } });
    baseUrl = await harness.listen();
  });
  afterAll(async () => {
    await harness.close();
  });

  const api = (token: string, method: "GET" | "POST" | "PATCH" | "PUT", url: string, payload?: object) =>
    harness.app.inject({ method, url: `/api/v1${url}`, headers: bearer(token), ...(payload === undefined ? {} : { payload }) });

  it("does not open the GeoIP database before the first lookup", async () => {
    expect(isGeoDatabaseLoaded()).toBe(false);
    const owner = await signUp(harness.app);
    const inbox = await createWebsiteInbox(harness, { workspaceId: owner.workspace.id });
    // A private address needs no lookup either.
    const session = await startWidgetSession(harness, { inboxToken: inbox.websiteToken }, { "x-forwarded-for": "10.1.2.3" });
    expect(session.statusCode).toBe(200);
    expect(isGeoDatabaseLoaded()).toBe(false);
  });

  it("records the visit: parsed user agent, location of a public IP, landing page, referrer, UTM and client facts", async () => {
    const owner = await signUp(harness.app);
    const inbox = await createWebsiteInbox(harness, { workspaceId: owner.workspace.id });
    const response = await startWidgetSession(
      harness,
      {
        inboxToken: inbox.websiteToken,
        page: {
          url: "https://shop.example.com/pricing?utm_source=newsletter&utm_medium=email&utm_campaign=spring&ref=x",
          title: "Pricing",
          referrer: "https://www.search.example/?q=chat",
        },
        client: { screen: "1920x1080", timezone: "Europe/London", language: "en-GB" },
      },
      { "user-agent": CHROME_ON_WINDOWS, "x-forwarded-for": "81.2.69.142" },
    );
    expect(response.statusCode).toBe(200);
    const session = response.json();
    expect(isGeoDatabaseLoaded()).toBe(true);
    expect(session.visitor).toMatchObject({ visitCount: 1, country: "GB", city: "London", deviceType: "desktop" });
    const [visit] = await harness.database.db.select().from(visitorVisits).where(eq(visitorVisits.id, session.visitor.visitId));
    expect(visit).toMatchObject({
      ip: "81.2.69.142",
      country: "GB",
      region: "England",
      city: "London",
      browser: "Chrome",
      browserVersion: "120.0.0.0",
      os: "Windows 10",
      deviceType: "desktop",
      screen: "1920x1080",
      timezone: "Europe/London",
      language: "en-GB",
      referrer: "https://www.search.example/?q=chat",
      landingUrl: "https://shop.example.com/pricing?utm_source=newsletter&utm_medium=email&utm_campaign=spring&ref=x",
      utm: { source: "newsletter", medium: "email", campaign: "spring" },
      currentTitle: "Pricing",
      visitNumber: 1,
    });
    expect(visit?.pages).toHaveLength(1);
    // The response carries what the widget renders with.
    expect(session.settings).toEqual(DEFAULT_WIDGET_SETTINGS);
    expect(session.availability).toEqual({ isOnline: false, withinBusinessHours: true, typicalReplySeconds: null, agents: [] });
    expect(session.triggers).toEqual([]);
    expect(session.contact).toEqual({ name: null, email: null, isVerified: false });
  });

  it("fills the GeoIP time zone from the city's coordinates, next to the browser's own", async () => {
    const owner = await signUp(harness.app);
    const inbox = await createWebsiteInbox(harness, { workspaceId: owner.workspace.id });
    // A Paris data centre (Scaleway); this browser sent no time zone of its own.
    const response = await startWidgetSession(harness, { inboxToken: inbox.websiteToken }, { "x-forwarded-for": "195.154.1.1" });
    expect(response.statusCode).toBe(200);
    const [visit] = await harness.database.db
      .select()
      .from(visitorVisits)
      .where(eq(visitorVisits.id, response.json().visitor.visitId));
    if (!visit) throw new Error("no visit recorded");
    // The Lite database's city may move between releases; the continent will not.
    expect(visit.geoTimezone).toMatch(/^Europe\//);
    expect(visit.timezone).toBeNull();
    const visits = await api(owner.token, "GET", `/contacts/${visit.contactId}/visits`);
    expect(visits.statusCode).toBe(200);
    expect(visits.json().items[0]).toMatchObject({ timezone: null, location: { timezone: visit.geoTimezone } });
  });

  it("continues a visit within 30 minutes and counts a new one after", async () => {
    const owner = await signUp(harness.app);
    const inbox = await createWebsiteInbox(harness, { workspaceId: owner.workspace.id });
    const first = (
      await startWidgetSession(
        harness,
        { inboxToken: inbox.websiteToken, page: { url: "https://a.example/one" } },
        { "user-agent": SAFARI_ON_IPHONE },
      )
    ).json();
    expect(first.visitor).toMatchObject({ visitCount: 1, deviceType: "mobile" });
    const again = (
      await startWidgetSession(harness, {
        inboxToken: inbox.websiteToken,
        visitorToken: first.visitorToken,
        page: { url: "https://a.example/two", title: "Two" },
      })
    ).json();
    expect(again.visitor.visitId).toBe(first.visitor.visitId);
    const [continued] = await harness.database.db.select().from(visitorVisits).where(eq(visitorVisits.id, first.visitor.visitId));
    expect(continued?.pages.map((page) => page.url)).toEqual(["https://a.example/one", "https://a.example/two"]);
    expect(continued?.pages[0]?.leftAt).toBeTruthy();

    await harness.database.db
      .update(visitorVisits)
      .set({ lastSeenAt: new Date(Date.now() - 31 * 60 * 1000) })
      .where(eq(visitorVisits.id, first.visitor.visitId));
    const later = (
      await startWidgetSession(harness, { inboxToken: inbox.websiteToken, visitorToken: first.visitorToken })
    ).json();
    expect(later.visitor.visitId).not.toBe(first.visitor.visitId);
    expect(later.visitor.visitCount).toBe(2);
    expect(later.visitorId).toBe(first.visitorId);
  });

  it("reports availability from online members, business hours and the median of real first replies", async () => {
    const owner = await signUp(harness.app, { name: "Olivia Owner" });
    const inbox = await createWebsiteInbox(harness, { workspaceId: owner.workspace.id, memberUserIds: [owner.user.id] });
    expect((await api(owner.token, "PUT", "/me/presence", { status: "online" })).statusCode).toBe(200);
    const visitor = (await startWidgetSession(harness, { inboxToken: inbox.websiteToken })).json();
    const socket = await openWidgetSocket(baseUrl, visitor.visitorToken);
    const sent = await emitWithAck<{ ok: boolean; data: { conversationId: string } }>(socket, "message.send", {
      clientId: "c1",
      text: "Hello?",
    });
    socket.close();
    expect(sent.ok).toBe(true);
    const reply = await api(owner.token, "POST", `/conversations/${sent.data.conversationId}/messages`, {
      clientId: "r1",
      text: "Hi!",
    });
    expect(reply.statusCode).toBe(201);
    const session = (await startWidgetSession(harness, { inboxToken: inbox.websiteToken })).json();
    expect(session.availability.isOnline).toBe(true);
    expect(session.availability.agents).toEqual([{ name: "Olivia Owner", avatarUrl: null }]);
    expect(session.availability.typicalReplySeconds).toEqual(expect.any(Number));
    expect(session.visitor.agentsOnline).toBe(1);

    // Closed all week: offline whoever is online.
    await api(owner.token, "PATCH", `/inboxes/${inbox.id}`, {
      businessHours: { isEnabled: true, timezone: "UTC", weekly: [], holidays: [] },
    });
    const closed = (await startWidgetSession(harness, { inboxToken: inbox.websiteToken })).json();
    expect(closed.availability).toMatchObject({ isOnline: false, withinBusinessHours: false });
    expect(closed.visitor.isWithinBusinessHours).toBe(false);
  });

  it("validates and audits widget settings, and pushes a change to every open widget of the inbox", async () => {
    const owner = await signUp(harness.app);
    const inbox = await createWebsiteInbox(harness, { workspaceId: owner.workspace.id });
    const other = await createWebsiteInbox(harness, { workspaceId: owner.workspace.id });
    const visitor = (await startWidgetSession(harness, { inboxToken: inbox.websiteToken })).json();
    const bystander = (await startWidgetSession(harness, { inboxToken: other.websiteToken })).json();
    const widget = await openWidgetSocket(baseUrl, visitor.visitorToken);
    const otherWidget = await openWidgetSocket(baseUrl, bystander.visitorToken);
    const otherEvents: unknown[] = [];
    otherWidget.on("widget.settings", (payload) => otherEvents.push(payload));
    try {
      const pushed = waitFor<{ settings: { primaryColor: string; position: string } }>(widget, "widget.settings");
      const changed = await api(owner.token, "PATCH", `/inboxes/${inbox.id}/widget-settings`, {
        primaryColor: "#FF5500",
        position: "left",
        title: "Talk to us",
        hiddenUrlPatterns: ["https://shop.example.com/checkout/*"],
        preChatForm: {
          isEnabled: true,
          fields: [
            { key: "name", label: "Your name", type: "text", required: true },
            { key: "company", label: "Company", type: "text" },
          ],
        },
      });
      expect(changed.statusCode).toBe(200);
      expect(changed.json().settings).toMatchObject({ primaryColor: "#FF5500", position: "left", title: "Talk to us" });
      expect((await pushed).settings).toMatchObject({ primaryColor: "#FF5500", position: "left" });
      await new Promise((resolve) => setTimeout(resolve, 150));
      expect(otherEvents).toEqual([]);
    } finally {
      widget.close();
      otherWidget.close();
    }
    const read = await api(owner.token, "GET", `/inboxes/${inbox.id}/widget-settings`);
    expect(read.json().settings.preChatForm.fields[1]).toEqual({
      key: "company",
      label: "Company",
      type: "text",
      required: false,
    });
    const session = (await startWidgetSession(harness, { inboxToken: inbox.websiteToken })).json();
    expect(session.settings.primaryColor).toBe("#FF5500");

    const [entry] = await harness.database.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.targetId, inbox.id), eq(auditLog.action, "inbox.widget_settings_updated")));
    expect(entry?.before).toMatchObject({ primaryColor: "#1f6feb", position: "right" });
    expect(entry?.after).toMatchObject({ primaryColor: "#FF5500", position: "left" });

    for (const bad of [
      { primaryColor: "orange" },
      { offsetX: 500 },
      { position: "top" },
      { preChatForm: { isEnabled: true, fields: [{ key: "topic", label: "Topic", type: "select" }] } },
      { preChatForm: { isEnabled: true, fields: [{ key: "department", label: "Team", type: "select", options: ["sales"] }] } },
      { unknownSetting: true },
    ]) {
      const refused = await api(owner.token, "PATCH", `/inboxes/${inbox.id}/widget-settings`, bad);
      expect(refused.statusCode, JSON.stringify(bad)).toBe(400);
      expect(refused.json().error.code).toBe("validation_failed");
    }
    const agentToken = await joinWorkspace(harness, {
      userId: (await signUp(harness.app)).user.id,
      workspaceId: owner.workspace.id,
      roleKey: "agent",
    });
    expect((await api(agentToken, "PATCH", `/inboxes/${inbox.id}/widget-settings`, { title: "x" })).statusCode).toBe(403);
  });

  it('hides "Powered by Parley" only once an admin allows it for the workspace', async () => {
    const owner = await signUp(harness.app);
    const inbox = await createWebsiteInbox(harness, { workspaceId: owner.workspace.id });
    const refused = await api(owner.token, "PATCH", `/inboxes/${inbox.id}/widget-settings`, { showBranding: false });
    expect(refused.statusCode).toBe(403);
    const supervisorToken = await joinWorkspace(harness, {
      userId: (await signUp(harness.app)).user.id,
      workspaceId: owner.workspace.id,
      roleKey: "supervisor",
    });
    expect((await api(supervisorToken, "PUT", "/widget-branding", { canRemoveBranding: true })).statusCode).toBe(403);
    expect((await api(owner.token, "PUT", "/widget-branding", { canRemoveBranding: true })).json()).toEqual({
      canRemoveBranding: true,
    });
    expect((await api(owner.token, "PATCH", `/inboxes/${inbox.id}/widget-settings`, { showBranding: false })).statusCode).toBe(
      200,
    );
    expect((await startWidgetSession(harness, { inboxToken: inbox.websiteToken })).json().settings.showBranding).toBe(false);
    // Withdrawn later: the widgets show it again.
    await api(owner.token, "PUT", "/widget-branding", { canRemoveBranding: false });
    expect((await startWidgetSession(harness, { inboxToken: inbox.websiteToken })).json().settings.showBranding).toBe(true);
  });
});
