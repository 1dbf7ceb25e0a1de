import { and, eq } from "drizzle-orm";
import { io as connectSocket } from "socket.io-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditLog } from "../src/modules/audit/audit.tables.ts";
import { contactIdentities } from "../src/modules/contacts/contacts.tables.ts";
import { canonicalIpRange, isIpInRange } from "../src/modules/widget/visitor-context.ts";
import { visitorBans } from "../src/modules/widget/visitors.tables.ts";
import { createWebsiteInbox, emitWithAck } from "./conversation-helpers.ts";
import { bearer, joinWorkspace, signUp, startTestApp, type TestApp } from "./helpers.ts";
import { openWidgetSocket, startWidgetSession, waitFor } from "./widget-helpers.ts";

describe("IP ranges", () => {
  it("matches IPv4 and IPv6 CIDR ranges, IPv4-mapped addresses and single addresses", () => {
    expect(canonicalIpRange("203.0.113.77/24")).toBe("203.0.113.0/24");
    expect(canonicalIpRange("2001:db8:0:0::5/32")).toBe("2001:db8::/32");
    expect(canonicalIpRange("198.51.100.4")).toBe("198.51.100.4/32");
    expect(canonicalIpRange("not an ip")).toBeNull();
    expect(canonicalIpRange("10.0.0.0/33")).toBeNull();
    expect(isIpInRange("203.0.113.200", "203.0.113.0/24")).toBe(true);
    expect(isIpInRange("203.0.114.1", "203.0.113.0/24")).toBe(false);
    expect(isIpInRange("::ffff:203.0.113.9", "203.0.113.0/24")).toBe(true);
    expect(isIpInRange("2001:db8:abcd::1", "2001:db8::/32")).toBe(true);
    expect(isIpInRange("2001:db9::1", "2001:db8::/32")).toBe(false);
    expect(isIpInRange("198.51.100.4", "198.51.100.4")).toBe(true);
    expect(isIpInRange("203.0.113.9", "2001:db8::/32")).toBe(false);
  });
});

