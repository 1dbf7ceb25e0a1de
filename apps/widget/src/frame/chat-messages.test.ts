import type { TMessage } from "@parley/shared";
import { describe, expect, it } from "vitest";
import { countUnread, groupReactions, lastStoredSeq, mergeMessages, pendingMessage, updateLocal } from "./chat-messages.ts";

const stored = (seq: number, overrides: Partial<TMessage> = {}): TMessage => ({
  id: `00000000-0000-4000-8000-${String(seq).padStart(12, "0")}`,
  seq,
  conversationId: "c1",
  senderType: "agent",
  senderId: null,
  contentType: "text",
  text: `message ${seq}`,
  content: {},
  isPrivate: false,
  replyToId: null,
  clientId: null,
  deliveryStatus: "sent",
  deliveryError: null,
  attachments: [],
  reactions: [],
  editedAt: null,
  deletedAt: null,
  createdAt: new Date(Date.UTC(2026, 0, 1, 0, 0, seq)).toISOString(),
  ...overrides,
});

const pending = (clientId: string, text = "hello") =>
  pendingMessage({ clientId, text, conversationId: "c1", upload: null, triggerFiringId: null });

describe("mergeMessages", () => {
  it("orders stored messages by seq and keeps pending ones last", () => {
    const list = mergeMessages([pending("a")], [stored(3), stored(1), stored(2)]);
    expect(list.map((message) => message.seq)).toEqual([1, 2, 3, Number.MAX_SAFE_INTEGER]);
  });

  it("replaces the pending message with the stored one that carries its clientId", () => {
    const list = mergeMessages([stored(1), pending("a")], [stored(2, { senderType: "contact", clientId: "a", text: "hello" })]);
    expect(list).toHaveLength(2);
    expect(list.every((message) => !message.local)).toBe(true);
  });

  it("never shows a message twice: the ack, the live event and a resync after a reconnect", () => {
    const own = stored(2, { senderType: "contact", clientId: "a" });
    let list = mergeMessages([stored(1), pending("a")], [own]); // ack
    list = mergeMessages(list, [own]); // message.created
    list = mergeMessages(list, [stored(1), own, stored(3)]); // conversation.resync from 0
    expect(list.map((message) => message.seq)).toEqual([1, 2, 3]);
  });

  it("never moves a receipt back: a late 'delivered' leaves a message read", () => {
    const read = mergeMessages([], [stored(1, { deliveryStatus: "read" })]);
    const late = mergeMessages(read, [stored(1, { deliveryStatus: "delivered", text: "edited" })]);
    expect(late[0]).toMatchObject({ deliveryStatus: "read", text: "edited" });
    expect(
      countUnread(
        late.filter((message) => message.deliveryStatus !== "read"),
        0,
      ),
    ).toBe(0);
    // A failure is not a receipt: it always shows.
    expect(mergeMessages(read, [stored(1, { deliveryStatus: "failed" })])[0]?.deliveryStatus).toBe("failed");
  });

  it("takes the newer version of an updated message (edit, reactions, read)", () => {
    const list = mergeMessages([stored(1)], [stored(1, { text: "edited", deliveryStatus: "read" })]);
    expect(list).toMatchObject([{ text: "edited", deliveryStatus: "read" }]);
  });
});

describe("pending messages", () => {
  it("change state by clientId only", () => {
    const list = updateLocal([pending("a"), pending("b")], "b", () => ({
      status: "failed",
      error: { code: "timeout", message: "" },
    }));
    expect(list.map((message) => message.local?.status)).toEqual(["sending", "failed"]);
    expect(list[1]?.local?.error).toEqual({ code: "timeout", message: "" });
  });

  it("do not move the resync cursor", () => {
    expect(lastStoredSeq([stored(4), stored(9), pending("a")])).toBe(9);
    expect(lastStoredSeq([])).toBe(0);
  });
});

describe("countUnread", () => {
  it("counts replies from agents and bots after the seen seq", () => {
    const list = [
      stored(1),
      stored(2, { senderType: "contact" }),
      stored(3, { senderType: "bot" }),
      stored(4, { senderType: "system" }),
    ];
    expect(countUnread(list, 0)).toBe(2);
    expect(countUnread(list, 1)).toBe(1);
  });
});

describe("groupReactions", () => {
  it("groups by emoji with counts", () => {
    const reactorId = "00000000-0000-4000-8000-000000000001";
    expect(
      groupReactions([
        { emoji: "👍", reactorType: "agent", reactorId },
        { emoji: "❤️", reactorType: "contact", reactorId },
        { emoji: "👍", reactorType: "contact", reactorId },
      ]),
    ).toEqual([
      { emoji: "👍", count: 2 },
      { emoji: "❤️", count: 1 },
    ]);
  });
});
