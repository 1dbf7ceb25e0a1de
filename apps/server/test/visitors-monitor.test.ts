import type { TVisitorVisit } from "@parley/shared";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { contactIdentities } from "../src/modules/contacts/contacts.tables.ts";
import { presenceTiming } from "../src/modules/routing/presence-timing.ts";
import { visitorVisits } from "../src/modules/widget/visitors.tables.ts";
import { createWebsiteInbox, emitWithAck } from "./conversation-helpers.ts";
import {
  bearer,
  connectAgent,
  joinWorkspace,
  nextEvent,
  nextEventMatching,
  signUp,
  startTestApp,
  type TestApp,
} from "./helpers.ts";
import { CHROME_ON_WINDOWS, openWidgetSocket, startWidgetSession, waitFor } from "./widget-helpers.ts";

describe("visitors monitor", () => {
  let harness: TestApp;
  let baseUrl: string;
  const defaultVisitorGrace = presenceTiming.visitorGoneAfterDisconnectMs;
  beforeAll(async () => {
    harness = await startTestApp();
    baseUrl = await harness.listen();
  });
  afterAll(async () => {
    await harness.close();
  });

  const api = (token: string, method: "GET" | "POST", url: string, payload?: object) =>
    harness.app.inject({ method, url: `/api/v1${url}`, headers: bearer(token), ...(payload === undefined ? {} : { payload }) });

  const contactOf = async (inboxId: string, visitorId: string) => {
    const [identity] = await harness.database.db
      .select({ contactId: contactIdentities.contactId })
      .from(contactIdentities)
      .where(and(eq(contactIdentities.inboxId, inboxId), eq(contactIdentities.sourceId, visitorId)));
    if (!identity) throw new Error("visitor has no contact");
    return identity.contactId;
  };

  it("lists who is online with their visit, and shows page changes and tracked events live", async () => {
    const owner = await signUp(harness.app);
    const inbox = await createWebsiteInbox(harness, { workspaceId: owner.workspace.id, memberUserIds: [owner.user.id] });
    const session = (
      await startWidgetSession(
        harness,
        { inboxToken: inbox.websiteToken, page: { url: "https://shop.example.com/", title: "Home" } },
        { "user-agent": CHROME_ON_WINDOWS },
      )
    ).json();
    const widget = await openWidgetSocket(baseUrl, session.visitorToken);
    const agent = await connectAgent(baseUrl, { token: owner.token });
    try {
      const online = (await api(owner.token, "GET", "/visitors/online")).json();
      expect(online.total).toBe(1);
      expect(online.visitors).toHaveLength(1);
      expect(online.visitors[0]).toMatchObject({
        visitorId: session.visitorId,
        inboxId: inbox.id,
        contact: { isVerified: false },
        visit: {
          currentPage: { url: "https://shop.example.com/", title: "Home" },
          device: { browser: "Chrome", os: "Windows 10", deviceType: "desktop" },
        },
      });

      // A widget load (here a second tab) reaches the monitor too.
      await startWidgetSession(harness, {
        inboxToken: inbox.websiteToken,
        visitorToken: session.visitorToken,
        page: { url: "https://shop.example.com/about", title: "About" },
      });
      const loaded = await nextEvent<{ visitorId: string; visit: { currentPage: { url: string } } }>(agent, "visitor.updated");
      expect(loaded).toMatchObject({
        visitorId: session.visitorId,
        visit: { currentPage: { url: "https://shop.example.com/about" } },
      });

      const moved = await emitWithAck<{ ok: boolean }>(widget, "visitor.page", {
        url: "https://shop.example.com/pricing",
        title: "Pricing",
      });
      expect(moved.ok).toBe(true);
      const update = await nextEvent<{
        visitorId: string;
        visit: { currentPage: { url: string }; pages: Array<{ url: string; leftAt: string | null }> };
      }>(agent, "visitor.updated");
      expect(update.visitorId).toBe(session.visitorId);
      expect(update.visit.currentPage.url).toBe("https://shop.example.com/pricing");
      expect(update.visit.pages.map((page) => page.url)).toEqual([
        "https://shop.example.com/",
        "https://shop.example.com/about",
        "https://shop.example.com/pricing",
      ]);
      expect(update.visit.pages[0]?.leftAt).not.toBeNull();
      expect(await emitWithAck(widget, "visitor.page", { url: "javascript:alert(1)" })).toMatchObject({
        ok: false,
        error: { code: "validation_failed" },
      });

      expect(
        (await emitWithAck<{ ok: boolean }>(widget, "visitor.track", { event: "added_to_cart", data: { sku: "A-1", qty: 2 } }))
          .ok,
      ).toBe(true);
      const tracked = await nextEvent<{ visit: { events: Array<{ event: string; data: unknown }> } }>(agent, "visitor.updated");
      expect(tracked.visit.events).toEqual([{ event: "added_to_cart", data: { sku: "A-1", qty: 2 }, at: expect.any(String) }]);
    } finally {
      widget.close();
      agent.close();
    }
    // Events stay capped at the latest 100.
    const [visit] = await harness.database.db.select().from(visitorVisits).where(eq(visitorVisits.id, session.visitor.visitId));
    await harness.database.db
      .update(visitorVisits)
      .set({
        events: Array.from({ length: 100 }, (_, index) => ({ event: `e${index}`, data: null, at: new Date().toISOString() })),
      })
      .where(eq(visitorVisits.id, visit?.id ?? ""));
    const again = await openWidgetSocket(baseUrl, session.visitorToken);
    try {
      await emitWithAck(again, "visitor.track", { event: "latest" });
    } finally {
      again.close();
    }
    const [capped] = await harness.database.db.select().from(visitorVisits).where(eq(visitorVisits.id, session.visitor.visitId));
    expect(capped?.events).toHaveLength(100);
    expect(capped?.events.at(-1)?.event).toBe("latest");
    expect(capped?.events[0]?.event).toBe("e1");
  });

  it("ends the visit when the visitor leaves: no current page, and its time stops when they went", async () => {
    presenceTiming.visitorGoneAfterDisconnectMs = 1_000;
    const owner = await signUp(harness.app);
    const inbox = await createWebsiteInbox(harness, { workspaceId: owner.workspace.id, memberUserIds: [owner.user.id] });
    const session = (
      await startWidgetSession(harness, {
        inboxToken: inbox.websiteToken,
        page: { url: "https://shop.example.com/", title: "Home" },
      })
    ).json();
    const contactId = await contactOf(inbox.id, session.visitorId);
    const agent = await connectAgent(baseUrl, { token: owner.token });
    let widget = await openWidgetSocket(baseUrl, session.visitorToken);
    try {
      // Moving to the next page closes one socket and opens another: still on the site.
      widget.close();
      widget = await openWidgetSocket(baseUrl, session.visitorToken);
      await new Promise((resolve) => setTimeout(resolve, 1_300));
      const browsing = (await api(owner.token, "GET", `/contacts/${contactId}/visits`)).json().items[0];
      expect(browsing.currentPage).toEqual({ url: "https://shop.example.com/", title: "Home" });

      const closedAt = Date.now();
      widget.close();
      const ended = await nextEventMatching<{ visitorId: string; visit: TVisitorVisit }>(
        agent,
        "visitor.updated",
        (update) => update.visitorId === session.visitorId && update.visit.currentPage.url === null,
      );
      expect(ended.visit.pages.map((page) => page.leftAt)).not.toContain(null);
      // When the socket closed, not when the grace period ran out a second later.
      expect(Math.abs(Date.parse(ended.visit.lastSeenAt) - closedAt)).toBeLessThan(600);

      // Later, the visit still reads as it was when they left.
      await new Promise((resolve) => setTimeout(resolve, 1_100));
      const later = (await api(owner.token, "GET", `/contacts/${contactId}/visits`)).json().items[0];
      expect(later.currentPage).toEqual({ url: null, title: null });
      expect(later.timeOnSiteSeconds).toBe(ended.visit.timeOnSiteSeconds);

      // Back within 30 minutes: the same visit goes on, on the page they came back to.
      const back = await startWidgetSession(harness, {
        inboxToken: inbox.websiteToken,
        visitorToken: session.visitorToken,
        page: { url: "https://shop.example.com/cart", title: "Cart" },
      });
      expect(back.statusCode).toBe(200);
      const resumed = (await api(owner.token, "GET", `/contacts/${contactId}/visits`)).json().items;
      expect(resumed).toHaveLength(1);
      expect(resumed[0]).toMatchObject({ visitNumber: 1, currentPage: { url: "https://shop.example.com/cart" } });
    } finally {
      presenceTiming.visitorGoneAfterDisconnectMs = defaultVisitorGrace;
      widget.close();
      agent.close();
    }
  });

  it("pages through a contact's visits, newest first, within the workspace", async () => {
    const owner = await signUp(harness.app);
    const stranger = await signUp(harness.app);
    const inbox = await createWebsiteInbox(harness, { workspaceId: owner.workspace.id });
    const first = (await startWidgetSession(harness, { inboxToken: inbox.websiteToken })).json();
    for (let i = 0; i < 2; i++) {
      await harness.database.db
        .update(visitorVisits)
        .set({ lastSeenAt: new Date(Date.now() - 31 * 60 * 1000) })
        .where(eq(visitorVisits.inboxId, inbox.id));
      await startWidgetSession(harness, { inboxToken: inbox.websiteToken, visitorToken: first.visitorToken });
    }
    const contactId = await contactOf(inbox.id, first.visitorId);
    const page1 = (await api(owner.token, "GET", `/contacts/${contactId}/visits?limit=2`)).json();
    expect(page1.items.map((visit: { visitNumber: number }) => visit.visitNumber)).toEqual([3, 2]);
    const page2 = (
      await api(owner.token, "GET", `/contacts/${contactId}/visits?limit=2&cursor=${encodeURIComponent(page1.nextCursor)}`)
    ).json();
    expect(page2.items.map((visit: { visitNumber: number }) => visit.visitNumber)).toEqual([1]);
    expect(page2.nextCursor).toBeNull();
    expect((await api(stranger.token, "GET", `/contacts/${contactId}/visits`)).statusCode).toBe(404);
    expect((await api(owner.token, "GET", `/contacts/${contactId}/visits?cursor=bogus`)).statusCode).toBe(400);
  });

  it("lets an agent start a chat with a visitor on the site; the widget receives the message live", async () => {
    const owner = await signUp(harness.app, { name: "Pat Proactive" });
    const inbox = await createWebsiteInbox(harness, { workspaceId: owner.workspace.id, memberUserIds: [owner.user.id] });
    const session = (await startWidgetSession(harness, { inboxToken: inbox.websiteToken })).json();
    const widget = await openWidgetSocket(baseUrl, session.visitorToken);
    try {
      const contactId = await contactOf(inbox.id, session.visitorId);
      const arrived = waitFor<{ message: { text: string; senderType: string; conversationId: string } }>(
        widget,
        "message.created",
      );
      const started = await api(owner.token, "POST", `/visitors/${contactId}/conversations`, {
        message: "Hi! Can I help you find something?",
      });
      expect(started.statusCode).toBe(201);
      const { message } = await arrived;
      expect(message).toMatchObject({ text: "Hi! Can I help you find something?", senderType: "agent" });
      expect(message.conversationId).toBe(started.json().conversationId);
      // The visitor answers in the same conversation.
      const answer = await emitWithAck<{ ok: boolean; data: { conversationId: string } }>(widget, "message.send", {
        clientId: "v1",
        text: "Yes, shoes!",
      });
      expect(answer.data.conversationId).toBe(started.json().conversationId);
      const listed = await emitWithAck<{ ok: boolean; data: { items: Array<{ id: string; lastMessage: { text: string } }> } }>(
        widget,
        "conversations.list",
        {},
      );
      expect(listed.data.items).toHaveLength(1);
      expect(listed.data.items[0]?.lastMessage.text).toBe("Yes, shoes!");

      // An agent who does not work this inbox may not.
      const outsider = await signUp(harness.app);
      const outsiderToken = await joinWorkspace(harness, {
        userId: outsider.user.id,
        workspaceId: owner.workspace.id,
        roleKey: "agent",
      });
      expect((await api(outsiderToken, "POST", `/visitors/${contactId}/conversations`, { message: "hi" })).statusCode).toBe(404);
      expect((await api(owner.token, "POST", `/visitors/${contactId}/conversations`, { message: "   " })).statusCode).toBe(400);
    } finally {
      widget.close();
    }
  });
});