describe("visitor bans", () => {
  let harness: TestApp;
  let baseUrl: string;
  beforeAll(async () => {
    harness = await startTestApp({ env: { TRUST_PROXY: "true" } });
    baseUrl = await harness.listen();
  });
  afterAll(async () => {
    await harness.close();
  });

  const api = (token: string, method: "GET" | "POST" | "DELETE", url: string, payload?: object) =>
    harness.app.inject({ method, url: `/api/v1${url}`, headers: bearer(token), ...(payload === undefined ? {} : { payload }) });

  /** Listens before the handshake completes: the notice may come right after it. */
  const expectClosedAsBanned = async (visitorToken: string, headers: Record<string, string>) => {
    const reopened = connectSocket(`${baseUrl}/widget`, {
      transports: ["websocket"],
      reconnection: false,
      forceNew: true,
      auth: { visitorToken },
      extraHeaders: headers,
    });
    try {
      const [notice] = await Promise.all([
        waitFor<{ code: string }>(reopened, "visitor.banned"),
        waitFor(reopened, "disconnect"),
      ]);
      expect(notice).toEqual({ code: "visitor_banned" });
    } finally {
      reopened.close();
    }
  };

  it("refuses every widget event from a socket whose address falls in a ban, even before it is closed", async () => {
    const owner = await signUp(harness.app);
    const inbox = await createWebsiteInbox(harness, { workspaceId: owner.workspace.id });
    // The session came from one address, the socket from another (a visitor changing networks).
    const visitor = (
      await startWidgetSession(harness, { inboxToken: inbox.websiteToken }, { "x-forwarded-for": "198.51.100.20" })
    ).json();
    const widget = await openWidgetSocket(baseUrl, visitor.visitorToken, { "x-forwarded-for": "192.0.2.44" });
    try {
      expect((await emitWithAck(widget, "visitor.page", { url: "https://a.example/" })).ok).toBe(true);
      expect((await api(owner.token, "POST", "/visitor-bans", { ipRange: "192.0.2.0/24" })).statusCode).toBe(201);
      for (const [event, payload] of [
        ["message.send", { clientId: "x", text: "let me in" }],
        ["visitor.page", { url: "https://a.example/b" }],
        ["visitor.identify", { id: "u1" }],
        ["conversations.list", {}],
        ["offline.submit", { fields: {}, message: "hi" }],
      ] as const) {
        expect(await emitWithAck(widget, event, payload), event).toMatchObject({ ok: false, error: { code: "visitor_banned" } });
      }
    } finally {
      widget.close();
    }
  });

  it("bans an IP range: sessions from it get 403 visitor_banned, open and reopened widgets close", async () => {
    const owner = await signUp(harness.app);
    const inbox = await createWebsiteInbox(harness, { workspaceId: owner.workspace.id });
    const fromRange = { "x-forwarded-for": "203.0.113.50" };
    const visitor = (await startWidgetSession(harness, { inboxToken: inbox.websiteToken }, fromRange)).json();
    const widget = await openWidgetSocket(baseUrl, visitor.visitorToken, fromRange);
    const bystander = (
      await startWidgetSession(harness, { inboxToken: inbox.websiteToken }, { "x-forwarded-for": "198.51.100.1" })
    ).json();
    const bystanderWidget = await openWidgetSocket(baseUrl, bystander.visitorToken, { "x-forwarded-for": "198.51.100.1" });
    try {
      const banned = waitFor<{ code: string }>(widget, "visitor.banned");
      const closed = waitFor<string>(widget, "disconnect");
      const created = await api(owner.token, "POST", "/visitor-bans", { ipRange: "203.0.113.0/24", reason: "spam" });
      expect(created.statusCode).toBe(201);
      expect(created.json()).toMatchObject({ ipRange: "203.0.113.0/24", contactId: null, reason: "spam" });
      expect(await banned).toEqual({ code: "visitor_banned" });
      await closed;
      expect(bystanderWidget.connected).toBe(true);

      const refused = await startWidgetSession(
        harness,
        { inboxToken: inbox.websiteToken, visitorToken: visitor.visitorToken },
        fromRange,
      );
      expect(refused.statusCode).toBe(403);
      expect(refused.json().error.code).toBe("visitor_banned");
      // A brand-new visitor from the range is refused too, and leaves no contact behind.
      const stranger = await startWidgetSession(
        harness,
        { inboxToken: inbox.websiteToken },
        { "x-forwarded-for": "203.0.113.99" },
      );
      expect(stranger.statusCode).toBe(403);

      // A widget reopened with the old token from the range is told and closed at once.
      await expectClosedAsBanned(visitor.visitorToken, fromRange);
      expect(
        (await startWidgetSession(harness, { inboxToken: inbox.websiteToken }, { "x-forwarded-for": "198.51.100.1" })).statusCode,
      ).toBe(200);

      // Lifting the ban lets them back in.
      const banId = created.json().id;
      expect((await api(owner.token, "DELETE", `/visitor-bans/${banId}`)).statusCode).toBe(204);
      expect((await startWidgetSession(harness, { inboxToken: inbox.websiteToken }, fromRange)).statusCode).toBe(200);
      const actions = (
        await harness.database.db.select({ action: auditLog.action }).from(auditLog).where(eq(auditLog.targetId, banId))
      ).map((row) => row.action);
      expect(actions.sort()).toEqual(["visitor_ban.created", "visitor_ban.deleted"]);
    } finally {
      widget.close();
      bystanderWidget.close();
    }
  });

  it("bans a contact (IPv6 visitor): their widget closes, their token is refused, others are unaffected", async () => {
    const owner = await signUp(harness.app);
    const inbox = await createWebsiteInbox(harness, { workspaceId: owner.workspace.id });
    const fromV6 = { "x-forwarded-for": "2001:db8::77" };
    const visitor = (await startWidgetSession(harness, { inboxToken: inbox.websiteToken }, fromV6)).json();
    const [identity] = await harness.database.db
      .select()
      .from(contactIdentities)
      .where(and(eq(contactIdentities.inboxId, inbox.id), eq(contactIdentities.sourceId, visitor.visitorId)));
    const widget = await openWidgetSocket(baseUrl, visitor.visitorToken, fromV6);
    try {
      const closed = waitFor<string>(widget, "disconnect");
      const created = await api(owner.token, "POST", "/visitor-bans", { contactId: identity?.contactId });
      expect(created.statusCode).toBe(201);
      await closed;
    } finally {
      widget.close();
    }
    const again = await startWidgetSession(
      harness,
      { inboxToken: inbox.websiteToken, visitorToken: visitor.visitorToken },
      fromV6,
    );
    expect(again.statusCode).toBe(403);
    expect(again.json().error.code).toBe("visitor_banned");
    // Same network, another person: fine.
    expect(
      (await startWidgetSession(harness, { inboxToken: inbox.websiteToken }, { "x-forwarded-for": "2001:db8::78" })).statusCode,
    ).toBe(200);
    await expectClosedAsBanned(visitor.visitorToken, fromV6);
    // An expired ban no longer applies.
    await harness.database.db
      .update(visitorBans)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(eq(visitorBans.id, (await api(owner.token, "GET", "/visitor-bans")).json().items[0].id));
    expect(
      (await startWidgetSession(harness, { inboxToken: inbox.websiteToken, visitorToken: visitor.visitorToken }, fromV6))
        .statusCode,
    ).toBe(200);
  });

  it("validates bans and keeps them per workspace and permission", async () => {
    const owner = await signUp(harness.app);
    const stranger = await signUp(harness.app);
    for (const bad of [
      {},
      { ipRange: "999.1.1.1" },
      { ipRange: "10.0.0.0/40" },
      { ipRange: "10.0.0.0/8", contactId: owner.user.id },
    ]) {
      const refused = await api(owner.token, "POST", "/visitor-bans", bad);
      expect(refused.statusCode, JSON.stringify(bad)).toBe(400);
      expect(refused.json().error.code).toBe("validation_failed");
    }
    expect(
      (await api(owner.token, "POST", "/visitor-bans", { contactId: "00000000-0000-4000-8000-000000000000" })).statusCode,
    ).toBe(404);
    const ban = (await api(owner.token, "POST", "/visitor-bans", { ipRange: "192.0.2.0/24" })).json();
    expect((await api(stranger.token, "GET", "/visitor-bans")).json().items).toEqual([]);
    expect((await api(stranger.token, "DELETE", `/visitor-bans/${ban.id}`)).statusCode).toBe(404);
    // Agents manage contacts, so they see and set bans too.
    const agent = await joinWorkspace(harness, { userId: stranger.user.id, workspaceId: owner.workspace.id, roleKey: "agent" });
    expect((await api(agent, "GET", "/visitor-bans")).json().items.map((item: { id: string }) => item.id)).toEqual([ban.id]);
  });
});
