import { describe, expect, it } from "vitest";
import { contrastRatio, DEFAULT_SETTINGS, isHiddenOnPage, launcherConfig, readSettings, textColorOn } from "./settings.ts";

const labels = {
  pageUrl: "https://shop.example/",
  label: "Chat",
  frameTitle: "Chat with us",
  closeLabel: "Close",
  dir: "ltr" as const,
};

describe("readSettings", () => {
  it("takes the server's settings field by field over the defaults", () => {
    const settings = readSettings({
      primaryColor: "#5f3dc4",
      position: "left",
      offsetX: 40,
      showBranding: false,
      attentionBubble: { text: "Hi", delaySeconds: 5 },
    });
    expect(settings).toMatchObject({
      primaryColor: "#5f3dc4",
      position: "left",
      offsetX: 40,
      showBranding: false,
      size: "standard",
    });
    expect(settings.attentionBubble).toEqual({ text: "Hi", delaySeconds: 5 });
  });

  it("ignores fields of the wrong kind and anything that is not an object", () => {
    expect(readSettings({ offsetX: "40", showBranding: "no" })).toMatchObject({ offsetX: 20, showBranding: true });
    expect(readSettings(null)).toEqual(DEFAULT_SETTINGS);
    expect(readSettings("x")).toEqual(DEFAULT_SETTINGS);
  });
});

describe("contrast", () => {
  it("picks the text colour that reads best on the brand colour", () => {
    expect(textColorOn("#1f6feb")).toBe("#ffffff");
    expect(textColorOn("#ffd43b")).toBe("#1a1b1e");
    expect(contrastRatio("#000000", "#ffffff")).toBeCloseTo(21, 0);
    for (const color of ["#1f6feb", "#ffd43b", "#5f3dc4", "#40c057", "#ff922b", "#868e96"]) {
      // WCAG AA for large text and UI components at least.
      expect(contrastRatio(color, textColorOn(color))).toBeGreaterThanOrEqual(3);
    }
  });
});

describe("launcherConfig", () => {
  it("turns settings into what the loader draws", () => {
    const config = launcherConfig(
      { ...DEFAULT_SETTINGS, position: "left", offsetX: 8, offsetY: 30, size: "large", launcherIcon: "help" },
      labels,
    );
    expect(config.vars).toEqual([
      ["--c", "#1f6feb"],
      ["--o", "#ffffff"],
      ["--x", "8px"],
      ["--y", "30px"],
      ["--w", "440px"],
      ["--h", "720px"],
    ]);
    expect(config.isLeft).toBe(true);
    expect(config.icon).toMatch(/^M12 2a10/);
    expect(config.isHiddenHere).toBe(false);
  });

  it("hides the widget on pages matching a pattern", () => {
    const settings = { ...DEFAULT_SETTINGS, hiddenUrlPatterns: ["*/checkout*"] };
    expect(isHiddenOnPage(settings, "https://shop.example/checkout/pay")).toBe(true);
    expect(isHiddenOnPage(settings, "https://shop.example/products")).toBe(false);
    expect(launcherConfig(settings, { ...labels, pageUrl: "https://shop.example/checkout" }).isHiddenHere).toBe(true);
  });
});
