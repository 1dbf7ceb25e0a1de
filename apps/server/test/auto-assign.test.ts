import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditLog } from "../src/modules/audit/audit.tables.ts";
import { conversations } from "../src/modules/conversations/conversations.tables.ts";
import { teamMembers, teams } from "../src/modules/teams/teams.tables.ts";
import { createWebsiteInbox } from "./conversation-helpers.ts";
import { bearer, signUp, startTestApp, startTestWorker, type TestApp } from "./helpers.ts";
import { addMember, configureInbox, conversationRow, eventually, setPresence, visitorWrites } from "./routing-helpers.ts";

describe("routing: automatic assignment and the queue", () => {
  let harness: TestApp;
  let baseUrl: string;
  let worker: Awaited<ReturnType<typeof startTestWorker>>;
  beforeAll(async () => {
    harness = await startTestApp();
    baseUrl = await harness.listen();
    worker = await startTestWorker(harness);
  });
  afterAll(async () => {
    await worker.stop();
    await harness.close();
  });

  const setUp = async (agentCount = 2) => {
    const owner = await signUp(harness.app);
    const workspaceId = owner.workspace.id;
    const agents = [];
    for (let index = 0; index < agentCount; index++) agents.push(await addMember(harness, workspaceId, "agent"));
    const inbox = await createWebsiteInbox(harness, { workspaceId, memberUserIds: agents.map((agent) => agent.userId) });
    await configureInbox(harness, inbox.id, { autoAssignment: { strategy: "round_robin" } });
    const sockets: Array<{ close: () => void }> = [];
    const write = async (text = "Hello?") => {
      const written = await visitorWrites(harness, baseUrl, inbox.websiteToken ?? "", text);
      sockets.push(written.socket);
      return written.conversationId;
    };
    const assigneeOf = async (conversationId: string) => (await conversationRow(harness, conversationId)).assigneeId;
    const close = () => {
      for (const socket of sockets) socket.close();
    };
    return { owner, workspaceId, agents, inbox, write, assigneeOf, close };
  };

  it("round robin gives new conversations to online members in turn and skips those offline, away or busy", async () => {
    const { agents, write, assigneeOf, close } = await setUp(3);
    const [ada, ben, cy] = agents;
    if (!ada || !ben || !cy) throw new Error("agents missing");
    try {
      await setPresence(harness, ada.token, { status: "online" });
      await setPresence(harness, ben.token, { status: "online" });
      await setPresence(harness, cy.token, { status: "busy" });
      const first = await assigneeOf(await write());
      const second = await assigneeOf(await write());
      const third = await assigneeOf(await write());
      expect(new Set([first, second])).toEqual(new Set([ada.userId, ben.userId]));
      expect(third).toBe(first);

      await setPresence(harness, ben.token, { status: "away" });
      expect(await assigneeOf(await write())).toBe(ada.userId);
      expect(await assigneeOf(await write())).toBe(ada.userId);
    } finally {
      close();
    }
  });

  it("writes the automatic assignment to the history", async () => {
    const { owner, agents, write, close } = await setUp(1);
    try {
      await setPresence(harness, agents[0]?.token ?? "", { status: "online" });
      const conversationId = await write();
      const history = await harness.app.inject({
        url: `/api/v1/conversations/${conversationId}/assignments`,
        headers: bearer(owner.token),
      });
      expect(history.json().items).toMatchObject([{ kind: "auto", toUserId: agents[0]?.userId, byUserId: null }]);
    } finally {
      close();
    }
  });

  it("least busy picks the agent with the fewest open conversations", async () => {
    const { inbox, agents, write, assigneeOf, close } = await setUp(2);
    const [ada, ben] = agents;
    if (!ada || !ben) throw new Error("agents missing");
    try {
      await setPresence(harness, ada.token, { status: "online" });
      const earlier = [await write(), await write()];
      expect(await assigneeOf(earlier[0] ?? "")).toBe(ada.userId);
      await configureInbox(harness, inbox.id, { autoAssignment: { strategy: "least_busy" } });
      await setPresence(harness, ben.token, { status: "online" });
      expect(await assigneeOf(earlier[1] ?? "")).toBe(ada.userId);
      // Ada holds two open conversations, Ben none: the next one is Ben's whatever the rotation says.
      const next = await assigneeOf(await write());
      expect(next).toBe(ben.userId);
    } finally {
      close();
    }
  });

  it("respects capacity, queues what nobody can take, and drains the queue when an agent comes online", async () => {
    const { inbox, agents, write, assigneeOf, close } = await setUp(2);
    const [ada, ben] = agents;
    if (!ada || !ben) throw new Error("agents missing");
    try {
      await configureInbox(harness, inbox.id, { maxConcurrentPerAgent: 1 });
      await setPresence(harness, ada.token, { status: "online" });
      const first = await write();
      const second = await write();
      const third = await write();
      expect(await assigneeOf(first)).toBe(ada.userId);
      expect(await conversationRow(harness, second)).toMatchObject({ assigneeId: null, status: "pending" });
      expect(await assigneeOf(third)).toBeNull();

      await setPresence(harness, ben.token, { status: "online" });
      expect(
        await eventually(
          () => assigneeOf(second),
          (value) => value !== null,
        ),
      ).toBe(ben.userId);
      expect(await assigneeOf(third)).toBeNull();

      // Ada resolves hers: the oldest waiting conversation moves to her.
      const resolved = await harness.app.inject({
        method: "POST",
        url: `/api/v1/conversations/${first}/status`,
        headers: bearer(ada.token),
        payload: { status: "resolved" },
      });
      expect(resolved.statusCode).toBe(200);
      expect(
        await eventually(
          () => assigneeOf(third),
          (value) => value !== null,
        ),
      ).toBe(ada.userId);
    } finally {
      close();
    }
  });

  it("applies the agent's own limit across inboxes", async () => {
    const { agents, write, assigneeOf, close } = await setUp(1);
    const [ada] = agents;
    if (!ada) throw new Error("agent missing");
    try {
      const set = await setPresence(harness, ada.token, { status: "online", maxConcurrent: 2 });
      expect(set.json()).toMatchObject({ status: "online", maxConcurrent: 2 });
      expect(await assigneeOf(await write())).toBe(ada.userId);
      expect(await assigneeOf(await write())).toBe(ada.userId);
      expect(await assigneeOf(await write())).toBeNull();
    } finally {
      close();
    }
  });

  it("never puts an agent over capacity when conversations arrive at the same moment", async () => {
    const { inbox, agents, write, close } = await setUp(1);
    const [ada] = agents;
    if (!ada) throw new Error("agent missing");
    try {
      await configureInbox(harness, inbox.id, { maxConcurrentPerAgent: 2 });
      await setPresence(harness, ada.token, { status: "online" });
      const ids = await Promise.all(Array.from({ length: 6 }, (_, index) => write(`burst ${index}`)));
      const rows = await Promise.all(ids.map((id) => conversationRow(harness, id)));
      expect(rows.filter((row) => row.assigneeId === ada.userId)).toHaveLength(2);
    } finally {
      close();
    }
  });

  it("team strategy gives conversations to online members of the team and sets the team", async () => {
    const { workspaceId, inbox, agents, write, close } = await setUp(2);
    const [ada, ben] = agents;
    if (!ada || !ben) throw new Error("agents missing");
    try {
      const [team] = await harness.database.db.insert(teams).values({ workspaceId, name: "Sales" }).returning();
      if (!team) throw new Error("team insert failed");
      await harness.database.db.insert(teamMembers).values({ teamId: team.id, userId: ben.userId, workspaceId });
      await configureInbox(harness, inbox.id, { autoAssignment: { strategy: "team", teamId: team.id } });
      await setPresence(harness, ada.token, { status: "online" });
      await setPresence(harness, ben.token, { status: "online" });
      const conversationId = await write();
      expect(await conversationRow(harness, conversationId)).toMatchObject({ assigneeId: ben.userId, teamId: team.id });
    } finally {
      close();
    }
  });

  it("skills strategy routes by the conversation's labels once an agent for them is online", async () => {
    const { inbox, agents, write, assigneeOf, close } = await setUp(2);
    const [ada, ben] = agents;
    if (!ada || !ben) throw new Error("agents missing");
    try {
      await configureInbox(harness, inbox.id, { autoAssignment: { strategy: "skills", skills: { refunds: [ben.userId] } } });
      await setPresence(harness, ada.token, { status: "online" });
      const conversationId = await write();
      expect(await assigneeOf(conversationId)).toBeNull();
      await harness.database.db
        .update(conversations)
        .set({ labels: ["refunds"] })
        .where(eq(conversations.id, conversationId));
      await setPresence(harness, ben.token, { status: "online" });
      expect(
        await eventually(
          () => assigneeOf(conversationId),
          (value) => value !== null,
        ),
      ).toBe(ben.userId);
    } finally {
      close();
    }
  });

  it("an unassigned conversation goes back to the queue, and the next agent who can take it gets it", async () => {
    const { owner, agents, write, assigneeOf, close } = await setUp(2);
    const [ada, ben] = agents;
    if (!ada || !ben) throw new Error("agents missing");
    try {
      await setPresence(harness, ada.token, { status: "online" });
      const conversationId = await write();
      expect(await assigneeOf(conversationId)).toBe(ada.userId);
      await setPresence(harness, ben.token, { status: "online" });

      const unassigned = await harness.app.inject({
        method: "POST",
        url: `/api/v1/conversations/${conversationId}/assign`,
        headers: bearer(owner.token),
        payload: { assigneeId: null, reason: "Ada is out for lunch" },
      });
      expect(unassigned.statusCode, unassigned.body).toBe(200);
      // Round robin: Ada took the last one, so Ben is next.
      expect(
        await eventually(
          () => assigneeOf(conversationId),
          (value) => value !== null,
          15_000,
        ),
      ).toBe(ben.userId);
    } finally {
      close();
    }
  });

  it("leaves conversations unassigned when the inbox does not assign automatically", async () => {
    const { inbox, agents, write, assigneeOf, close } = await setUp(1);
    try {
      await configureInbox(harness, inbox.id, { autoAssignment: { strategy: "none" } });
      await setPresence(harness, agents[0]?.token ?? "", { status: "online" });
      expect(await assigneeOf(await write())).toBeNull();
    } finally {
      close();
    }
  });

  describe("when a member leaves", () => {
    const historyOf = async (token: string, conversationId: string) =>
      (await harness.app.inject({ url: `/api/v1/conversations/${conversationId}/assignments`, headers: bearer(token) })).json()
        .items as Array<{
        kind: string;
        fromUserId: string | null;
        toUserId: string | null;
        byUserId: string | null;
        reason: string | null;
      }>;

    it("removing a member hands their unfinished conversations to the queue, where another agent gets them; finished ones keep them", async () => {
      const { owner, workspaceId, agents, write, assigneeOf, close } = await setUp(2);
      const [ada, ben] = agents;
      if (!ada || !ben) throw new Error("agents missing");
      try {
        await setPresence(harness, ada.token, { status: "online" });
        const waiting = await write("Where is my parcel?");
        const finished = await write("Thanks, all good");
        expect([await assigneeOf(waiting), await assigneeOf(finished)]).toEqual([ada.userId, ada.userId]);
        const resolved = await harness.app.inject({
          method: "POST",
          url: `/api/v1/conversations/${finished}/status`,
          headers: bearer(ada.token),
          payload: { status: "resolved" },
        });
        expect(resolved.statusCode).toBe(200);
        await setPresence(harness, ben.token, { status: "online" });

        const removed = await harness.app.inject({
          method: "DELETE",
          url: `/api/v1/members/${ada.userId}`,
          headers: bearer(owner.token),
        });
        expect(removed.statusCode).toBe(204);
        expect(
          await eventually(
            () => assigneeOf(waiting),
            (value) => value === ben.userId,
            15_000,
          ),
        ).toBe(ben.userId);
        expect(await assigneeOf(finished)).toBe(ada.userId);

        expect(await historyOf(owner.token, waiting)).toMatchObject([
          { kind: "auto", toUserId: ada.userId },
          {
            kind: "unassigned",
            fromUserId: ada.userId,
            toUserId: null,
            byUserId: owner.user.id,
            reason: "the member was removed from the workspace",
          },
          { kind: "auto", toUserId: ben.userId },
        ]);
        const timeline = await harness.app.inject({
          url: `/api/v1/conversations/${waiting}/messages`,
          headers: bearer(owner.token),
        });
        const notes = (timeline.json().items as Array<{ senderType: string; isPrivate: boolean; text: string }>).filter(
          (message) => message.senderType === "system",
        );
        expect(notes.map((note) => note.text)).toContain(
          `Unassigned from ${ada.name} by ${owner.user.name} — reason: the member was removed from the workspace`,
        );
        expect(notes.every((note) => note.isPrivate)).toBe(true);
        const audited = await harness.database.db
          .select()
          .from(auditLog)
          .where(and(eq(auditLog.workspaceId, workspaceId), eq(auditLog.action, "conversation.unassigned")));
        expect(audited).toMatchObject([{ targetId: waiting, before: { assigneeId: ada.userId }, after: { assigneeId: null } }]);
      } finally {
        close();
      }
    });

    it("deactivating a member unassigns their conversations even where nothing assigns automatically; reactivated first, they keep them", async () => {
      const { owner, workspaceId, inbox, agents, write, assigneeOf, close } = await setUp(2);
      const [ada, ben] = agents;
      if (!ada || !ben) throw new Error("agents missing");
      try {
        await configureInbox(harness, inbox.id, { autoAssignment: { strategy: "none" } });
        const snoozed = await write("Call me back tomorrow");
        const open = await write("Hello?");
        for (const [conversationId, assignee] of [
          [snoozed, ada],
          [open, ben],
        ] as const) {
          const assigned = await harness.app.inject({
            method: "POST",
            url: `/api/v1/conversations/${conversationId}/assign`,
            headers: bearer(owner.token),
            payload: { assigneeId: assignee.userId },
          });
          expect(assigned.statusCode, assigned.body).toBe(200);
        }
        const snooze = await harness.app.inject({
          method: "POST",
          url: `/api/v1/conversations/${snoozed}/snooze`,
          headers: bearer(ada.token),
          payload: { until: new Date(Date.now() + 86_400_000).toISOString() },
        });
        expect(snooze.statusCode, snooze.body).toBe(200);

        // Still an active member when the release runs (reactivated in between): nothing moves.
        // Imported here, not on top: loaded before the app, the task module would load the module list mid-cycle.
        const { releaseMemberConversations } = await import("../src/modules/routing/release-member.ts");
        const services = harness.app.parley;
        expect(
          await releaseMemberConversations(services, {
            workspaceId,
            userId: ben.userId,
            byUserId: owner.user.id,
            cause: "deactivated",
          }),
        ).toBe(0);
        expect(await assigneeOf(open)).toBe(ben.userId);

        const deactivated = await harness.app.inject({
          method: "POST",
          url: `/api/v1/members/${ada.userId}/deactivate`,
          headers: bearer(owner.token),
        });
        expect(deactivated.statusCode).toBe(200);
        expect(
          await eventually(
            () => assigneeOf(snoozed),
            (value) => value === null,
            15_000,
          ),
        ).toBeNull();
        expect(await conversationRow(harness, snoozed)).toMatchObject({ status: "snoozed" });
        expect(await assigneeOf(open)).toBe(ben.userId);
        expect((await historyOf(owner.token, snoozed)).at(-1)).toMatchObject({
          kind: "unassigned",
          reason: "the member was deactivated",
        });
        // Run again (a retried job): nothing left to release.
        expect(
          await releaseMemberConversations(services, {
            workspaceId,
            userId: ada.userId,
            byUserId: owner.user.id,
            cause: "deactivated",
          }),
        ).toBe(0);
      } finally {
        close();
      }
    });
  });
});
