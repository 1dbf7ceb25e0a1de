import {
  compareTriggerValue,
  evaluateTrigger,
  firstTriggerToFire,
  matchesGlob,
  type TCompiledTrigger,
  type TTriggerContext,
} from "@parley/shared";
import { and, asc, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditLog } from "../src/modules/audit/audit.tables.ts";
import { conversations } from "../src/modules/conversations/conversations.tables.ts";
import { messages } from "../src/modules/messages/messages.tables.ts";
import { proactiveTriggerFirings, visitorVisits } from "../src/modules/widget/visitors.tables.ts";
import { createWebsiteInbox, emitWithAck } from "./conversation-helpers.ts";
import { bearer, joinWorkspace, signUp, startTestApp, type TestApp } from "./helpers.ts";
import { openWidgetSocket, startWidgetSession } from "./widget-helpers.ts";

const context = (overrides: Partial<TTriggerContext> = {}): TTriggerContext => ({
  timeOnPageSeconds: 0,
  timeOnSiteSeconds: 0,
  pageUrl: "https://shop.example.com/",
  referrer: "",
  visitCount: 1,
  country: null,
  city: null,
  deviceType: "desktop",
  language: "en-GB",
  attributes: {},
  isWithinBusinessHours: true,
  agentsOnline: 0,
  ...overrides,
});

const trigger = (conditions: TCompiledTrigger["conditions"], match: "all" | "any" = "all"): TCompiledTrigger => ({
  id: "00000000-0000-4000-8000-000000000001",
  name: "t",
  match,
  conditions,
  actions: [{ type: "open_widget" }],
  frequency: "always",
});

