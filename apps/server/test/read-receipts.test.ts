import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { conversations } from "../src/modules/conversations/conversations.tables.ts";
import { messages } from "../src/modules/messages/messages.tables.ts";
import { collect, connectVisitor, createWebsiteInbox, emitWithAck, settle } from "./conversation-helpers.ts";
import { bearer, connectAgent, signUp, startTestApp, type TestApp } from "./helpers.ts";

type MessageDto = { id: string; seq: number; deliveryStatus: string; isPrivate: boolean };

describe("visitor delivery and read receipts", () => {
  let harness: TestApp;
  let baseUrl: string;
  beforeAll(async () => {
    harness = await startTestApp();
    baseUrl = await harness.listen();
  });
  afterAll(async () => {
    await harness.close();
  });

  const setUp = async () => {
    const owner = await signUp(harness.app);
    const inbox = await createWebsiteInbox(harness, { workspaceId: owner.workspace.id });
    const visitor = await connectVisitor(harness, baseUrl, inbox.websiteToken ?? "");
    const first = await emitWithAck<{ ok: true; data: { conversationId: string } }>(visitor.socket, "message.send", {
      clientId: "v-1",
      text: "Hello",
    });
    const conversationId = first.data.conversationId;
    const reply = async (text: string, isPrivate = false) =>
      (
        await harness.app.inject({
          method: "POST",
          url: `/api/v1/conversations/${conversationId}/messages`,
          headers: bearer(owner.token),
          payload: { clientId: `a-${text}`, text, isPrivate },
        })
      ).json() as MessageDto;
    const statuses = async () =>
      Object.fromEntries(
        (await harness.database.db.select().from(messages).where(eq(messages.conversationId, conversationId))).map((row) => [
          row.id,
          row.deliveryStatus,
        ]),
      );
    const conversation = async () =>
      (await harness.database.db.select().from(conversations).where(eq(conversations.id, conversationId)))[0];
    return { owner, inbox, visitor, conversationId, reply, statuses, conversation };
  };

  it("moves replies from sent to delivered to read, tells agents, and recomputes the contact's unread count", async () => {
    const { owner, visitor, conversationId, reply, statuses, conversation } = await setUp();
    const agentSocket = await connectAgent(baseUrl, { token: owner.token });
    try {
      const one = await reply("one");
      const note = await reply("note", true);
      const two = await reply("two");
      const three = await reply("three");
      expect((await conversation())?.unreadByContactCount).toBe(3);
      await settle(150);
      const updates = collect<{ message: MessageDto }>(agentSocket, "message.updated");

      const delivered = await emitWithAck(visitor.socket, "message.delivered", { conversationId, upToSeq: three.seq });
      expect(delivered).toMatchObject({ ok: true, data: { delivered: 3 } });
      await settle(150);
      expect(updates.map((event) => [event.message.id, event.message.deliveryStatus])).toEqual([
        [one.id, "delivered"],
        [two.id, "delivered"],
        [three.id, "delivered"],
      ]);

      updates.length = 0;
      const read = await emitWithAck(visitor.socket, "messages.read", { conversationId, upToSeq: two.seq });
      expect(read).toMatchObject({ ok: true, data: { lastReadSeq: two.seq, unreadCount: 1 } });
      await settle(150);
      expect(updates.map((event) => [event.message.id, event.message.deliveryStatus])).toEqual([
        [one.id, "read"],
        [two.id, "read"],
      ]);
      expect(await statuses()).toMatchObject({ [one.id]: "read", [two.id]: "read", [three.id]: "delivered", [note.id]: "sent" });
      expect(await conversation()).toMatchObject({ contactLastReadSeq: two.seq, unreadByContactCount: 1 });

      // A delivered after read does not go back, and an older read mark changes nothing.
      updates.length = 0;
      const lateDelivery = await emitWithAck(visitor.socket, "message.delivered", { conversationId, upToSeq: three.seq });
      expect(lateDelivery).toMatchObject({ ok: true, data: { delivered: 0 } });
      const olderRead = await emitWithAck(visitor.socket, "messages.read", { conversationId, upToSeq: one.seq });
      expect(olderRead).toMatchObject({ ok: true, data: { lastReadSeq: two.seq } });
      await settle(150);
      expect(updates).toEqual([]);
      expect(await statuses()).toMatchObject({ [one.id]: "read", [two.id]: "read" });
      expect((await conversation())?.contactLastReadSeq).toBe(two.seq);

      // Reading past the end stops at the last message.
      const all = await emitWithAck(visitor.socket, "messages.read", { conversationId, upToSeq: Number.MAX_SAFE_INTEGER });
      expect(all).toMatchObject({ ok: true, data: { lastReadSeq: three.seq, unreadCount: 0 } });
      expect(await statuses()).toMatchObject({ [three.id]: "read", [note.id]: "sent" });
    } finally {
      agentSocket.close();
      visitor.socket.close();
    }
  });

  it("tells the visitor their messages were read when an agent reads the conversation", async () => {
    const { owner, visitor, conversationId } = await setUp();
    try {
      const second = await emitWithAck<{ ok: true; data: { message: MessageDto } }>(visitor.socket, "message.send", {
        clientId: "v-2",
        text: "Anyone there?",
      });
      const updates = collect<{ message: MessageDto }>(visitor.socket, "message.updated");
      const read = await harness.app.inject({
        method: "POST",
        url: `/api/v1/conversations/${conversationId}/read`,
        headers: bearer(owner.token),
      });
      expect(read.statusCode).toBe(200);
      await settle(300);
      const readIds = updates.filter((update) => update.message.deliveryStatus === "read").map((update) => update.message.id);
      expect(readIds).toContain(second.data.message.id);
      expect(readIds).toHaveLength(2);
      // Reading again changes nothing and sends nothing.
      const before = updates.length;
      await harness.app.inject({
        method: "POST",
        url: `/api/v1/conversations/${conversationId}/read`,
        headers: bearer(owner.token),
      });
      await settle(200);
      expect(updates.length).toBe(before);
    } finally {
      visitor.socket.close();
    }
  });

  it("keeps the read mark monotonic under concurrent receipts", async () => {
    const { visitor, conversationId, reply, conversation } = await setUp();
    try {
      const sent = [];
      for (const text of ["a", "b", "c", "d", "e"]) sent.push(await reply(text));
      const seqs = sent.map((message) => message.seq);
      await Promise.all(
        [...seqs].reverse().map((seq) => emitWithAck(visitor.socket, "messages.read", { conversationId, upToSeq: seq })),
      );
      expect(await conversation()).toMatchObject({ contactLastReadSeq: seqs.at(-1), unreadByContactCount: 0 });
    } finally {
      visitor.socket.close();
    }
  });

  it("refuses receipts for someone else's conversation and malformed payloads", async () => {
    const mine = await setUp();
    const theirs = await setUp();
    try {
      const foreign = await emitWithAck(theirs.visitor.socket, "messages.read", {
        conversationId: mine.conversationId,
        upToSeq: 100,
      });
      expect(foreign).toMatchObject({ ok: false, error: { code: "not_found" } });
      const foreignDelivery = await emitWithAck(theirs.visitor.socket, "message.delivered", {
        conversationId: mine.conversationId,
        upToSeq: 100,
      });
      expect(foreignDelivery).toMatchObject({ ok: false, error: { code: "not_found" } });
      for (const payload of [
        null,
        "x",
        { conversationId: mine.conversationId },
        { conversationId: mine.conversationId, upToSeq: -1 },
      ]) {
        const answer = await emitWithAck(mine.visitor.socket, "messages.read", payload);
        expect(answer).toMatchObject({ ok: false, error: { code: "validation_failed" } });
      }
      expect((await mine.conversation())?.contactLastReadSeq).toBe(0);
    } finally {
      mine.visitor.socket.close();
      theirs.visitor.socket.close();
    }
  });
});
