import { describe, expect, it } from "vitest";
import {
  MAX_PAGE_TITLE_LENGTH,
  MAX_PAGE_URL_LENGTH,
  matchesUrlPattern,
  pageMessage,
  parseFrameMessage,
  parseHostMessage,
  parseLauncherConfig,
} from "./protocol.ts";

const config = {
  vars: [
    ["--c", "#5f3dc4"],
    ["--x", "24px"],
  ],
  isLeft: true,
  icon: "M0 0h24v24H0z",
  hideOnMobile: false,
  isHiddenHere: false,
  label: "Chat",
  frameTitle: "Chat with us",
  closeLabel: "Close",
  dir: "rtl",
};

describe("parseFrameMessage", () => {
  it("accepts the frame's messages and keeps only their known fields", () => {
    expect(parseFrameMessage({ type: "parley:ready" })).toEqual({ type: "parley:ready" });
    expect(parseFrameMessage({ type: "parley:close", extra: "<script>" })).toEqual({ type: "parley:close" });
    expect(parseFrameMessage({ type: "parley:open" })).toEqual({ type: "parley:open" });
    expect(parseFrameMessage({ type: "parley:hidden" })).toEqual({ type: "parley:hidden" });
    expect(parseFrameMessage({ type: "parley:unread", count: 3 })).toEqual({ type: "parley:unread", count: 3 });
    expect(parseFrameMessage({ type: "parley:message", text: "Hi", sender: "agent" })).toEqual({
      type: "parley:message",
      text: "Hi",
      sender: "agent",
    });
    expect(parseFrameMessage({ type: "parley:bubble", text: "Need help?" })).toEqual({
      type: "parley:bubble",
      text: "Need help?",
    });
    expect(parseFrameMessage({ type: "parley:config", config })).toEqual({ type: "parley:config", config });
  });

  it("accepts a reply to notify of, with or without an icon", () => {
    const notify = { type: "parley:notify", title: "New message", text: "Anything else?", icon: "https://cdn.example/a.png" };
    expect(parseFrameMessage({ ...notify, onclick: "alert(1)" })).toEqual(notify);
    expect(parseFrameMessage({ type: "parley:notify", title: "New message", text: "Hi" })).toEqual({
      type: "parley:notify",
      title: "New message",
      text: "Hi",
      icon: "",
    });
    expect(parseFrameMessage({ type: "parley:notify", title: 7, text: "x".repeat(5000), icon: {} })).toEqual({
      type: "parley:notify",
      title: "",
      text: "x".repeat(2000),
      icon: "",
    });
  });

  it("clamps counts and drops malformed config parts", () => {
    expect(parseFrameMessage({ type: "parley:unread", count: -4 })).toEqual({ type: "parley:unread", count: 0 });
    expect(parseFrameMessage({ type: "parley:unread", count: "7" })).toEqual({ type: "parley:unread", count: 0 });
    expect(parseFrameMessage({ type: "parley:unread", count: 5000 })).toEqual({ type: "parley:unread", count: 999 });
    const parsed = parseLauncherConfig({
      ...config,
      vars: [["--c", "#fff"], ["--x"], "junk", [1, 2]],
      dir: "sideways",
      label: 7,
    });
    expect(parsed).toMatchObject({ vars: [["--c", "#fff"]], dir: "ltr", label: "" });
  });

  it.each([
    null,
    undefined,
    "parley:ready",
    42,
    [],
    {},
    { type: "parley:unknown" },
    { type: "PARLEY:READY" },
    { type: "parley:page", url: "https://a.example", title: "A" },
    { type: "parley:config" },
    { type: "parley:config", config: { vars: "--c" } },
    { type: "parley:bubble", text: "   " },
    { type: "parley:message", text: 5 },
    { type: "parley:notify", title: "New message" },
    { type: "parley:notify", title: "New message", text: "  " },
  ])("ignores %j", (data) => {
    expect(parseFrameMessage(data)).toBeNull();
  });
});

describe("parseHostMessage", () => {
  it("accepts page views, visibility changes and host API calls", () => {
    expect(parseHostMessage({ type: "parley:page", url: "https://shop.example/cart", title: "Cart" })).toEqual({
      type: "parley:page",
      url: "https://shop.example/cart",
      title: "Cart",
      referrer: "",
    });
    expect(
      parseHostMessage({ type: "parley:page", url: "https://a.example/", title: "A", referrer: "https://b.example/" }),
    ).toMatchObject({
      referrer: "https://b.example/",
    });
    expect(parseHostMessage({ type: "parley:visibility", open: false })).toEqual({ type: "parley:visibility", open: false });
    expect(parseHostMessage({ type: "parley:call", command: "identify", args: [{ id: "u-1" }] })).toEqual({
      type: "parley:call",
      command: "identify",
      args: [{ id: "u-1" }],
    });
  });

  it.each([
    { type: "parley:page", url: 1, title: "x" },
    { type: "parley:page", url: "https://a.example" },
    { type: "parley:page", url: "x".repeat(MAX_PAGE_URL_LENGTH + 1), title: "" },
    { type: "parley:visibility", open: "true" },
    { type: "parley:ready" },
    { type: "parley:call", command: "eval", args: [] },
    { type: "parley:call", command: "identify", args: "x" },
  ])("rejects %j", (data) => {
    expect(parseHostMessage(data)).toBeNull();
  });
});

describe("pageMessage", () => {
  it("truncates long values so the frame still accepts the page view", () => {
    const message = pageMessage(`https://a.example/${"p".repeat(5000)}`, "t".repeat(2000), "https://r.example/");
    expect(parseHostMessage(message)).toEqual(message);
    if (message.type !== "parley:page") throw new Error("expected a page message");
    expect(message.url).toHaveLength(MAX_PAGE_URL_LENGTH);
    expect(message.title).toHaveLength(MAX_PAGE_TITLE_LENGTH);
    expect(message.referrer).toBe("https://r.example/");
  });
});

describe("matchesUrlPattern", () => {
  it("matches globs against the full URL or the path, case-insensitively", () => {
    expect(matchesUrlPattern("*/checkout*", "https://shop.example/checkout/pay")).toBe(true);
    expect(matchesUrlPattern("/checkout*", "https://shop.example/checkout?step=2")).toBe(true);
    expect(matchesUrlPattern("https://shop.example/admin/*", "https://SHOP.example/admin/users")).toBe(true);
    expect(matchesUrlPattern("/checkout", "https://shop.example/checkout/pay")).toBe(false);
    expect(matchesUrlPattern("/blog/*.html", "https://shop.example/blog/a.html")).toBe(true);
    expect(matchesUrlPattern("/blog/*.html", "https://shop.example/blog/aXhtml")).toBe(false);
  });
});