describe("evaluateTrigger", () => {
  it("matches globs on whole, case-insensitive text with * as any run", () => {
    expect(matchesGlob("https://shop.example.com/pricing*", "https://shop.example.com/pricing?plan=pro")).toBe(true);
    expect(matchesGlob("*/checkout/*", "https://shop.example.com/checkout/step-2")).toBe(true);
    expect(matchesGlob("*/checkout/*", "https://shop.example.com/checkout")).toBe(false);
    expect(matchesGlob("https://shop.example.com/", "HTTPS://SHOP.EXAMPLE.COM/")).toBe(true);
    // Regex characters in the pattern are literal.
    expect(matchesGlob("a.b(c)?", "a.b(c)?")).toBe(true);
    expect(matchesGlob("a.b", "axb")).toBe(false);
    expect(matchesGlob("**", "")).toBe(true);
    // A pattern that makes a backtracking matcher take exponential time finishes at once.
    const startedAt = performance.now();
    expect(matchesGlob(`${"*a".repeat(30)}*b`, "a".repeat(2_000))).toBe(false);
    expect(performance.now() - startedAt).toBeLessThan(500);
  });

  it("compares with every operator, treating unknown facts as not matching (except neq)", () => {
    expect(compareTriggerValue(30, "gt", 20)).toBe(true);
    expect(compareTriggerValue(10, "gt", 20)).toBe(false);
    expect(compareTriggerValue(10, "lt", 20)).toBe(true);
    expect(compareTriggerValue("GB", "eq", "gb")).toBe(true);
    expect(compareTriggerValue("GB", "neq", "FR")).toBe(true);
    expect(compareTriggerValue("3", "eq", 3)).toBe(true);
    expect(compareTriggerValue("London", "contains", "ond")).toBe(true);
    expect(compareTriggerValue(true, "eq", true)).toBe(true);
    expect(compareTriggerValue(false, "eq", true)).toBe(false);
    expect(compareTriggerValue(null, "eq", "GB")).toBe(false);
    expect(compareTriggerValue(null, "neq", "GB")).toBe(true);
    expect(compareTriggerValue(null, "contains", "x")).toBe(false);
    expect(compareTriggerValue("abc", "gt", 2)).toBe(false);
  });

  it("reads each condition type from the context", () => {
    const facts = context({
      timeOnPageSeconds: 45,
      timeOnSiteSeconds: 300,
      pageUrl: "https://shop.example.com/pricing",
      referrer: "https://news.example/article",
      visitCount: 3,
      country: "GB",
      city: "London",
      deviceType: "mobile",
      language: "fr-FR",
      attributes: { plan: "pro", seats: 12 },
      isWithinBusinessHours: false,
      agentsOnline: 2,
    });
    const holds = (condition: TCompiledTrigger["conditions"][number]) => evaluateTrigger(trigger([condition]), facts);
    expect(holds({ type: "time_on_page", operator: "gt", value: 30 })).toBe(true);
    expect(holds({ type: "time_on_site", operator: "lt", value: 60 })).toBe(false);
    expect(holds({ type: "page_url", operator: "matches", value: "*/pricing" })).toBe(true);
    expect(holds({ type: "referrer", operator: "contains", value: "news.example" })).toBe(true);
    expect(holds({ type: "visit_count", operator: "gt", value: 2 })).toBe(true);
    expect(holds({ type: "country", operator: "eq", value: "gb" })).toBe(true);
    expect(holds({ type: "city", operator: "neq", value: "Paris" })).toBe(true);
    expect(holds({ type: "device_type", operator: "eq", value: "desktop" })).toBe(false);
    expect(holds({ type: "language", operator: "matches", value: "fr*" })).toBe(true);
    expect(holds({ type: "attribute", attribute: "plan", operator: "eq", value: "pro" })).toBe(true);
    expect(holds({ type: "attribute", attribute: "seats", operator: "gt", value: 10 })).toBe(true);
    expect(holds({ type: "attribute", attribute: "missing", operator: "eq", value: "x" })).toBe(false);
    expect(holds({ type: "business_hours", operator: "eq", value: true })).toBe(false);
    expect(holds({ type: "agents_online", operator: "eq", value: true })).toBe(true);
    expect(holds({ type: "agents_online", operator: "gt", value: 2 })).toBe(false);
  });

  it("combines conditions with all/any and picks the first trigger in order that has not fired", () => {
    const facts = context({ timeOnPageSeconds: 10, country: "FR" });
    const both = [
      { type: "time_on_page" as const, operator: "gt" as const, value: 5 },
      { type: "country" as const, operator: "eq" as const, value: "GB" },
    ];
    expect(evaluateTrigger(trigger(both, "all"), facts)).toBe(false);
    expect(evaluateTrigger(trigger(both, "any"), facts)).toBe(true);
    expect(evaluateTrigger(trigger([]), facts)).toBe(true);
    const first = { ...trigger([{ type: "country", operator: "eq", value: "FR" }]), id: "a" };
    const second = { ...trigger([]), id: "b" };
    expect(firstTriggerToFire([first, second], facts)?.id).toBe("a");
    expect(firstTriggerToFire([first, second], facts, (candidate) => candidate.id === "a")?.id).toBe("b");
    expect(firstTriggerToFire([first], context({ country: "DE" }))).toBeNull();
  });
});

