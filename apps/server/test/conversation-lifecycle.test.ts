import { and, eq, inArray } from "drizzle-orm";
import type { Socket } from "socket.io-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditLog } from "../src/modules/audit/audit.tables.ts";
import { conversations } from "../src/modules/conversations/conversations.tables.ts";
import { autoCloseTask, wakeSnoozedTask } from "../src/modules/conversations/conversations.tasks.ts";
import { inboxMembers } from "../src/modules/inboxes/inboxes.tables.ts";
import { messages } from "../src/modules/messages/messages.tables.ts";
import { enqueueJob } from "../src/platform/queue/enqueue.ts";
import { collect, connectVisitor, createWebsiteInbox, emitWithAck, settle } from "./conversation-helpers.ts";
import { createInbox, createLabels, seedContactMessage, seedConversation } from "./conversation-list-helpers.ts";
import {
  bearer,
  connectAgent,
  joinWorkspace,
  nextEvent,
  signUp,
  startTestApp,
  startTestWorker,
  type TestApp,
} from "./helpers.ts";

type Conversation = {
  id: string;
  status: string;
  priority: string;
  labels: string[];
  snoozedUntil: string | null;
  isArchived: boolean;
  unreadCount: number;
};
type Message = { senderType: string; contentType: string; text: string; content: Record<string, unknown> };

