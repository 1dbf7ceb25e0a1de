import { describe, expect, it } from "vitest";
import { evaluateTrigger } from "../../../../packages/shared/src/proactive-triggers.ts";
import { readSession } from "./session.ts";
import { buildTriggerContext } from "./triggers.ts";

const session = readSession({
  visitorToken: "t",
  visitorId: "v",
  inbox: { name: "Web", greetingMessage: "" },
  conversation: null,
  visitor: { visitCount: 3, country: "DE", city: "Berlin", deviceType: "desktop", isWithinBusinessHours: true, agentsOnline: 2 },
  triggers: [],
});

describe("buildTriggerContext", () => {
  it("combines the widget's own facts with the server's, for the shared evaluateTrigger", () => {
    if (!session) throw new Error("session did not parse");
    const now = Date.UTC(2026, 0, 1, 12, 0, 0);
    const context = buildTriggerContext(session, {
      pageUrl: "https://shop.example/pricing",
      referrer: "https://search.example/",
      pageSince: now - 31_000,
      siteSince: now - 300_000,
      now,
      attributes: { plan: "free" },
    });
    expect(context).toMatchObject({
      timeOnPageSeconds: 31,
      timeOnSiteSeconds: 300,
      visitCount: 3,
      country: "DE",
      agentsOnline: 2,
    });
    const onPricingFor30s = {
      match: "all" as const,
      conditions: [
        { type: "page_url" as const, operator: "matches" as const, value: "*/pricing" },
        { type: "time_on_page" as const, operator: "gt" as const, value: 30 },
        { type: "attribute" as const, operator: "eq" as const, value: "free", attribute: "plan" },
      ],
    };
    expect(evaluateTrigger(onPricingFor30s, context)).toBe(true);
    expect(evaluateTrigger(onPricingFor30s, { ...context, timeOnPageSeconds: 10 })).toBe(false);
  });
});

describe("readSession", () => {
  it("reads a session from an older server that sends no settings, availability or triggers", () => {
    const old = readSession({
      visitorToken: "t",
      visitorId: "v",
      inbox: { id: "i", name: "Web", greetingMessage: "Hi" },
      conversation: null,
    });
    expect(old).toMatchObject({
      inboxName: "Web",
      greetingMessage: "Hi",
      availability: null,
      triggers: [],
      settings: { position: "right" },
    });
    expect(readSession({ nope: true })).toBeNull();
  });
});
