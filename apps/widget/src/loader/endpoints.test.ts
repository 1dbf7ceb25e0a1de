import { describe, expect, it } from "vitest";
import { buildFrameSrc, deriveEndpoints, isHttpOrigin, readInboxToken } from "./endpoints.ts";

describe("deriveEndpoints", () => {
  it("takes the Parley origin and frame URL from an absolute script src", () => {
    expect(deriveEndpoints("https://chat.example.com/widget.js", "https://shop.example/product/1")).toEqual({
      parleyOrigin: "https://chat.example.com",
      frameUrl: "https://chat.example.com/widget/frame.html",
    });
  });

  it("resolves a relative src against the page and ignores query and port quirks", () => {
    expect(deriveEndpoints("/widget.js?v=2", "http://127.0.0.1:3000/demo")).toEqual({
      parleyOrigin: "http://127.0.0.1:3000",
      frameUrl: "http://127.0.0.1:3000/widget/frame.html",
    });
    expect(deriveEndpoints("https://chat.example.com:443/widget.js", "https://shop.example/")?.parleyOrigin).toBe(
      "https://chat.example.com",
    );
  });

  it("keeps a path prefix for a Parley served under a sub-path", () => {
    expect(deriveEndpoints("https://example.com/parley/widget.js", "https://shop.example/")).toEqual({
      parleyOrigin: "https://example.com",
      frameUrl: "https://example.com/parley/widget/frame.html",
    });
  });

  it.each(["javascript:alert(1)", "data:text/javascript,1", "blob:https://a.example/1"])("refuses %s", (src) => {
    expect(deriveEndpoints(src, "https://shop.example/")).toBeNull();
  });

  it("refuses a relative src on a page without a usable base", () => {
    expect(deriveEndpoints("/widget.js", "about:blank")).toBeNull();
  });
});

describe("isHttpOrigin", () => {
  it.each([
    ["https://shop.example", true],
    ["http://127.0.0.1:8080", true],
    ["https://shop.example/", false],
    ["https://shop.example/path", false],
    ["null", false],
    ["file://", false],
    ["", false],
  ])("%s → %s", (value, expected) => {
    expect(isHttpOrigin(value)).toBe(expected);
  });
});

describe("readInboxToken", () => {
  it("trims and bounds the token", () => {
    expect(readInboxToken("  abc ")).toBe("abc");
    expect(readInboxToken("")).toBeNull();
    expect(readInboxToken("   ")).toBeNull();
    expect(readInboxToken(null)).toBeNull();
    expect(readInboxToken(undefined)).toBeNull();
    expect(readInboxToken("x".repeat(201))).toBeNull();
  });
});

describe("buildFrameSrc", () => {
  it("encodes the inbox token and the host origin", () => {
    const src = buildFrameSrc(
      { parleyOrigin: "https://chat.example.com", frameUrl: "https://chat.example.com/widget/frame.html" },
      "tok&en=1",
      "https://shop.example",
    );
    const url = new URL(src);
    expect(url.origin + url.pathname).toBe("https://chat.example.com/widget/frame.html");
    expect(url.searchParams.get("inbox")).toBe("tok&en=1");
    expect(url.searchParams.get("host")).toBe("https://shop.example");
  });
});
