import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditLog } from "../src/modules/audit/audit.tables.ts";
import { mentions, messages } from "../src/modules/messages/messages.tables.ts";
import { collect, connectVisitor, createWebsiteInbox, emitWithAck, settle } from "./conversation-helpers.ts";
import { bearer, connectAgent, joinWorkspace, nextEvent, signUp, startTestApp, type TestApp } from "./helpers.ts";

type MessageDto = {
  id: string;
  text: string;
  content: Record<string, unknown>;
  isPrivate: boolean;
  editedAt: string | null;
  deletedAt: string | null;
  reactions: Array<{ emoji: string; reactorType: string; reactorId: string }>;
};

describe("message actions: edit, delete, reactions and @mentions", () => {
  let harness: TestApp;
  let baseUrl: string;
  beforeAll(async () => {
    harness = await startTestApp();
    baseUrl = await harness.listen();
  });
  afterAll(async () => {
    await harness.close();
  });

  /** A workspace with a website inbox, a visitor's conversation, and a second agent in the inbox. */
  const setUp = async () => {
    const owner = await signUp(harness.app);
    const colleague = await signUp(harness.app);
    const inbox = await createWebsiteInbox(harness, { workspaceId: owner.workspace.id, memberUserIds: [owner.user.id] });
    const colleagueToken = await joinWorkspace(harness, {
      userId: colleague.user.id,
      workspaceId: owner.workspace.id,
      roleKey: "agent",
    });
    await harness.database.db
      .insert((await import("../src/modules/inboxes/inboxes.tables.ts")).inboxMembers)
      .values({ inboxId: inbox.id, userId: colleague.user.id, workspaceId: owner.workspace.id });
    const visitor = await connectVisitor(harness, baseUrl, inbox.websiteToken ?? "");
    const first = await emitWithAck<{ ok: true; data: { conversationId: string; message: MessageDto } }>(
      visitor.socket,
      "message.send",
      {
        clientId: "v-1",
        text: "Where is my parcel?",
      },
    );
    const send = async (token: string, body: Record<string, unknown>) =>
      harness.app.inject({
        method: "POST",
        url: `/api/v1/conversations/${first.data.conversationId}/messages`,
        headers: bearer(token),
        payload: { clientId: `c-${Math.random()}`, ...body },
      });
    return {
      owner,
      colleague,
      colleagueToken,
      inbox,
      visitor,
      conversationId: first.data.conversationId,
      visitorMessage: first.data.message,
      send,
    };
  };

  it("edits one's own message, keeps the previous version, and tells agents and the visitor", async () => {
    const { owner, colleagueToken, visitor, send, visitorMessage } = await setUp();
    const agentSocket = await connectAgent(baseUrl, { token: owner.token });
    try {
      const reply = (await send(owner.token, { text: "It shipped on Monday" })).json() as MessageDto;
      await settle(150);
      const visitorUpdates = collect<{ message: MessageDto }>(visitor.socket, "message.updated");
      const agentUpdate = nextEvent<{ message: MessageDto }>(agentSocket, "message.updated");
      const edited = await harness.app.inject({
        method: "PATCH",
        url: `/api/v1/messages/${reply.id}`,
        headers: bearer(owner.token),
        payload: { text: "It shipped on Tuesday" },
      });
      expect(edited.statusCode).toBe(200);
      expect(edited.json()).toMatchObject({ text: "It shipped on Tuesday", editedAt: expect.any(String) });
      expect((await agentUpdate).message).toMatchObject({ id: reply.id, text: "It shipped on Tuesday" });
      await settle(150);
      expect(visitorUpdates.map((event) => event.message.text)).toEqual(["It shipped on Tuesday"]);

      await harness.app.inject({
        method: "PATCH",
        url: `/api/v1/messages/${reply.id}`,
        headers: bearer(owner.token),
        payload: { text: "Shipped Tuesday" },
      });
      const history = await harness.app.inject({ url: `/api/v1/messages/${reply.id}/edits`, headers: bearer(owner.token) });
      expect(history.json().items.map((edit: { previousText: string }) => edit.previousText)).toEqual([
        "It shipped on Tuesday",
        "It shipped on Monday",
      ]);

      // Someone else's message, the visitor's, a blank text, a stranger's workspace.
      const byColleague = await harness.app.inject({
        method: "PATCH",
        url: `/api/v1/messages/${reply.id}`,
        headers: bearer(colleagueToken),
        payload: { text: "hijack" },
      });
      expect(byColleague.statusCode).toBe(403);
      expect(byColleague.json().error).toMatchObject({ code: "forbidden", reason: "edit_own_messages_only" });
      const visitorsMessage = await harness.app.inject({
        method: "PATCH",
        url: `/api/v1/messages/${visitorMessage.id}`,
        headers: bearer(owner.token),
        payload: { text: "x" },
      });
      expect(visitorsMessage.statusCode).toBe(403);
      const blank = await harness.app.inject({
        method: "PATCH",
        url: `/api/v1/messages/${reply.id}`,
        headers: bearer(owner.token),
        payload: { text: "  " },
      });
      expect(blank.statusCode).toBe(400);
      const stranger = await signUp(harness.app);
      const crossWorkspace = await harness.app.inject({
        method: "PATCH",
        url: `/api/v1/messages/${reply.id}`,
        headers: bearer(stranger.token),
        payload: { text: "x" },
      });
      expect(crossWorkspace.statusCode).toBe(404);
      const crossHistory = await harness.app.inject({
        url: `/api/v1/messages/${reply.id}/edits`,
        headers: bearer(stranger.token),
      });
      expect(crossHistory.statusCode).toBe(404);
      const [row] = await harness.database.db.select().from(messages).where(eq(messages.id, reply.id));
      expect(row?.text).toBe("Shipped Tuesday");
    } finally {
      agentSocket.close();
      visitor.socket.close();
    }
  });

  it("deletes softly: own messages, or anyone's with conversations.manage; content hidden, row and audit kept", async () => {
    const { owner, colleague, colleagueToken, visitor, send, visitorMessage } = await setUp();
    try {
      const reply = (await send(owner.token, { text: "Secret discount code: SAVE50" })).json() as MessageDto;
      await settle(150);
      const denied = await harness.app.inject({
        method: "DELETE",
        url: `/api/v1/messages/${reply.id}`,
        headers: bearer(colleagueToken),
      });
      expect(denied.statusCode).toBe(403);
      expect(denied.json().error).toMatchObject({ code: "forbidden", reason: "delete_own_messages_only" });
      const visitorUpdates = collect<{ message: MessageDto }>(visitor.socket, "message.updated");
      const deleted = await harness.app.inject({
        method: "DELETE",
        url: `/api/v1/messages/${reply.id}`,
        headers: bearer(owner.token),
      });
      expect(deleted.statusCode).toBe(200);
      expect(deleted.json()).toMatchObject({ text: "", content: {}, deletedAt: expect.any(String) });
      await settle(150);
      expect(visitorUpdates).toHaveLength(1);
      expect(visitorUpdates[0]?.message).toMatchObject({ id: reply.id, text: "", deletedAt: expect.any(String) });
      const [row] = await harness.database.db.select().from(messages).where(eq(messages.id, reply.id));
      expect(row?.text).toBe("Secret discount code: SAVE50");
      const audit = await harness.database.db
        .select()
        .from(auditLog)
        .where(and(eq(auditLog.action, "message.deleted"), eq(auditLog.targetId, reply.id)));
      expect(audit).toHaveLength(1);
      const editDeleted = await harness.app.inject({
        method: "PATCH",
        url: `/api/v1/messages/${reply.id}`,
        headers: bearer(owner.token),
        payload: { text: "x" },
      });
      expect(editDeleted.statusCode).toBe(409);
      expect(editDeleted.json().error).toMatchObject({ code: "conflict", reason: "message_deleted" });
      const history = await harness.app.inject({ url: `/api/v1/messages/${reply.id}/edits`, headers: bearer(owner.token) });
      expect(history.json().items).toEqual([]);

      // The owner (conversations.manage) may remove the visitor's message; an agent may not.
      const agentTries = await harness.app.inject({
        method: "DELETE",
        url: `/api/v1/messages/${visitorMessage.id}`,
        headers: bearer(colleagueToken),
      });
      expect(agentTries.statusCode).toBe(403);
      const ownerRemoves = await harness.app.inject({
        method: "DELETE",
        url: `/api/v1/messages/${visitorMessage.id}`,
        headers: bearer(owner.token),
      });
      expect(ownerRemoves.statusCode).toBe(200);
      // The colleague's own note is theirs to delete.
      const note = (await send(colleagueToken, { text: "my note", isPrivate: true })).json() as MessageDto;
      const own = await harness.app.inject({
        method: "DELETE",
        url: `/api/v1/messages/${note.id}`,
        headers: bearer(colleagueToken),
      });
      expect(own.statusCode).toBe(200);
      expect(colleague.user.id).toBeTruthy();
    } finally {
      visitor.socket.close();
    }
  });

  it("adds and removes reactions from agents and visitors, never on private notes", async () => {
    const { owner, visitor, send, conversationId } = await setUp();
    const agentSocket = await connectAgent(baseUrl, { token: owner.token });
    try {
      const reply = (await send(owner.token, { text: "Done!" })).json() as MessageDto;
      const note = (await send(owner.token, { text: "internal", isPrivate: true })).json() as MessageDto;
      await settle(150);
      const url = `/api/v1/messages/${reply.id}/reactions/${encodeURIComponent("👍")}`;
      const added = await harness.app.inject({ method: "PUT", url, headers: bearer(owner.token) });
      expect(added.statusCode).toBe(200);
      const again = await harness.app.inject({ method: "PUT", url, headers: bearer(owner.token) });
      expect(again.json().reactions).toEqual([{ emoji: "👍", reactorType: "agent", reactorId: owner.user.id }]);
      const notEmoji = await harness.app.inject({
        method: "PUT",
        url: `/api/v1/messages/${reply.id}/reactions/abc`,
        headers: bearer(owner.token),
      });
      expect(notEmoji.statusCode).toBe(400);
      const tooLong = await harness.app.inject({
        method: "PUT",
        url: `/api/v1/messages/${reply.id}/reactions/${encodeURIComponent("👍".repeat(17))}`,
        headers: bearer(owner.token),
      });
      expect(tooLong.statusCode).toBe(400);

      await settle(150);
      const agentSaw = collect<{ message: MessageDto }>(agentSocket, "message.updated");
      const visitorReacts = await emitWithAck<{ ok: true; data: MessageDto }>(visitor.socket, "message.react", {
        messageId: reply.id,
        emoji: "❤️",
      });
      expect(visitorReacts.ok).toBe(true);
      await settle(150);
      expect(agentSaw).toHaveLength(1);
      expect(agentSaw[0]?.message.reactions.map((reaction) => [reaction.emoji, reaction.reactorType])).toEqual([
        ["👍", "agent"],
        ["❤️", "contact"],
      ]);
      const onNote = await emitWithAck(visitor.socket, "message.react", { messageId: note.id, emoji: "❤️" });
      expect(onNote).toMatchObject({ ok: false, error: { code: "not_found" } });
      const malformed = await emitWithAck(visitor.socket, "message.react", { messageId: reply.id, emoji: "hello" });
      expect(malformed).toMatchObject({ ok: false, error: { code: "validation_failed" } });

      // Another visitor cannot react in this conversation.
      const other = await setUp();
      const foreign = await emitWithAck(other.visitor.socket, "message.react", { messageId: reply.id, emoji: "😀" });
      expect(foreign).toMatchObject({ ok: false, error: { code: "not_found" } });
      other.visitor.socket.close();

      const removed = await emitWithAck<{ ok: true; data: MessageDto }>(visitor.socket, "message.react", {
        messageId: reply.id,
        emoji: "❤️",
        remove: true,
      });
      expect(removed.data.reactions.map((reaction) => reaction.emoji)).toEqual(["👍"]);
      const taken = await harness.app.inject({ method: "DELETE", url, headers: bearer(owner.token) });
      expect(taken.json().reactions).toEqual([]);
      expect(conversationId).toBeTruthy();
    } finally {
      agentSocket.close();
      visitor.socket.close();
    }
  });

  it("records @mentions in private notes, lists them for the mentioned agent and marks them read", async () => {
    const { owner, colleague, colleagueToken, visitor, send, inbox } = await setUp();
    const colleagueSocket = await connectAgent(baseUrl, { token: colleagueToken });
    try {
      const notified = nextEvent<{ message: MessageDto }>(colleagueSocket, "message.created");
      const note = await send(owner.token, {
        text: "@colleague can you check?",
        isPrivate: true,
        content: { mentions: [colleague.user.id] },
      });
      expect(note.statusCode).toBe(201);
      expect((await notified).message).toMatchObject({ id: note.json().id, content: { mentions: [colleague.user.id] } });

      const unread = await harness.app.inject({ url: "/api/v1/mentions?unread=true", headers: bearer(colleagueToken) });
      expect(unread.statusCode).toBe(200);
      expect(unread.json().items).toHaveLength(1);
      const mention = unread.json().items[0];
      expect(mention).toMatchObject({
        messageId: note.json().id,
        authorId: owner.user.id,
        readAt: null,
        text: "@colleague can you check?",
      });
      const ownersList = await harness.app.inject({ url: "/api/v1/mentions", headers: bearer(owner.token) });
      expect(ownersList.json().items).toEqual([]);
      const notTheirs = await harness.app.inject({
        method: "POST",
        url: `/api/v1/mentions/${mention.id}/read`,
        headers: bearer(owner.token),
      });
      expect(notTheirs.statusCode).toBe(404);
      const read = await harness.app.inject({
        method: "POST",
        url: `/api/v1/mentions/${mention.id}/read`,
        headers: bearer(colleagueToken),
      });
      expect(read.statusCode).toBe(204);
      expect(
        (await harness.app.inject({ url: "/api/v1/mentions?unread=true", headers: bearer(colleagueToken) })).json().items,
      ).toEqual([]);
      expect(
        (await harness.app.inject({ url: "/api/v1/mentions", headers: bearer(colleagueToken) })).json().items[0].readAt,
      ).toEqual(expect.any(String));

      // Public replies ignore mentions.
      await send(owner.token, { text: "public", content: { mentions: [colleague.user.id] } });
      expect(await harness.database.db.select().from(mentions).where(eq(mentions.userId, colleague.user.id))).toHaveLength(1);

      // Someone who cannot see the conversation, or is not a member at all, cannot be mentioned.
      const outsider = await signUp(harness.app);
      await joinWorkspace(harness, { userId: outsider.user.id, workspaceId: owner.workspace.id, roleKey: "agent" });
      const hidden = await send(owner.token, { text: "psst", isPrivate: true, content: { mentions: [outsider.user.id] } });
      expect(hidden.statusCode).toBe(400);
      const stranger = await signUp(harness.app);
      const notMember = await send(owner.token, { text: "psst", isPrivate: true, content: { mentions: [stranger.user.id] } });
      expect(notMember.statusCode).toBe(400);
      const garbage = await send(owner.token, { text: "psst", isPrivate: true, content: { mentions: "everyone" } });
      expect(garbage.statusCode).toBe(400);
      const stored = await harness.database.db.select().from(messages).where(eq(messages.text, "psst"));
      expect(stored).toEqual([]);
      expect(inbox.id).toBeTruthy();
    } finally {
      colleagueSocket.close();
      visitor.socket.close();
    }
  });
});
