import { describe, expect, it } from "vitest";
import { fallbackText, splitText } from "./render-fallback.ts";

describe("channel text fallbacks", () => {
  it("numbers buttons so a contact can answer by number, with links spelled out", () => {
    const text = fallbackText({
      contentType: "buttons",
      text: "How can we help?",
      content: {
        buttons: [
          { title: "Track my order", payload: "TRACK" },
          { title: "Our shop", url: "https://shop.example.com" },
        ],
      },
    });
    expect(text).toBe("How can we help?\n\n1. Track my order\n2. Our shop — https://shop.example.com");
  });

  it("writes cards, locations and contact cards as readable text", () => {
    expect(
      fallbackText({
        contentType: "cards",
        text: "",
        content: {
          cards: [
            {
              title: "Blue mug",
              subtitle: "12 €",
              url: "https://shop.example.com/mug",
              buttons: [{ title: "Buy", payload: "BUY" }],
            },
          ],
        },
      }),
    ).toBe("Blue mug\n12 €\nhttps://shop.example.com/mug\n1. Buy");
    expect(
      fallbackText({ contentType: "location", text: "", content: { latitude: 48.85, longitude: 2.35, name: "Shop" } }),
    ).toContain("mlat=48.85&mlon=2.35");
    expect(
      fallbackText({ contentType: "contact_card", text: "", content: { name: "Ada", phones: ["+33 1 23"], emails: [] } }),
    ).toBe("Ada\n+33 1 23");
  });

  it("splits long text at word boundaries within the limit", () => {
    const pieces = splitText("word ".repeat(100).trim(), 60);
    expect(pieces.every((piece) => piece.length <= 60)).toBe(true);
    expect(pieces.join(" ")).toBe("word ".repeat(100).trim());
    expect(splitText("short", 60)).toEqual(["short"]);
  });
});
