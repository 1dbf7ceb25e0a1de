import type { TMessage } from "@parley/shared";
import { describe, expect, it } from "vitest";
import { parseFrameMessage } from "../protocol.ts";
import { isVisitorAway, replyNotification } from "./notify.ts";

const attachment = (fileName: string) => ({ fileName }) as TMessage["attachments"][number];
const settings = { avatarUrl: null, logoUrl: null };

describe("isVisitorAway", () => {
  it("is away with the chat closed or the page hidden, not while the open chat is on screen", () => {
    expect(isVisitorAway(false, "visible")).toBe(true);
    expect(isVisitorAway(true, "hidden")).toBe(true);
    expect(isVisitorAway(false, "hidden")).toBe(true);
    expect(isVisitorAway(true, "visible")).toBe(false);
  });
});

describe("replyNotification", () => {
  it("carries the reply's text, the title and the inbox's avatar, in a message the loader accepts", () => {
    const message = replyNotification(
      { text: "Anything else?", attachments: [] },
      { avatarUrl: "https://cdn.example/ada.png", logoUrl: "https://cdn.example/logo.png" },
      "New message",
    );
    expect(message).toEqual({
      type: "parley:notify",
      title: "New message",
      text: "Anything else?",
      icon: "https://cdn.example/ada.png",
    });
    expect(parseFrameMessage(message)).toEqual(message);
  });

  it("names the file of a reply without text, and falls back to the logo, then no icon", () => {
    expect(
      replyNotification(
        { text: " ", attachments: [attachment("invoice.pdf")] },
        { avatarUrl: null, logoUrl: "https://l" },
        "New",
      ),
    ).toMatchObject({ text: "invoice.pdf", icon: "https://l" });
    expect(replyNotification({ text: "", attachments: [] }, settings, "New message")).toMatchObject({
      text: "New message",
      icon: "",
    });
  });

  it("keeps the body short", () => {
    expect(replyNotification({ text: "x".repeat(5000), attachments: [] }, settings, "New").text).toHaveLength(200);
  });
});
