import { MAX_SAVED_VIEWS_PER_OWNER } from "@parley/shared";
import { and, asc, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditLog } from "../src/modules/audit/audit.tables.ts";
import { savedViews } from "../src/modules/saved-views/saved-views.tables.ts";
import { createWebsiteInbox } from "./conversation-helpers.ts";
import { countQueries, seedConversation } from "./conversation-list-helpers.ts";
import { bearer, joinWorkspace, signUp, startTestApp, type TestApp } from "./helpers.ts";

type View = {
  id: string;
  name: string;
  filter: Record<string, unknown>;
  sort: string;
  shared: boolean;
  position: number;
  ownerId: string;
  ownerName: string | null;
  mine: boolean;
};

describe("saved views", () => {
  let harness: TestApp;
  beforeAll(async () => {
    harness = await startTestApp();
  });
  afterAll(async () => {
    await harness.close();
  });

  const api = (token: string, method: "GET" | "POST" | "PATCH" | "DELETE", url: string, payload?: object) =>
    harness.app.inject({ method, url: `/api/v1${url}`, headers: bearer(token), ...(payload === undefined ? {} : { payload }) });
  const listViews = async (token: string): Promise<View[]> => {
    const response = await api(token, "GET", "/saved-views");
    expect(response.statusCode, response.body).toBe(200);
    return response.json().items;
  };
  const counts = async (token: string): Promise<Record<string, number>> => {
    const response = await api(token, "GET", "/saved-views/counts");
    expect(response.statusCode, response.body).toBe(200);
    return response.json();
  };

  /** A workspace owner plus an agent (no view_all, no views.manage_shared) in it. */
  const workspaceWithAgent = async () => {
    const owner = await signUp(harness.app, { name: "Olive Owner" });
    const agent = await signUp(harness.app);
    const agentToken = await joinWorkspace(harness, { userId: agent.user.id, workspaceId: owner.workspace.id, roleKey: "agent" });
    return { owner, agent, agentToken };
  };

  it("creates, lists, updates and deletes a private view, and audits each change", async () => {
    const { owner } = await workspaceWithAgent();
    const created = await api(owner.token, "POST", "/saved-views", {
      name: "  Urgent open  ",
      filter: { status: ["open", "pending"], priority: ["urgent"], unread: true },
      sort: "priority",
    });
    expect(created.statusCode, created.body).toBe(201);
    const view: View = created.json();
    expect(view).toMatchObject({
      name: "Urgent open",
      filter: { status: ["open", "pending"], priority: ["urgent"], unread: true },
      sort: "priority",
      shared: false,
      position: 0,
      ownerId: owner.user.id,
      ownerName: "Olive Owner",
      mine: true,
    });
    const second = (await api(owner.token, "POST", "/saved-views", { name: "All mine", filter: { view: "mine" } })).json();
    expect(second).toMatchObject({ sort: "latest", position: 1 });
    expect((await listViews(owner.token)).map((item) => item.name)).toEqual(["Urgent open", "All mine"]);

    const renamed = await api(owner.token, "PATCH", `/saved-views/${view.id}`, {
      name: "Urgent",
      filter: { priority: ["urgent", "high"] },
      position: 5,
    });
    expect(renamed.statusCode, renamed.body).toBe(200);
    expect(renamed.json()).toMatchObject({ name: "Urgent", filter: { priority: ["urgent", "high"] }, position: 5 });
    expect((await listViews(owner.token)).map((item) => item.name)).toEqual(["All mine", "Urgent"]);

    const removed = await api(owner.token, "DELETE", `/saved-views/${view.id}`);
    expect(removed.statusCode).toBe(204);
    expect((await listViews(owner.token)).map((item) => item.name)).toEqual(["All mine"]);
    expect((await api(owner.token, "DELETE", `/saved-views/${view.id}`)).statusCode).toBe(404);

    const audited = await harness.database.db
      .select({ action: auditLog.action, before: auditLog.before, after: auditLog.after })
      .from(auditLog)
      .where(and(eq(auditLog.targetId, view.id), eq(auditLog.targetType, "saved_view")))
      .orderBy(asc(auditLog.createdAt));
    expect(audited.map((entry) => entry.action)).toEqual(["saved_view.created", "saved_view.updated", "saved_view.deleted"]);
    expect(audited[1]).toMatchObject({ before: { name: "Urgent open", position: 0 }, after: { name: "Urgent", position: 5 } });
  });

  it("keeps private views to their owner and lets only views.manage_shared change shared ones", async () => {
    const { owner, agent, agentToken } = await workspaceWithAgent();
    const secret = (await api(owner.token, "POST", "/saved-views", { name: "Owner only", filter: {} })).json();
    const shared = (await api(owner.token, "POST", "/saved-views", { name: "Team queue", filter: {}, shared: true })).json();
    expect(shared).toMatchObject({ shared: true });

    // The agent sees the shared view, not the private one, and cannot touch either.
    const seen = await listViews(agentToken);
    expect(seen.map((item) => [item.name, item.mine, item.ownerName])).toEqual([["Team queue", false, "Olive Owner"]]);
    expect((await api(agentToken, "PATCH", `/saved-views/${secret.id}`, { name: "Mine now" })).statusCode).toBe(404);
    expect((await api(agentToken, "DELETE", `/saved-views/${secret.id}`)).statusCode).toBe(404);
    const editShared = await api(agentToken, "PATCH", `/saved-views/${shared.id}`, { name: "Hijacked" });
    expect(editShared.statusCode).toBe(403);
    expect(editShared.json().error).toMatchObject({ code: "forbidden", details: { permission: "views.manage_shared" } });
    expect((await api(agentToken, "DELETE", `/saved-views/${shared.id}`)).json().error.code).toBe("forbidden");

    // Without the permission the agent can neither create a shared view nor share a private one.
    const createShared = await api(agentToken, "POST", "/saved-views", { name: "Mine shared", filter: {}, shared: true });
    expect(createShared.statusCode).toBe(403);
    expect(createShared.json().error.code).toBe("forbidden");
    const own = (await api(agentToken, "POST", "/saved-views", { name: "Owner only", filter: {} })).json();
    expect(own).toMatchObject({ mine: true, ownerId: agent.user.id, shared: false });
    expect((await api(agentToken, "PATCH", `/saved-views/${own.id}`, { shared: true })).statusCode).toBe(403);
    expect((await api(agentToken, "PATCH", `/saved-views/${own.id}`, { name: "My queue" })).statusCode).toBe(200);

    // The owner (views.manage_shared) renames and unshares; unshared, it leaves the agent's list.
    expect((await api(owner.token, "PATCH", `/saved-views/${shared.id}`, { name: "Queue" })).statusCode).toBe(200);
    expect((await listViews(agentToken)).map((item) => item.name)).toEqual(["My queue", "Queue"]);
    expect((await api(owner.token, "PATCH", `/saved-views/${shared.id}`, { shared: false })).statusCode).toBe(200);
    expect((await listViews(agentToken)).map((item) => item.name)).toEqual(["My queue"]);
    // The owner never sees the agent's private view.
    expect((await listViews(owner.token)).map((item) => item.name)).toEqual(["Owner only", "Queue"]);
  });

  it("validates names and filters with stable codes", async () => {
    const { owner, agentToken } = await workspaceWithAgent();
    const badKey = await api(owner.token, "POST", "/saved-views", { name: "Bad", filter: { colour: "red" } });
    expect(badKey.statusCode).toBe(400);
    expect(badKey.json().error.code).toBe("validation_failed");
    expect(JSON.stringify(badKey.json().error.details)).toContain("filter");
    const badValue = await api(owner.token, "POST", "/saved-views", { name: "Bad", filter: { priority: ["extreme"] } });
    expect(badValue.json().error.code).toBe("validation_failed");
    const empty = await api(owner.token, "POST", "/saved-views", { name: "   ", filter: {} });
    expect(empty.statusCode).toBe(400);
    expect(empty.json().error).toMatchObject({ code: "validation_failed" });
    expect(JSON.stringify(empty.json().error.details)).toContain("name");
    const tooLong = await api(owner.token, "POST", "/saved-views", { name: "x".repeat(61), filter: {} });
    expect(tooLong.json().error.code).toBe("validation_failed");
    const badSort = await api(owner.token, "POST", "/saved-views", { name: "Sorted", filter: {}, sort: "random" });
    expect(badSort.json().error.code).toBe("validation_failed");

    const first = (await api(owner.token, "POST", "/saved-views", { name: "Waiting", filter: {} })).json();
    const duplicate = await api(owner.token, "POST", "/saved-views", { name: "WAITING", filter: {} });
    expect(duplicate.statusCode).toBe(409);
    expect(duplicate.json().error).toMatchObject({ code: "view_name_taken", details: [{ path: "body.name" }] });
    const other = (await api(owner.token, "POST", "/saved-views", { name: "Other", filter: {} })).json();
    const renameClash = await api(owner.token, "PATCH", `/saved-views/${other.id}`, { name: "waiting" });
    expect(renameClash.statusCode).toBe(409);
    expect(renameClash.json().error.code).toBe("view_name_taken");
    // Names are unique per owner: another member may use the same one.
    expect((await api(agentToken, "POST", "/saved-views", { name: "Waiting", filter: {} })).statusCode).toBe(201);

    expect((await api(owner.token, "PATCH", `/saved-views/${first.id}`, {})).json().error.code).toBe("validation_failed");
    expect((await api(owner.token, "PATCH", `/saved-views/${first.id}`, { filter: { bogus: 1 } })).statusCode).toBe(400);
    expect((await api(owner.token, "PATCH", "/saved-views/not-a-uuid", { name: "x" })).json().error.code).toBe(
      "validation_failed",
    );
  });

  it(`refuses a member's view number ${MAX_SAVED_VIEWS_PER_OWNER + 1}`, async () => {
    const owner = await signUp(harness.app);
    await harness.database.db.insert(savedViews).values(
      Array.from({ length: MAX_SAVED_VIEWS_PER_OWNER }, (_, index) => ({
        workspaceId: owner.workspace.id,
        ownerId: owner.user.id,
        name: `View ${index}`,
        filter: {},
      })),
    );
    const refused = await api(owner.token, "POST", "/saved-views", { name: "One too many", filter: {} });
    expect(refused.statusCode).toBe(422);
    expect(refused.json().error.code).toBe("view_limit_reached");
  });

  it("answers 404 for another workspace's view, and never lists it", async () => {
    const alpha = await signUp(harness.app);
    const beta = await signUp(harness.app);
    const betaShared = (await api(beta.token, "POST", "/saved-views", { name: "Beta shared", filter: {}, shared: true })).json();
    for (const [method, payload] of [
      ["PATCH", { name: "Stolen" }],
      ["DELETE", undefined],
    ] as const) {
      const response = await api(alpha.token, method, `/saved-views/${betaShared.id}`, payload);
      expect(response.statusCode).toBe(404);
      expect(response.json().error.code).toBe("not_found");
    }
    expect(await listViews(alpha.token)).toEqual([]);
    expect(await counts(alpha.token)).toEqual({});
    expect((await listViews(beta.token)).map((item) => item.name)).toEqual(["Beta shared"]);
  });

  it("counts what each view lists for the caller, in one statement, without leaking other inboxes", async () => {
    const { owner, agent, agentToken } = await workspaceWithAgent();
    const workspaceId = owner.workspace.id;
    const agentInbox = await createWebsiteInbox(harness, { workspaceId, name: "Sales", memberUserIds: [agent.user.id] });
    const hiddenInbox = await createWebsiteInbox(harness, { workspaceId, name: "Billing" });
    const seed = (inboxId: string, values: Parameters<typeof seedConversation>[1] extends infer T ? Partial<T> : never) =>
      seedConversation(harness, { workspaceId, inboxId, ...values });
    await seed(agentInbox.id, { status: "open", priority: "urgent" });
    await seed(agentInbox.id, { status: "pending", priority: "urgent" });
    await seed(agentInbox.id, { status: "resolved", priority: "urgent" });
    await seed(agentInbox.id, { status: "open", priority: "low" });
    await seed(agentInbox.id, { status: "open", priority: "urgent", archivedAt: new Date() });
    await seed(hiddenInbox.id, { status: "open", priority: "urgent" });
    await seed(hiddenInbox.id, { status: "open", priority: "urgent" });
    // Assigned to the agent in an inbox they do not work: visible to them through the assignment.
    await seed(hiddenInbox.id, { status: "pending", priority: "urgent", assigneeId: agent.user.id });

    const urgent = (
      await api(owner.token, "POST", "/saved-views", { name: "Urgent", filter: { priority: ["urgent"] }, shared: true })
    ).json();
    const salesLow = (
      await api(owner.token, "POST", "/saved-views", {
        name: "Sales low",
        filter: { inboxId: agentInbox.id, priority: ["low"] },
        shared: true,
      })
    ).json();
    const assignedToMe = (
      await api(owner.token, "POST", "/saved-views", { name: "Mine", filter: { assignee: "me" }, shared: true })
    ).json();
    const agentPrivate = (
      await api(agentToken, "POST", "/saved-views", { name: "Billing urgent", filter: { inboxId: hiddenInbox.id } })
    ).json();

    const listed = async (token: string, filter: string) => {
      const response = await api(token, "GET", `/conversations?status=open,pending&limit=100&${filter}`);
      expect(response.statusCode, response.body).toBe(200);
      return response.json().items.length;
    };

    const { result: agentCounts, statements } = await countQueries(harness, () => counts(agentToken));
    // Views are read once, then every count comes from a single statement over the conversations.
    expect(statements.filter((statement) => /count\(\*\) filter/.test(statement))).toHaveLength(1);
    expect(agentCounts).toEqual({
      [urgent.id]: await listed(agentToken, "priority=urgent"),
      [salesLow.id]: await listed(agentToken, `inboxId=${agentInbox.id}&priority=low`),
      [assignedToMe.id]: await listed(agentToken, "assignee=me"),
      [agentPrivate.id]: await listed(agentToken, `inboxId=${hiddenInbox.id}`),
    });
    // The agent sees two urgent ones of Sales plus the one assigned to them; never Billing's others.
    expect(agentCounts[urgent.id]).toBe(3);
    expect(agentCounts[agentPrivate.id]).toBe(1);
    expect(agentCounts[assignedToMe.id]).toBe(1);
    expect(agentCounts[salesLow.id]).toBe(1);

    const ownerCounts = await counts(owner.token);
    expect(ownerCounts).toEqual({
      [urgent.id]: await listed(owner.token, "priority=urgent"),
      [salesLow.id]: 1,
      [assignedToMe.id]: 0,
    });
    expect(ownerCounts[urgent.id]).toBe(5);
  });
});
