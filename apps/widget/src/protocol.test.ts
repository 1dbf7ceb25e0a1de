import { describe, expect, it } from "vitest";
import { MAX_PAGE_TITLE_LENGTH, MAX_PAGE_URL_LENGTH, pageMessage, parseFrameMessage, parseHostMessage } from "./protocol.ts";

describe("parseFrameMessage", () => {
  it("accepts the frame's messages and keeps only their known fields", () => {
    expect(parseFrameMessage({ type: "parley:ready" })).toEqual({ type: "parley:ready" });
    expect(parseFrameMessage({ type: "parley:close", extra: "<script>" })).toEqual({ type: "parley:close" });
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
  ])("ignores %j", (data) => {
    expect(parseFrameMessage(data)).toBeNull();
  });
});

describe("parseHostMessage", () => {
  it("accepts page views and visibility changes", () => {
    expect(parseHostMessage({ type: "parley:page", url: "https://shop.example/cart", title: "Cart" })).toEqual({
      type: "parley:page",
      url: "https://shop.example/cart",
      title: "Cart",
    });
    expect(parseHostMessage({ type: "parley:visibility", open: false })).toEqual({ type: "parley:visibility", open: false });
  });

  it.each([
    { type: "parley:page", url: 1, title: "x" },
    { type: "parley:page", url: "https://a.example" },
    { type: "parley:page", url: "x".repeat(MAX_PAGE_URL_LENGTH + 1), title: "" },
    { type: "parley:visibility", open: "true" },
    { type: "parley:ready" },
  ])("rejects %j", (data) => {
    expect(parseHostMessage(data)).toBeNull();
  });
});

describe("pageMessage", () => {
  it("truncates long values so the frame still accepts the page view", () => {
    const message = pageMessage(`https://a.example/${"p".repeat(5000)}`, "t".repeat(2000));
    expect(parseHostMessage(message)).toEqual(message);
    expect(message).toMatchObject({ type: "parley:page" });
    if (message.type !== "parley:page") throw new Error("expected a page message");
    expect(message.url).toHaveLength(MAX_PAGE_URL_LENGTH);
    expect(message.title).toHaveLength(MAX_PAGE_TITLE_LENGTH);
  });
});
