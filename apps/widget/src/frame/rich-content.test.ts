import { describe, expect, it } from "vitest";
import { formAnswerText, readRichContent } from "./rich-content.ts";

describe("readRichContent", () => {
  it("reads buttons and quick replies, dropping unsafe links", () => {
    expect(
      readRichContent({
        contentType: "buttons",
        content: {
          style: "quick_replies",
          buttons: [
            { title: "Track my order", payload: "TRACK" },
            { title: "Docs", url: "https://docs.example/" },
            { title: "Evil", url: "javascript:alert(1)" },
            { payload: "no title" },
          ],
        },
      }),
    ).toEqual({
      kind: "buttons",
      style: "quick_replies",
      buttons: [
        { title: "Track my order", payload: "TRACK", url: null },
        { title: "Docs", payload: null, url: "https://docs.example/" },
      ],
    });
  });

  it("reads cards for a carousel", () => {
    const rich = readRichContent({
      contentType: "cards",
      content: {
        cards: [
          {
            title: "Pro plan",
            subtitle: "€20/month",
            imageUrl: "https://img.example/pro.png",
            buttons: [{ title: "Choose", payload: "PRO" }],
          },
        ],
      },
    });
    expect(rich).toMatchObject({
      kind: "cards",
      cards: [{ title: "Pro plan", subtitle: "€20/month", imageUrl: "https://img.example/pro.png" }],
    });
  });

  it("tells a rating request from a bot form", () => {
    expect(readRichContent({ contentType: "form", content: { kind: "csat", scale: 5 } })).toEqual({ kind: "csat", scale: 5 });
    expect(
      readRichContent({
        contentType: "form",
        content: { fields: [{ key: "size", label: "Size", type: "select", options: ["S", "M"] }], submitLabel: "Go" },
      }),
    ).toEqual({
      kind: "form",
      submitLabel: "Go",
      fields: [{ key: "size", label: "Size", type: "select", required: false, options: ["S", "M"] }],
    });
  });

  it("falls back to plain text for anything malformed", () => {
    expect(readRichContent({ contentType: "buttons", content: { buttons: "nope" } })).toEqual({ kind: "none" });
    expect(readRichContent({ contentType: "cards", content: {} })).toEqual({ kind: "none" });
    expect(readRichContent({ contentType: "text", content: { buttons: [{ title: "x", payload: "y" }] } })).toEqual({
      kind: "none",
    });
  });
});

describe("formAnswerText", () => {
  it("posts the answers back as one readable message", () => {
    const fields = [
      { key: "size", label: "Size", type: "select" as const, required: true, options: [] },
      { key: "gift", label: "Gift wrap", type: "checkbox" as const, required: false, options: [] },
      { key: "note", label: "Note", type: "text" as const, required: false, options: [] },
    ];
    expect(formAnswerText(fields, { size: "M", gift: true })).toBe("Size: M\nGift wrap: ✓\nNote: —");
  });
});
