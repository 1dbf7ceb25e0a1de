import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditLog } from "../src/modules/audit/audit.tables.ts";
import { teams } from "../src/modules/teams/teams.tables.ts";
import { collect, connectVisitor, createWebsiteInbox, emitWithAck } from "./conversation-helpers.ts";
import { bearer, connectAgent, createApiKey, signUp, startTestApp, type TestApp } from "./helpers.ts";
import { addMember, conversationRow, eventually } from "./routing-helpers.ts";

type Message = { text: string; isPrivate: boolean; contentType: string; senderType: string; content: Record<string, unknown> };

describe("routing: manual assignment, transfer and claim", () => {
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
    const owner = await signUp(harness.app, { name: "Bob" });
    const workspaceId = owner.workspace.id;
    const ada = await addMember(harness, workspaceId, "agent", "Ada");
    const cy = await addMember(harness, workspaceId, "agent", "Cy");
    const outsider = await addMember(harness, workspaceId, "agent", "Outsider");
    const inbox = await createWebsiteInbox(harness, { workspaceId, memberUserIds: [ada.userId, cy.userId] });
    const visitor = await connectVisitor(harness, baseUrl, inbox.websiteToken ?? "");
    const sent = await emitWithAck<{ ok: true; data: { conversationId: string } }>(visitor.socket, "message.send", {
      clientId: "v-1",
      text: "Help please",
    });
    visitor.socket.close();
    return { owner, workspaceId, ada, cy, outsider, inbox, conversationId: sent.data.conversationId };
  };

  const assign = (token: string, conversationId: string, payload: Record<string, unknown>) =>
    harness.app.inject({
      method: "POST",
      url: `/api/v1/conversations/${conversationId}/assign`,
      headers: bearer(token),
      payload,
    });

  it("assigns, transfers with a reason and unassigns, keeping history, system notes, events and audit", async () => {
    const { owner, ada, cy, conversationId } = await setUp();
    const agentSocket = await connectAgent(baseUrl, { token: owner.token });
    try {
      const updates = collect<{ conversation: { id: string; assigneeId: string | null } }>(agentSocket, "conversation.updated");
      const first = await assign(owner.token, conversationId, { assigneeId: ada.userId, reason: "speaks Spanish" });
      expect(first.statusCode).toBe(200);
      expect(first.json()).toMatchObject({ id: conversationId, assigneeId: ada.userId });
      const seen = await eventually(
        async () => updates.map((update) => update.conversation),
        (list) => list.some((conversation) => conversation.assigneeId === ada.userId),
      );
      expect(seen).toContainEqual(expect.objectContaining({ id: conversationId, assigneeId: ada.userId }));

      const transfer = await assign(owner.token, conversationId, { assigneeId: cy.userId, reason: "Ada is off today" });
      expect(transfer.json().assigneeId).toBe(cy.userId);
      const cleared = await assign(owner.token, conversationId, { assigneeId: null });
      expect(cleared.json().assigneeId).toBeNull();
      expect((await conversationRow(harness, conversationId)).assigneeId).toBeNull();

      const history = await harness.app.inject({
        url: `/api/v1/conversations/${conversationId}/assignments`,
        headers: bearer(owner.token),
      });
      expect(history.statusCode).toBe(200);
      expect(history.json().items).toMatchObject([
        { kind: "manual", fromUserId: null, toUserId: ada.userId, reason: "speaks Spanish", byUserId: owner.user.id },
        { kind: "transfer", fromUserId: ada.userId, toUserId: cy.userId, reason: "Ada is off today" },
        { kind: "unassigned", fromUserId: cy.userId, toUserId: null, reason: null },
      ]);

      const messages = await harness.app.inject({
        url: `/api/v1/conversations/${conversationId}/messages`,
        headers: bearer(owner.token),
      });
      const notes = (messages.json().items as Message[]).filter((message) => message.contentType === "system");
      expect(notes.map((note) => note.text)).toEqual([
        "Assigned to Ada by Bob — reason: speaks Spanish",
        "Transferred from Ada to Cy by Bob — reason: Ada is off today",
        "Unassigned from Cy by Bob",
      ]);
      expect(notes.every((note) => note.isPrivate && note.content.event === "assigned")).toBe(true);

      const audits = await harness.database.db
        .select({ action: auditLog.action })
        .from(auditLog)
        .where(and(eq(auditLog.targetId, conversationId)));
      expect(audits.map((row) => row.action).sort()).toEqual(
        ["conversation.assigned", "conversation.transferred", "conversation.unassigned"].sort(),
      );
    } finally {
      agentSocket.close();
    }
  });

  it("hands a conversation to a team of the workspace and refuses ineligible assignees and foreign teams", async () => {
    const { owner, workspaceId, outsider, conversationId } = await setUp();
    const [team] = await harness.database.db.insert(teams).values({ workspaceId, name: "Billing" }).returning();
    const toTeam = await assign(owner.token, conversationId, { teamId: team?.id, reason: "invoice question" });
    expect(toTeam.statusCode).toBe(200);
    expect(toTeam.json()).toMatchObject({ teamId: team?.id, assigneeId: null });

    const notMember = await assign(owner.token, conversationId, { assigneeId: outsider.userId });
    expect(notMember.statusCode).toBe(400);
    expect(notMember.json().error.code).toBe("validation_failed");

    const stranger = await signUp(harness.app);
    const foreignUser = await assign(owner.token, conversationId, { assigneeId: stranger.user.id });
    expect(foreignUser.statusCode).toBe(400);
    const [foreignTeam] = await harness.database.db
      .insert(teams)
      .values({ workspaceId: stranger.workspace.id, name: "Theirs" })
      .returning();
    const foreign = await assign(owner.token, conversationId, { teamId: foreignTeam?.id });
    expect(foreign.statusCode).toBe(400);

    const empty = await assign(owner.token, conversationId, {});
    expect(empty.statusCode).toBe(400);
    const extra = await assign(owner.token, conversationId, { assigneeId: null, priority: "high" });
    expect(extra.statusCode).toBe(400);
  });

  it("lets only members with conversations.assign assign, and hides other workspaces' conversations", async () => {
    const { ada, cy, conversationId } = await setUp();
    const denied = await assign(ada.token, conversationId, { assigneeId: cy.userId });
    expect(denied.statusCode).toBe(403);

    const stranger = await signUp(harness.app);
    const crossAssign = await assign(stranger.token, conversationId, { assigneeId: null });
    expect(crossAssign.statusCode).toBe(404);
    const crossClaim = await harness.app.inject({
      method: "POST",
      url: `/api/v1/conversations/${conversationId}/claim`,
      headers: bearer(stranger.token),
    });
    expect(crossClaim.statusCode).toBe(404);
    const crossHistory = await harness.app.inject({
      url: `/api/v1/conversations/${conversationId}/assignments`,
      headers: bearer(stranger.token),
    });
    expect(crossHistory.statusCode).toBe(404);
    const badId = await assign(stranger.token, "not-a-uuid", { assigneeId: null });
    expect(badId.statusCode).toBe(400);
  });

  it("lets exactly one of two agents claiming at the same moment win; the other gets 409", async () => {
    const { owner, ada, cy, outsider, conversationId } = await setUp();
    const claim = (token: string) =>
      harness.app.inject({ method: "POST", url: `/api/v1/conversations/${conversationId}/claim`, headers: bearer(token) });

    const hidden = await claim(outsider.token);
    expect(hidden.statusCode).toBe(404);

    const [first, second] = await Promise.all([claim(ada.token), claim(cy.token)]);
    const statuses = [first.statusCode, second.statusCode].sort();
    expect(statuses).toEqual([200, 409]);
    const loser = first.statusCode === 409 ? first : second;
    expect(loser.json().error.code).toBe("conflict");
    const winner = first.statusCode === 200 ? ada : cy;
    expect((await conversationRow(harness, conversationId)).assigneeId).toBe(winner.userId);

    const history = await harness.app.inject({
      url: `/api/v1/conversations/${conversationId}/assignments`,
      headers: bearer(owner.token),
    });
    expect(history.json().items).toMatchObject([{ kind: "claim", toUserId: winner.userId, byUserId: winner.userId }]);

    const late = await claim(owner.token);
    expect(late.statusCode).toBe(409);
  });

  it("gives an unassigned conversation to the member who replies, once, and not for notes or API keys", async () => {
    const { owner, workspaceId, ada, cy, conversationId } = await setUp();
    const send = (token: string, payload: Record<string, unknown>) =>
      harness.app.inject({
        method: "POST",
        url: `/api/v1/conversations/${conversationId}/messages`,
        headers: bearer(token),
        payload,
      });
    // A private note is for colleagues: nobody takes the conversation by writing one.
    expect((await send(ada.token, { clientId: "note-1", text: "Looking into it", isPrivate: true })).statusCode).toBe(201);
    expect((await conversationRow(harness, conversationId)).assigneeId).toBeNull();
    // A key's messages are a bot's, not a person taking the conversation.
    const key = await createApiKey(harness.app, owner.token, ["conversations.view_all"], "bot");
    expect((await send(key, { clientId: "bot-1", text: "A person will be with you shortly" })).statusCode).toBe(201);
    expect((await conversationRow(harness, conversationId)).assigneeId).toBeNull();

    const agentSocket = await connectAgent(baseUrl, { token: owner.token });
    try {
      const assigned = collect<{ conversationId: string; assigneeId: string | null }>(agentSocket, "conversation.assigned");
      expect((await send(ada.token, { clientId: "reply-1", text: "Happy to help!" })).statusCode).toBe(201);
      expect((await conversationRow(harness, conversationId)).assigneeId).toBe(ada.userId);
      await eventually(
        async () => assigned,
        (events) => events.some((event) => event.conversationId === conversationId && event.assigneeId === ada.userId),
      );
    } finally {
      agentSocket.close();
    }
    // Someone has it now: Cy's reply (and Ada's repeated send) changes nothing.
    expect((await send(cy.token, { clientId: "reply-2", text: "Adding a detail" })).statusCode).toBe(201);
    expect((await send(ada.token, { clientId: "reply-1", text: "Happy to help!" })).statusCode).toBe(200);
    expect((await conversationRow(harness, conversationId)).assigneeId).toBe(ada.userId);

    const history = await harness.app.inject({
      url: `/api/v1/conversations/${conversationId}/assignments`,
      headers: bearer(owner.token),
    });
    expect(history.json().items).toMatchObject([{ kind: "reply", toUserId: ada.userId, byUserId: ada.userId }]);
    const timeline = await harness.app.inject({
      url: `/api/v1/conversations/${conversationId}/messages`,
      headers: bearer(owner.token),
    });
    const lines = (timeline.json().items as Message[]).filter((message) => message.senderType === "system");
    expect(lines.map((line) => line.text)).toContain("Ada took the conversation by replying");
    const [audited] = await harness.database.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.workspaceId, workspaceId), eq(auditLog.action, "conversation.claimed")));
    expect(audited).toMatchObject({ targetId: conversationId, after: { assigneeId: ada.userId, by: "reply" } });
  });
});