describe("proactive triggers", () => {
  let harness: TestApp;
  let baseUrl: string;
  beforeAll(async () => {
    harness = await startTestApp();
    baseUrl = await harness.listen();
  });
  afterAll(async () => {
    await harness.close();
  });

  const api = (token: string, method: "GET" | "POST" | "PATCH" | "PUT" | "DELETE", url: string, payload?: object) =>
    harness.app.inject({ method, url: `/api/v1${url}`, headers: bearer(token), ...(payload === undefined ? {} : { payload }) });

  it("creates, validates, updates, reorders, audits and deletes triggers; the widget gets them compiled in order", async () => {
    const owner = await signUp(harness.app, { name: "Sam Sales" });
    const inbox = await createWebsiteInbox(harness, { workspaceId: owner.workspace.id });
    const greeting = await api(owner.token, "POST", "/proactive-triggers", {
      name: "Pricing help",
      inboxId: inbox.id,
      conditions: [
        { type: "page_url", operator: "matches", value: "*/pricing*" },
        { type: "time_on_page", operator: "gt", value: 20 },
      ],
      actions: [{ type: "greeting", text: "Questions about plans?", senderType: "agent", agentId: owner.user.id }],
      frequency: "once_per_session",
    });
    expect(greeting.statusCode).toBe(201);
    const bubble = await api(owner.token, "POST", "/proactive-triggers", {
      name: "Returning visitors",
      match: "any",
      conditions: [{ type: "visit_count", operator: "gt", value: 1 }],
      actions: [{ type: "attention_bubble", text: "Welcome back!" }, { type: "open_widget" }],
    });
    expect(bubble.statusCode).toBe(201);
    const disabled = await api(owner.token, "POST", "/proactive-triggers", {
      name: "Off",
      isEnabled: false,
      actions: [{ type: "open_widget" }],
    });
    expect(disabled.json()).toMatchObject({ position: 2, isEnabled: false, frequency: "once_per_visitor", inboxId: null });

    for (const bad of [
      { name: "No actions", actions: [] },
      { name: "Bad op", actions: [{ type: "open_widget" }], conditions: [{ type: "country", operator: "gt", value: "GB" }] },
      { name: "No attr", actions: [{ type: "open_widget" }], conditions: [{ type: "attribute", operator: "eq", value: "x" }] },
      { name: "Agent missing", actions: [{ type: "greeting", text: "Hi", senderType: "agent" }] },
      {
        name: "Stranger",
        actions: [{ type: "greeting", text: "Hi", senderType: "agent", agentId: "00000000-0000-4000-8000-000000000000" }],
      },
      { name: "Frequency", actions: [{ type: "open_widget" }], frequency: "hourly" },
    ]) {
      const refused = await api(owner.token, "POST", "/proactive-triggers", bad);
      expect(refused.statusCode, JSON.stringify(bad)).toBe(400);
      expect(refused.json().error.code).toBe("validation_failed");
    }
    const otherWorkspace = await signUp(harness.app);
    const foreignInbox = await createWebsiteInbox(harness, { workspaceId: otherWorkspace.workspace.id });
    expect(
      (
        await api(owner.token, "POST", "/proactive-triggers", {
          name: "x",
          inboxId: foreignInbox.id,
          actions: [{ type: "open_widget" }],
        })
      ).statusCode,
    ).toBe(400);
    const agentToken = await joinWorkspace(harness, {
      userId: otherWorkspace.user.id,
      workspaceId: owner.workspace.id,
      roleKey: "agent",
    });
    expect((await api(agentToken, "GET", "/proactive-triggers")).statusCode).toBe(403);

    const reordered = await api(owner.token, "PUT", "/proactive-triggers/order", {
      ids: [bubble.json().id, greeting.json().id, disabled.json().id],
    });
    expect(reordered.json().items.map((item: { name: string }) => item.name)).toEqual([
      "Returning visitors",
      "Pricing help",
      "Off",
    ]);
    expect((await api(owner.token, "PUT", "/proactive-triggers/order", { ids: [bubble.json().id] })).statusCode).toBe(400);

    const session = (await startWidgetSession(harness, { inboxToken: inbox.websiteToken })).json();
    expect(session.triggers.map((item: { name: string }) => item.name)).toEqual(["Returning visitors", "Pricing help"]);
    expect(session.triggers[1].actions).toEqual([
      { type: "greeting", text: "Questions about plans?", senderType: "agent", sender: { name: "Sam Sales", avatarUrl: null } },
    ]);

    const renamed = await api(owner.token, "PATCH", `/proactive-triggers/${bubble.json().id}`, {
      name: "Welcome back",
      isEnabled: false,
    });
    expect(renamed.json()).toMatchObject({ name: "Welcome back", isEnabled: false });
    const after = (await startWidgetSession(harness, { inboxToken: inbox.websiteToken })).json();
    expect(after.triggers.map((item: { name: string }) => item.name)).toEqual(["Pricing help"]);

    expect((await api(owner.token, "DELETE", `/proactive-triggers/${disabled.json().id}`)).statusCode).toBe(204);
    expect((await api(owner.token, "DELETE", `/proactive-triggers/${disabled.json().id}`)).statusCode).toBe(404);
    const audited = await harness.database.db
      .select({ action: auditLog.action })
      .from(auditLog)
      .where(and(eq(auditLog.workspaceId, owner.workspace.id)))
      .orderBy(asc(auditLog.createdAt));
    expect(audited.map((row) => row.action).filter((action) => action.startsWith("proactive_trigger."))).toEqual([
      "proactive_trigger.created",
      "proactive_trigger.created",
      "proactive_trigger.created",
      "proactive_trigger.reordered",
      "proactive_trigger.updated",
      "proactive_trigger.deleted",
    ]);
  });

  it("records firings by frequency and refuses a repeat with trigger_already_fired", async () => {
    const owner = await signUp(harness.app);
    const inbox = await createWebsiteInbox(harness, { workspaceId: owner.workspace.id });
    const create = async (name: string, frequency: string) =>
      (await api(owner.token, "POST", "/proactive-triggers", { name, frequency, actions: [{ type: "open_widget" }] })).json()
        .id as string;
    const perVisitor = await create("visitor", "once_per_visitor");
    const perSession = await create("session", "once_per_session");
    const always = await create("always", "always");
    const session = (await startWidgetSession(harness, { inboxToken: inbox.websiteToken })).json();
    const socket = await openWidgetSocket(baseUrl, session.visitorToken);
    const fire = (triggerId: string) =>
      emitWithAck<{ ok: boolean; data?: { firingId: string; actions: unknown[] }; error?: { code: string } }>(
        socket,
        "trigger.fired",
        { triggerId },
      );
    try {
      const fired = await fire(perVisitor);
      expect(fired).toMatchObject({ ok: true, data: { actions: [{ type: "open_widget" }] } });
      expect(await fire(perVisitor)).toMatchObject({ ok: false, error: { code: "trigger_already_fired" } });
      expect((await fire(perSession)).ok).toBe(true);
      expect(await fire(perSession)).toMatchObject({ ok: false, error: { code: "trigger_already_fired" } });
      await new Promise((resolve) => setTimeout(resolve, 1_050)); // trigger.fired allows 5 a second
      expect((await fire(always)).ok).toBe(true);
      expect((await fire(always)).ok).toBe(true);
      expect(await fire("00000000-0000-4000-8000-000000000000")).toMatchObject({ ok: false, error: { code: "not_found" } });

      // A new visit: once-per-session fires again, once-per-visitor does not.
      await harness.database.db
        .update(visitorVisits)
        .set({ lastSeenAt: new Date(Date.now() - 31 * 60 * 1000) })
        .where(eq(visitorVisits.id, session.visitor.visitId));
      await new Promise((resolve) => setTimeout(resolve, 1_050)); // trigger.fired allows 5 a second
      const next = (
        await startWidgetSession(harness, { inboxToken: inbox.websiteToken, visitorToken: session.visitorToken })
      ).json();
      expect(next.visitor.visitCount).toBe(2);
      expect((await fire(perSession)).ok).toBe(true);
      expect(await fire(perVisitor)).toMatchObject({ ok: false, error: { code: "trigger_already_fired" } });
    } finally {
      socket.close();
    }
    const firings = await harness.database.db
      .select()
      .from(proactiveTriggerFirings)
      .where(eq(proactiveTriggerFirings.workspaceId, owner.workspace.id));
    expect(firings).toHaveLength(5);
    const list = (await api(owner.token, "GET", "/proactive-triggers")).json();
    expect(list.items.map((item: { name: string; stats: { fired: number } }) => [item.name, item.stats.fired])).toEqual([
      ["visitor", 1],
      ["session", 2],
      ["always", 2],
    ]);
  });

  it("stores an answered greeting as the new conversation's first message, from the named agent or bot", async () => {
    const owner = await signUp(harness.app, { name: "Gina Greeter" });
    const inbox = await createWebsiteInbox(harness, { workspaceId: owner.workspace.id });
    const agentGreeting = (
      await api(owner.token, "POST", "/proactive-triggers", {
        name: "agent",
        actions: [{ type: "greeting", text: "Hi, I'm Gina. Need a hand?", senderType: "agent", agentId: owner.user.id }],
        frequency: "always",
      })
    ).json().id;
    const botGreeting = (
      await api(owner.token, "POST", "/proactive-triggers", {
        name: "bot",
        actions: [{ type: "greeting", text: "Beep! Ask me anything.", senderType: "bot", botName: "Robo" }],
      })
    ).json().id;

    const session = (await startWidgetSession(harness, { inboxToken: inbox.websiteToken })).json();
    expect(session.triggers[1].actions[0]).toEqual({
      type: "greeting",
      text: "Beep! Ask me anything.",
      senderType: "bot",
      sender: { name: "Robo", avatarUrl: null },
    });
    const socket = await openWidgetSocket(baseUrl, session.visitorToken);
    try {
      const fired = await emitWithAck<{ ok: boolean; data: { firingId: string } }>(socket, "trigger.fired", {
        triggerId: agentGreeting,
      });
      const sent = await emitWithAck<{ ok: boolean; data: { conversationId: string } }>(socket, "message.send", {
        clientId: "answer-1",
        text: "Yes please, which plan fits?",
        triggerFiringId: fired.data.firingId,
      });
      expect(sent.ok).toBe(true);
      const stored = await harness.database.db
        .select()
        .from(messages)
        .where(eq(messages.conversationId, sent.data.conversationId))
        .orderBy(asc(messages.seq));
      expect(stored.map((message) => [message.senderType, message.senderId, message.text])).toEqual([
        ["agent", owner.user.id, "Hi, I'm Gina. Need a hand?"],
        ["contact", expect.any(String), "Yes please, which plan fits?"],
      ]);
      // The greeting is not an answer: the conversation still waits for a first reply.
      const [conversation] = await harness.database.db
        .select()
        .from(conversations)
        .where(eq(conversations.id, sent.data.conversationId));
      expect(conversation).toMatchObject({ status: "pending", firstReplyAt: null });
      expect(conversation?.waitingSince).not.toBeNull();
      const [firing] = await harness.database.db
        .select()
        .from(proactiveTriggerFirings)
        .where(eq(proactiveTriggerFirings.id, fired.data.firingId));
      expect(firing?.engagedAt).not.toBeNull();
      expect(firing?.conversationId).toBe(sent.data.conversationId);

      // Reusing an answered firing adds no second greeting.
      const again = await emitWithAck<{ ok: boolean }>(socket, "message.send", {
        clientId: "answer-2",
        text: "Hello again",
        triggerFiringId: fired.data.firingId,
      });
      expect(again.ok).toBe(true);
      const count = await harness.database.db
        .select()
        .from(messages)
        .where(eq(messages.conversationId, sent.data.conversationId));
      expect(count.filter((message) => message.senderType === "agent")).toHaveLength(1);
    } finally {
      socket.close();
    }

    const botVisitor = (await startWidgetSession(harness, { inboxToken: inbox.websiteToken })).json();
    const botSocket = await openWidgetSocket(baseUrl, botVisitor.visitorToken);
    try {
      const fired = await emitWithAck<{ ok: boolean; data: { firingId: string } }>(botSocket, "trigger.fired", {
        triggerId: botGreeting,
      });
      const sent = await emitWithAck<{ ok: boolean; data: { conversationId: string } }>(botSocket, "message.send", {
        clientId: "b1",
        text: "What do you do?",
        triggerFiringId: fired.data.firingId,
      });
      const stored = await harness.database.db
        .select()
        .from(messages)
        .where(eq(messages.conversationId, sent.data.conversationId))
        .orderBy(asc(messages.seq));
      expect(stored[0]).toMatchObject({
        senderType: "bot",
        senderId: null,
        text: "Beep! Ask me anything.",
        content: { botName: "Robo" },
      });
      expect(stored[1]?.senderType).toBe("contact");
    } finally {
      botSocket.close();
    }
  });
});
