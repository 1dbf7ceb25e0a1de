import pg from "pg";
import type { Socket } from "socket.io-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { collect, connectVisitor, createWebsiteInbox, emitWithAck, settle } from "./conversation-helpers.ts";
import { bearer, connectAgent, signUp, startTestApp, type TestApp } from "./helpers.ts";

type MessageDto = { id: string; seq: number; text: string; conversationId: string; senderId: string };
type SendAck = { ok: true; data: { message: MessageDto; conversationId: string; isDuplicate: boolean } };
type Refusal = { ok: false; error: { code: string } };

/** Counts every statement any pooled or transaction client sends while `work` runs. */
const countStatements = async <T>(work: () => Promise<T>): Promise<{ result: T; statements: number }> => {
  const prototype = pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
  const original = prototype.query;
  let statements = 0;
  prototype.query = function counting(this: unknown, ...args: unknown[]) {
    statements += 1;
    return original.apply(this, args);
  };
  try {
    return { result: await work(), statements };
  } finally {
    prototype.query = original;
  }
};

describe("visitor messages written in groups", () => {
  let harness: TestApp;
  let baseUrl: string;
  beforeAll(async () => {
    harness = await startTestApp();
    baseUrl = await harness.listen();
  });
  afterAll(async () => {
    await harness.close();
  });

  const openVisitors = async (count: number) => {
    const owner = await signUp(harness.app);
    const inbox = await createWebsiteInbox(harness, { workspaceId: owner.workspace.id, memberUserIds: [owner.user.id] });
    const visitors: Array<{ socket: Socket; conversationId: string }> = [];
    for (let index = 0; index < count; index++) {
      const { socket } = await connectVisitor(harness, baseUrl, inbox.websiteToken ?? "");
      const first = await emitWithAck<SendAck>(socket, "message.send", { clientId: `open-${index}`, text: "hello" });
      visitors.push({ socket, conversationId: first.data.conversationId });
    }
    return { owner, inbox, visitors };
  };

  it("stores many simultaneous messages in a few statements, each acked, counted and delivered once, in order", async () => {
    const { owner, visitors } = await openVisitors(40);
    const agentSocket = await connectAgent(baseUrl, { token: owner.token });
    const delivered = collect<{ message: MessageDto }>(agentSocket, "message.created");
    try {
      const { result: acks, statements } = await countStatements(() =>
        Promise.all(
          visitors.flatMap(({ socket }, index) => [
            emitWithAck<SendAck>(socket, "message.send", { clientId: `a-${index}`, text: `first ${index}` }),
            emitWithAck<SendAck>(socket, "message.send", { clientId: `b-${index}`, text: `second ${index}` }),
          ]),
        ),
      );
      expect(acks.every((ack) => ack.ok && !ack.data.isDuplicate)).toBe(true);
      // One at a time this is 80 transactions of over ten statements each; grouped, about fifteen per group.
      expect(statements).toBeLessThan(200);

      await settle(300);
      expect(delivered.map(({ message }) => message.text).sort()).toEqual(
        visitors.flatMap((_, index) => [`first ${index}`, `second ${index}`]).sort(),
      );
      for (const [index, { conversationId }] of visitors.entries()) {
        const history = await harness.app.inject({
          url: `/api/v1/conversations/${conversationId}/messages`,
          headers: bearer(owner.token),
        });
        const items: MessageDto[] = history.json().items;
        expect(items.map((message) => message.text)).toEqual(["hello", `first ${index}`, `second ${index}`]);
        expect(items.map((message) => message.seq)).toEqual([...items.map((message) => message.seq)].sort((a, b) => a - b));
      }
      const conversation = await harness.app.inject({
        url: `/api/v1/conversations/${visitors[0]?.conversationId}`,
        headers: bearer(owner.token),
      });
      expect(conversation.json()).toMatchObject({ unreadCount: 3, lastMessage: { text: "second 0" } });
    } finally {
      agentSocket.close();
      for (const { socket } of visitors) socket.close();
    }
  });

  it("sends agents each grouped conversation exactly as it is stored, though it is built without reading it back", async () => {
    const { owner, visitors } = await openVisitors(3);
    const agentSocket = await connectAgent(baseUrl, { token: owner.token });
    const updates = collect<{ conversation: Record<string, unknown> & { id: string } }>(agentSocket, "conversation.updated");
    // Over 280 characters, with emoji: the preview is cut by characters, as PostgreSQL cuts it.
    const long = `${"🙂".repeat(150)}${"x".repeat(200)}`;
    try {
      await Promise.all(
        visitors.map(({ socket }, index) =>
          emitWithAck<SendAck>(socket, "message.send", { clientId: `dto-${index}`, text: index === 0 ? long : `short ${index}` }),
        ),
      );
      await settle(200);
      for (const { conversationId } of visitors) {
        const sent = updates.filter((update) => update.conversation.id === conversationId).at(-1)?.conversation;
        const stored = await harness.app.inject({ url: `/api/v1/conversations/${conversationId}`, headers: bearer(owner.token) });
        expect(sent).toBeDefined();
        expect(sent).toEqual(stored.json());
      }
      const first = updates.filter((update) => update.conversation.id === visitors[0]?.conversationId).at(-1);
      expect(first?.conversation.lastMessage).toMatchObject({ text: Array.from(long).slice(0, 280).join("") });
    } finally {
      agentSocket.close();
      for (const { socket } of visitors) socket.close();
    }
  });

  it("returns the stored message for a clientId sent twice in the same group, and counts it once", async () => {
    const { owner, visitors } = await openVisitors(1);
    const [visitor] = visitors;
    if (!visitor) throw new Error("no visitor");
    try {
      const [first, second, third] = await Promise.all([
        emitWithAck<SendAck>(visitor.socket, "message.send", { clientId: "twice", text: "same" }),
        emitWithAck<SendAck>(visitor.socket, "message.send", { clientId: "twice", text: "same" }),
        emitWithAck<SendAck>(visitor.socket, "message.send", { clientId: "after", text: "next" }),
      ]);
      expect(second.data.message.id).toBe(first.data.message.id);
      expect([first.data.isDuplicate, second.data.isDuplicate].sort()).toEqual([false, true]);
      const conversation = await harness.app.inject({
        url: `/api/v1/conversations/${visitor.conversationId}`,
        headers: bearer(owner.token),
      });
      // "hello", "same" and "next": the duplicate changed nothing, and the last seq is the last message's.
      expect(conversation.json()).toMatchObject({
        unreadCount: 3,
        lastMessageSeq: third.data.message.seq,
        lastMessage: { text: "next" },
      });
    } finally {
      visitor.socket.close();
    }
  });

  it("refuses a blocked contact's message without holding back the others of its group", async () => {
    const { visitors } = await openVisitors(3);
    const [blocked, ...others] = visitors;
    if (!blocked) throw new Error("no visitor");
    try {
      const { rows } = await harness.database.pool.query<{ contact_id: string }>(
        "select contact_id from conversations where id = $1",
        [blocked.conversationId],
      );
      await harness.database.pool.query("update contacts set blocked_at = now() where id = $1", [rows[0]?.contact_id]);
      const [refused, ...accepted] = await Promise.all([
        emitWithAck<Refusal>(blocked.socket, "message.send", { clientId: "blocked", text: "let me in" }),
        ...others.map(({ socket }, index) =>
          emitWithAck<SendAck>(socket, "message.send", { clientId: `ok-${index}`, text: "fine" }),
        ),
      ]);
      expect(refused).toMatchObject({ ok: false, error: { code: "forbidden" } });
      expect(accepted.map((ack) => ack.ok)).toEqual([true, true]);
      const stored = await harness.database.pool.query("select 1 from messages where client_id = 'blocked'");
      expect(stored.rowCount).toBe(0);
    } finally {
      for (const { socket } of visitors) socket.close();
    }
  });

  it("keeps one conversation and the order when a new visitor's messages arrive together", async () => {
    const owner = await signUp(harness.app);
    const inbox = await createWebsiteInbox(harness, { workspaceId: owner.workspace.id });
    const { socket } = await connectVisitor(harness, baseUrl, inbox.websiteToken ?? "");
    try {
      const acks = await Promise.all(
        ["one", "two", "three", "four"].map((text) => emitWithAck<SendAck>(socket, "message.send", { clientId: text, text })),
      );
      expect(new Set(acks.map((ack) => ack.data.conversationId)).size).toBe(1);
      expect(acks.map((ack) => ack.data.message.seq)).toEqual([...acks.map((ack) => ack.data.message.seq)].sort((a, b) => a - b));
      const history = await harness.app.inject({
        url: `/api/v1/conversations/${acks[0]?.data.conversationId}/messages`,
        headers: bearer(owner.token),
      });
      expect(history.json().items.map((message: MessageDto) => message.text)).toEqual(["one", "two", "three", "four"]);
    } finally {
      socket.close();
    }
  });

  it("finds each visitor's conversation from the (contact, inbox, created) index, never by scanning the inbox", async () => {
    const { visitors } = await openVisitors(2);
    const prototype = pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
    const original = prototype.query;
    const locks: Array<{ text: string; values: unknown[] }> = [];
    prototype.query = function capturing(this: unknown, ...args: unknown[]) {
      const [config, values] = args as [{ name?: string; text?: string } | string, unknown[] | undefined];
      if (typeof config === "object" && config.name === "visitor_conversations_for_update" && config.text) {
        locks.push({ text: config.text, values: values ?? [] });
      }
      return original.apply(this, args);
    };
    try {
      await Promise.all(
        visitors.map(({ socket }, index) =>
          emitWithAck<SendAck>(socket, "message.send", { clientId: `plan-${index}`, text: "hi" }),
        ),
      );
    } finally {
      prototype.query = original;
      for (const { socket } of visitors) socket.close();
    }
    const [lock] = locks;
    expect(lock, "the group's lock statement").toBeDefined();
    if (!lock) return;

    // With scans and sorts priced out, the plan shows whether the index answers the lookup by itself.
    const client = await harness.database.pool.connect();
    try {
      await client.query("begin");
      await client.query("set local enable_seqscan = off");
      await client.query("set local enable_sort = off");
      const explained = await client.query<{ "QUERY PLAN": unknown }>(`explain (format json) ${lock.text}`, lock.values);
      const plan = JSON.stringify(explained.rows[0]?.["QUERY PLAN"]);
      expect(plan).toContain('"Index Name":"conversations_contact_inbox_idx"');
      // Newest first, straight from the index: the lookup stops at the first conversation not closed.
      expect(plan).toContain('"Scan Direction":"Backward"');
    } finally {
      await client.query("rollback");
      client.release();
    }
  });

  it("keeps storing messages after a migration adds a column to messages while the server runs", async () => {
    const { visitors } = await openVisitors(1);
    const [visitor] = visitors;
    if (!visitor) throw new Error("no visitor");
    try {
      // The pool hands back its most recently used connection: the one that prepared the insert.
      for (let index = 0; index < 3; index++) {
        const ack = await emitWithAck<SendAck>(visitor.socket, "message.send", { clientId: `before-${index}`, text: "before" });
        expect(ack.ok).toBe(true);
      }
      // What a rolling deploy's migration does while this server still runs the previous code.
      await harness.database.pool.query("alter table messages add column added_by_a_later_release text");
      await settle(1_100); // a fresh second of the socket's rate limit
      for (let index = 0; index < 3; index++) {
        const ack = await emitWithAck<SendAck | Refusal>(visitor.socket, "message.send", {
          clientId: `after-${index}`,
          text: "after",
        });
        expect(ack, JSON.stringify(ack)).toMatchObject({ ok: true, data: { message: { text: "after" } } });
      }
    } finally {
      visitor.socket.close();
    }
  });
});