describe("conversation lifecycle", () => {
  let harness: TestApp;
  let baseUrl: string;
  beforeAll(async () => {
    harness = await startTestApp();
    baseUrl = await harness.listen();
  });
  afterAll(async () => {
    await harness.close();
  });

  const statusesOf = async (ids: string[]) => {
    const rows = await harness.database.db
      .select({ id: conversations.id, status: conversations.status })
      .from(conversations)
      .where(inArray(conversations.id, ids));
    return ids.map((id) => rows.find((row) => row.id === id)?.status);
  };

  const setUp = async () => {
    const owner = await signUp(harness.app, { name: "Ada" });
    const workspaceId = owner.workspace.id;
    const inbox = await createWebsiteInbox(harness, { workspaceId });
    const conversation = await seedConversation(harness, { workspaceId, inboxId: inbox.id, status: "open" });
    const socket = await connectAgent(baseUrl, { token: owner.token });
    return { owner, workspaceId, inbox, conversation, socket };
  };

  const call = (token: string, method: "POST" | "PATCH", url: string, payload?: object) =>
    harness.app.inject({ method, url: `/api/v1/conversations/${url}`, headers: bearer(token), ...(payload ? { payload } : {}) });

  /** The change's response, the socket's conversation.updated, and the timeline's system message. */
  const expectChange = async (
    socket: Socket,
    request: () => ReturnType<typeof call>,
    expected: { conversation: Partial<Conversation>; text: string; content: Record<string, unknown> },
  ) => {
    const updated = nextEvent<{ conversation: Conversation }>(socket, "conversation.updated");
    const created = nextEvent<{ message: Message }>(socket, "message.created");
    const response = await request();
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()).toMatchObject(expected.conversation);
    expect((await updated).conversation).toMatchObject(expected.conversation);
    const { message } = await created;
    expect(message).toMatchObject({ senderType: "system", contentType: "system", text: expected.text });
    expect(message.content).toMatchObject(expected.content);
  };

  it("resolves, closes, reopens and sets pending with a system message, a socket event and an audit entry each", async () => {
    const { owner, conversation, socket } = await setUp();
    try {
      const by = { type: "user", id: owner.user.id, name: "Ada" };
      await expectChange(socket, () => call(owner.token, "POST", `${conversation.id}/status`, { status: "resolved" }), {
        conversation: { status: "resolved" },
        text: "Resolved by Ada",
        content: { event: "status_changed", from: "open", to: "resolved", by },
      });
      await expectChange(socket, () => call(owner.token, "POST", `${conversation.id}/status`, { status: "closed" }), {
        conversation: { status: "closed" },
        text: "Closed by Ada",
        content: { event: "status_changed", from: "resolved", to: "closed" },
      });
      await expectChange(socket, () => call(owner.token, "POST", `${conversation.id}/status`, { status: "open" }), {
        conversation: { status: "open" },
        text: "Reopened by Ada",
        content: { from: "closed", to: "open" },
      });
      await expectChange(socket, () => call(owner.token, "POST", `${conversation.id}/status`, { status: "pending" }), {
        conversation: { status: "pending" },
        text: "Marked pending by Ada",
        content: { from: "open", to: "pending" },
      });
      // The same status again changes nothing and writes nothing.
      const again = await call(owner.token, "POST", `${conversation.id}/status`, { status: "pending" });
      expect(again.statusCode).toBe(200);
      const timeline = await harness.database.db.select().from(messages).where(eq(messages.conversationId, conversation.id));
      expect(timeline.map((message) => message.text)).toEqual([
        "Resolved by Ada",
        "Closed by Ada",
        "Reopened by Ada",
        "Marked pending by Ada",
      ]);
      const entries = await harness.database.db
        .select()
        .from(auditLog)
        .where(and(eq(auditLog.targetId, conversation.id), eq(auditLog.action, "conversation.status_changed")));
      expect(entries).toHaveLength(4);
      expect(entries[0]).toMatchObject({ actorId: owner.user.id, before: { status: "open" }, after: { status: "resolved" } });

      const invalid = await call(owner.token, "POST", `${conversation.id}/status`, { status: "snoozed" });
      expect(invalid.statusCode).toBe(400);
    } finally {
      socket.close();
    }
  });

  it("serialises concurrent changes: five simultaneous resolves write one system message", async () => {
    const { owner, conversation, socket } = await setUp();
    socket.close();
    const responses = await Promise.all(
      Array.from({ length: 5 }, () => call(owner.token, "POST", `${conversation.id}/status`, { status: "resolved" })),
    );
    expect(responses.map((response) => response.statusCode)).toEqual([200, 200, 200, 200, 200]);
    const notes = await harness.database.db.select().from(messages).where(eq(messages.conversationId, conversation.id));
    expect(notes.map((note) => note.text)).toEqual(["Resolved by Ada"]);
  });

  it("snoozes until a time or until the contact replies, and refuses a past time", async () => {
    const { owner, conversation, socket } = await setUp();
    try {
      const until = new Date(Date.now() + 3_600_000).toISOString();
      await expectChange(socket, () => call(owner.token, "POST", `${conversation.id}/snooze`, { until }), {
        conversation: { status: "snoozed", snoozedUntil: until },
        text: `Snoozed until ${until} by Ada`,
        content: { event: "status_changed", from: "open", to: "snoozed", until },
      });
      await expectChange(socket, () => call(owner.token, "POST", `${conversation.id}/snooze`, { until: null }), {
        conversation: { status: "snoozed", snoozedUntil: null },
        text: "Snoozed until the contact replies by Ada",
        content: { until: null },
      });
      const past = await call(owner.token, "POST", `${conversation.id}/snooze`, { until: "2020-01-01T00:00:00Z" });
      expect(past.statusCode).toBe(400);
      const notADate = await call(owner.token, "POST", `${conversation.id}/snooze`, { until: "tomorrow" });
      expect(notADate.statusCode).toBe(400);
    } finally {
      socket.close();
    }
  });

  it("changes priority and labels from the catalogue, and names unknown labels", async () => {
    const { owner, workspaceId, conversation, socket } = await setUp();
    await createLabels(harness, workspaceId, ["VIP", "billing"]);
    try {
      await expectChange(socket, () => call(owner.token, "PATCH", conversation.id, { priority: "urgent" }), {
        conversation: { priority: "urgent" },
        text: "Priority set to urgent by Ada",
        content: { event: "priority_changed", from: "medium", to: "urgent" },
      });
      await expectChange(socket, () => call(owner.token, "PATCH", conversation.id, { labels: ["vip", "billing"] }), {
        conversation: { labels: ["VIP", "billing"] },
        text: "Labels added VIP, billing by Ada",
        content: { event: "labels_changed", added: ["VIP", "billing"], removed: [] },
      });
      const unknown = await call(owner.token, "PATCH", conversation.id, { labels: ["VIP", "nope", "ghost"] });
      expect(unknown.statusCode).toBe(400);
      expect(unknown.json().error.message).toContain("nope, ghost");
      const empty = await call(owner.token, "PATCH", conversation.id, {});
      expect(empty.statusCode).toBe(400);
      const extra = await call(owner.token, "PATCH", conversation.id, { status: "open" });
      expect(extra.statusCode).toBe(400);
    } finally {
      socket.close();
    }
  });

  it("archives and unarchives, and marks read and unread for the caller only", async () => {
    const { owner, workspaceId, conversation, socket } = await setUp();
    try {
      await expectChange(socket, () => call(owner.token, "POST", `${conversation.id}/archive`), {
        conversation: { isArchived: true },
        text: "Archived by Ada",
        content: { event: "archived" },
      });
      const listed = await harness.app.inject({ url: "/api/v1/conversations", headers: bearer(owner.token) });
      expect(listed.json().items).toEqual([]);
      await expectChange(socket, () => call(owner.token, "POST", `${conversation.id}/unarchive`), {
        conversation: { isArchived: false },
        text: "Unarchived by Ada",
        content: { event: "unarchived" },
      });

      await seedContactMessage(harness, conversation, "first");
      await seedContactMessage(harness, conversation, "second");
      const colleague = await signUp(harness.app);
      const colleagueToken = await joinWorkspace(harness, { userId: colleague.user.id, workspaceId, roleKey: "admin" });
      const read = await call(owner.token, "POST", `${conversation.id}/read`);
      expect(read.json()).toMatchObject({ unreadCount: 0 });
      const unread = await call(owner.token, "POST", `${conversation.id}/unread`);
      expect(unread.json().unreadCount).toBeGreaterThan(0);
      const unreadList = await harness.app.inject({ url: "/api/v1/conversations?unread=true", headers: bearer(owner.token) });
      expect(unreadList.json().items.map((item: { id: string }) => item.id)).toEqual([conversation.id]);
      // The colleague never opened it: unread for them regardless; reading it does not touch the owner's mark.
      await call(colleagueToken, "POST", `${conversation.id}/read`);
      const ownerView = await harness.app.inject({
        url: `/api/v1/conversations/${conversation.id}`,
        headers: bearer(owner.token),
      });
      expect(ownerView.json().unreadCount).toBeGreaterThan(0);
      // Read and unread are personal: no system message.
      const systemMessages = await harness.database.db
        .select()
        .from(messages)
        .where(and(eq(messages.conversationId, conversation.id), eq(messages.senderType, "system")));
      expect(systemMessages).toHaveLength(2);
    } finally {
      socket.close();
    }
  });

  it("lets an agent change only conversations assigned to them, and hides others' conversations", async () => {
    const { owner, workspaceId, inbox, conversation } = await setUp();
    const agent = await signUp(harness.app, { name: "Bo" });
    const agentToken = await joinWorkspace(harness, { userId: agent.user.id, workspaceId, roleKey: "agent" });
    await harness.database.db.insert(inboxMembers).values({ inboxId: inbox.id, userId: agent.user.id, workspaceId });

    const notTheirs = await call(agentToken, "POST", `${conversation.id}/status`, { status: "resolved" });
    expect(notTheirs.statusCode).toBe(403);
    expect((await call(agentToken, "PATCH", conversation.id, { priority: "high" })).statusCode).toBe(403);
    expect((await call(agentToken, "POST", `${conversation.id}/archive`)).statusCode).toBe(403);
    // Reading is personal and allowed on any conversation they can see.
    expect((await call(agentToken, "POST", `${conversation.id}/read`)).statusCode).toBe(200);

    const assigned = await seedConversation(harness, { workspaceId, inboxId: inbox.id, assigneeId: agent.user.id });
    const own = await call(agentToken, "POST", `${assigned.id}/status`, { status: "resolved" });
    expect(own.statusCode).toBe(200);
    expect(own.json().status).toBe("resolved");

    const otherInbox = await createWebsiteInbox(harness, { workspaceId });
    const hidden = await seedConversation(harness, { workspaceId, inboxId: otherInbox.id });
    expect((await call(agentToken, "POST", `${hidden.id}/status`, { status: "resolved" })).statusCode).toBe(404);
    expect((await call(agentToken, "POST", `${hidden.id}/read`)).statusCode).toBe(404);

    const stranger = await signUp(harness.app);
    const strangersCall = await call(stranger.token, "POST", `${conversation.id}/status`, { status: "resolved" });
    expect(strangersCall.statusCode).toBe(404);
    expect((await call(owner.token, "POST", "not-an-id/status", { status: "resolved" })).statusCode).toBe(400);
  });

  it("notes in the timeline when a contact's message reopens a resolved conversation", async () => {
    const owner = await signUp(harness.app, { name: "Ada" });
    const inbox = await createWebsiteInbox(harness, { workspaceId: owner.workspace.id });
    const socket = await connectAgent(baseUrl, { token: owner.token });
    const visitor = await connectVisitor(harness, baseUrl, inbox.websiteToken ?? "");
    try {
      const first = await emitWithAck<{ ok: true; data: { conversationId: string } }>(visitor.socket, "message.send", {
        clientId: "v-1",
        text: "Hi",
      });
      const { conversationId } = first.data;
      expect((await call(owner.token, "POST", `${conversationId}/status`, { status: "resolved" })).statusCode).toBe(200);
      await emitWithAck(visitor.socket, "message.send", { clientId: "v-2", text: "One more thing" });
      // The agent socket saw every message so far, in order; the note arrives last.
      const texts: string[] = [];
      while (texts.length < 4) texts.push((await nextEvent<{ message: Message }>(socket, "message.created")).message.text);
      expect(texts).toEqual(["Hi", "Resolved by Ada", "One more thing", "Reopened by a new message from the contact"]);
      const conversation = await harness.app.inject({
        url: `/api/v1/conversations/${conversationId}`,
        headers: bearer(owner.token),
      });
      expect(conversation.json().status).toBe("pending");
      const timeline = await harness.database.db
        .select({ text: messages.text, senderType: messages.senderType })
        .from(messages)
        .where(eq(messages.conversationId, conversationId))
        .orderBy(messages.seq);
      expect(timeline).toEqual([
        { text: "Hi", senderType: "contact" },
        { text: "Resolved by Ada", senderType: "system" },
        { text: "One more thing", senderType: "contact" },
        { text: "Reopened by a new message from the contact", senderType: "system" },
      ]);
    } finally {
      socket.close();
      visitor.socket.close();
    }
  });

  it("tells the visitor each status change, and nothing when a message leaves the status as it was", async () => {
    const owner = await signUp(harness.app, { name: "Ada" });
    const inbox = await createWebsiteInbox(harness, { workspaceId: owner.workspace.id, memberUserIds: [owner.user.id] });
    const visitor = await connectVisitor(harness, baseUrl, inbox.websiteToken ?? "");
    const statuses = collect<{ conversationId: string; status: string }>(visitor.socket, "conversation.updated");
    const replies = collect<{ message: Message }>(visitor.socket, "message.created");
    const reply = (conversationId: string, clientId: string) =>
      harness.app.inject({
        method: "POST",
        url: `/api/v1/conversations/${conversationId}/messages`,
        headers: bearer(owner.token),
        payload: { clientId, text: `reply ${clientId}` },
      });
    try {
      const first = await emitWithAck<{ ok: true; data: { conversationId: string } }>(visitor.socket, "message.send", {
        clientId: "v-1",
        text: "Hi",
      });
      const { conversationId } = first.data;
      expect((await reply(conversationId, "a-1")).statusCode).toBe(201);
      expect((await reply(conversationId, "a-2")).statusCode).toBe(201);
      await emitWithAck(visitor.socket, "message.send", { clientId: "v-2", text: "Thanks" });
      expect((await call(owner.token, "POST", `${conversationId}/status`, { status: "resolved" })).statusCode).toBe(200);
      await emitWithAck(visitor.socket, "message.send", { clientId: "v-3", text: "One more thing" });
      await settle(300);

      const now = await harness.app.inject({ url: `/api/v1/conversations/${conversationId}`, headers: bearer(owner.token) });
      // Created waiting, opened by the first reply, resolved, reopened: the second reply and the
      // visitor's "Thanks" changed nothing a visitor sees, so they sent no status.
      expect(statuses).toEqual([
        { conversationId, status: "pending" },
        { conversationId, status: "open" },
        { conversationId, status: "resolved" },
        { conversationId, status: now.json().status },
      ]);
      expect(now.json().status).not.toBe("resolved");
      expect(replies.map(({ message }) => message.text)).toEqual(
        expect.arrayContaining(["reply a-1", "reply a-2", "Thanks", "One more thing"]),
      );
    } finally {
      visitor.socket.close();
    }
  });

  it("wakes snoozed conversations whose time has passed (the task run directly)", async () => {
    const { workspaceId, inbox, socket } = await setUp();
    try {
      const due = await seedConversation(harness, {
        workspaceId,
        inboxId: inbox.id,
        status: "snoozed",
        snoozedUntil: new Date(Date.now() - 60_000),
      });
      const later = await seedConversation(harness, {
        workspaceId,
        inboxId: inbox.id,
        status: "snoozed",
        snoozedUntil: new Date(Date.now() + 3_600_000),
      });
      const untilReply = await seedConversation(harness, {
        workspaceId,
        inboxId: inbox.id,
        status: "snoozed",
        snoozedUntil: null,
      });
      const updated = nextEvent<{ conversation: Conversation }>(socket, "conversation.updated");
      const note = nextEvent<{ message: Message }>(socket, "message.created");
      await wakeSnoozedTask.run(
        {},
        { ...harness.app.parley, attempt: 1, maxAttempts: 1, abortSignal: new AbortController().signal },
      );
      expect((await updated).conversation).toMatchObject({ id: due.id, status: "open", snoozedUntil: null });
      expect((await note).message).toMatchObject({ senderType: "system", text: "Snooze ended" });
      const statuses = await statusesOf([due.id, later.id, untilReply.id]);
      expect(statuses).toEqual(["open", "snoozed", "snoozed"]);
    } finally {
      socket.close();
    }
  });

  it("auto-closes idle open and pending conversations of inboxes that ask for it (through the worker)", async () => {
    const owner = await signUp(harness.app);
    const workspaceId = owner.workspace.id;
    const closing = await createInbox(harness, { workspaceId, type: "website", autoCloseMinutes: 30 });
    const keeping = await createInbox(harness, { workspaceId, type: "website" });
    const seed = (inboxId: string, status: "open" | "pending" | "snoozed" | "resolved", idleMinutes: number) =>
      seedConversation(harness, { workspaceId, inboxId, status, lastActivityAt: new Date(Date.now() - idleMinutes * 60_000) });
    const idleOpen = await seed(closing.id, "open", 31);
    const idlePending = await seed(closing.id, "pending", 45);
    const recent = await seed(closing.id, "open", 10);
    const snoozed = await seed(closing.id, "snoozed", 120);
    const resolved = await seed(closing.id, "resolved", 120);
    const otherInbox = await seed(keeping.id, "open", 3_000);
    const socket = await connectAgent(baseUrl, { token: owner.token });
    const worker = await startTestWorker(harness);
    try {
      const updates = collect<{ conversation: Conversation }>(socket, "conversation.updated");
      await enqueueJob(harness.database.db, autoCloseTask, {});
      for (let attempt = 0; attempt < 50; attempt++) {
        if ((await statusesOf([idleOpen.id, idlePending.id])).every((status) => status === "closed")) break;
        await settle(100);
      }
      expect(await statusesOf([idleOpen.id, idlePending.id, recent.id, snoozed.id, resolved.id, otherInbox.id])).toEqual([
        "closed",
        "closed",
        "open",
        "snoozed",
        "resolved",
        "open",
      ]);
      const notes = await harness.database.db
        .select({ text: messages.text })
        .from(messages)
        .where(and(eq(messages.workspaceId, workspaceId), eq(messages.senderType, "system")));
      expect(notes.map((note) => note.text)).toEqual([
        "Closed after 30 minutes without activity",
        "Closed after 30 minutes without activity",
      ]);
      await settle(200);
      expect(new Set(updates.map((update) => update.conversation.id))).toEqual(new Set([idleOpen.id, idlePending.id]));
    } finally {
      await worker.stop();
      socket.close();
    }
  });
});
