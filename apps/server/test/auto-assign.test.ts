import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
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
});
