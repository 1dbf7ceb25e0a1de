import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inboxMembers } from "../src/modules/inboxes/inboxes.tables.ts";
import { collect, connectVisitor, createWebsiteInbox, emitWithAck, settle } from "./conversation-helpers.ts";
import { connectAgent, joinWorkspace, signUp, startTestApp, type TestApp } from "./helpers.ts";

type AgentTyping = { conversationId: string; actor: { type: string; id: string; name: string | null }; isTyping: boolean };

describe("typing indicators and sneak peek", () => {
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
    const owner = await signUp(harness.app, { name: "Olivia Owner" });
    const colleague = await signUp(harness.app);
    const outsider = await signUp(harness.app);
    const inbox = await createWebsiteInbox(harness, { workspaceId: owner.workspace.id });
    const colleagueToken = await joinWorkspace(harness, {
      userId: colleague.user.id,
      workspaceId: owner.workspace.id,
      roleKey: "agent",
    });
    await harness.database.db
      .insert(inboxMembers)
      .values({ inboxId: inbox.id, userId: colleague.user.id, workspaceId: owner.workspace.id });
    // An agent of the workspace who does not work this inbox.
    const outsiderToken = await joinWorkspace(harness, {
      userId: outsider.user.id,
      workspaceId: owner.workspace.id,
      roleKey: "agent",
    });
    const visitor = await connectVisitor(harness, baseUrl, inbox.websiteToken ?? "");
    const first = await emitWithAck<{ ok: true; data: { conversationId: string } }>(visitor.socket, "message.send", {
      clientId: "v-1",
      text: "Hi",
    });
    const sockets = {
      owner: await connectAgent(baseUrl, { token: owner.token }),
      colleague: await connectAgent(baseUrl, { token: colleagueToken }),
      outsider: await connectAgent(baseUrl, { token: outsiderToken }),
    };
    const close = () => {
      for (const socket of Object.values(sockets)) socket.close();
      visitor.socket.close();
    };
    return { owner, colleague, visitor, sockets, conversationId: first.data.conversationId, close };
  };

  it("sends an agent's typing to the visitor and the conversation's other agents, never back to the sender", async () => {
    const { owner, visitor, sockets, conversationId, close } = await setUp();
    try {
      const toVisitor = collect<{ conversationId: string; agentName: string | null; isTyping: boolean }>(
        visitor.socket,
        "typing",
      );
      const toOwner = collect<AgentTyping>(sockets.owner, "typing");
      const toColleague = collect<AgentTyping>(sockets.colleague, "typing");
      const toOutsider = collect<AgentTyping>(sockets.outsider, "typing");
      const ack = await emitWithAck(sockets.owner, "typing", { conversationId, isTyping: true });
      expect(ack).toMatchObject({ ok: true });
      await settle(200);
      expect(toVisitor).toEqual([{ conversationId, agentName: "Olivia Owner", isTyping: true }]);
      expect(toColleague).toEqual([
        { conversationId, actor: { type: "agent", id: owner.user.id, name: "Olivia Owner" }, isTyping: true },
      ]);
      expect(toOwner).toEqual([]);
      expect(toOutsider).toEqual([]);

      // Writing a private note: agents only.
      await emitWithAck(sockets.owner, "typing", { conversationId, isTyping: true, isPrivate: true });
      await settle(200);
      expect(toVisitor).toHaveLength(1);
      expect(toColleague).toHaveLength(2);

      const hidden = await emitWithAck(sockets.outsider, "typing", { conversationId, isTyping: true });
      expect(hidden).toMatchObject({ ok: false, error: { code: "not_found" } });
      const stranger = await signUp(harness.app);
      const strangerSocket = await connectAgent(baseUrl, { token: stranger.token });
      const crossWorkspace = await emitWithAck(strangerSocket, "typing", { conversationId, isTyping: true });
      expect(crossWorkspace).toMatchObject({ ok: false, error: { code: "not_found" } });
      strangerSocket.close();
      const malformed = await emitWithAck(sockets.owner, "typing", { conversationId, isTyping: "yes" });
      expect(malformed).toMatchObject({ ok: false, error: { code: "validation_failed" } });
    } finally {
      close();
    }
  });

  it("sends the visitor's typing and sneak peek to the conversation's agents only, throttled", async () => {
    const { visitor, sockets, conversationId, close } = await setUp();
    try {
      const typing = collect<AgentTyping>(sockets.colleague, "typing");
      const peeks = collect<{ conversationId: string; text: string }>(sockets.owner, "sneak_peek");
      const outsiderPeeks = collect(sockets.outsider, "sneak_peek");
      const visitorPeeks = collect(visitor.socket, "sneak_peek");
      expect(await emitWithAck(visitor.socket, "typing", { isTyping: true })).toMatchObject({
        ok: true,
        data: { conversationId },
      });
      expect(await emitWithAck(visitor.socket, "sneak_peek", { text: "my order num" })).toMatchObject({ ok: true });
      expect(await emitWithAck(visitor.socket, "sneak_peek", { conversationId, text: "my order number is" })).toMatchObject({
        ok: true,
      });
      const third = await emitWithAck(visitor.socket, "sneak_peek", { text: "my order number is 42" });
      expect(third).toMatchObject({ ok: false, error: { code: "rate_limited" } });
      await settle(200);
      expect(typing).toEqual([
        { conversationId, actor: { type: "contact", id: expect.any(String), name: null }, isTyping: true },
      ]);
      expect(peeks.map((peek) => peek.text)).toEqual(["my order num", "my order number is"]);
      expect(peeks[0]?.conversationId).toBe(conversationId);
      expect(outsiderPeeks).toEqual([]);
      expect(visitorPeeks).toEqual([]);

      await settle(1_000);
      const tooLong = await emitWithAck(visitor.socket, "sneak_peek", { text: "x".repeat(501) });
      expect(tooLong).toMatchObject({ ok: false, error: { code: "validation_failed" } });
      const foreign = await emitWithAck(visitor.socket, "typing", {
        conversationId: "00000000-0000-4000-8000-000000000000",
        isTyping: true,
      });
      expect(foreign).toMatchObject({ ok: false, error: { code: "not_found" } });
    } finally {
      close();
    }
  });
});
