import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditLog } from "../src/modules/audit/audit.tables.ts";
import { conversations } from "../src/modules/conversations/conversations.tables.ts";
import { inboxMembers } from "../src/modules/inboxes/inboxes.tables.ts";
import { messages } from "../src/modules/messages/messages.tables.ts";
import { memberships, roles } from "../src/modules/workspaces/workspaces.tables.ts";
import type { Worker } from "../src/platform/queue/worker.ts";
import { collect, createWebsiteInbox, settle } from "./conversation-helpers.ts";
import { createLabels, seedConversation } from "./conversation-list-helpers.ts";
import { bearer, connectAgent, joinWorkspace, signUp, startTestApp, startTestWorker, type TestApp } from "./helpers.ts";

type Progress = { operationId: string; status: string; total: number; processed: number; failed: number };

describe("bulk actions on conversations", () => {
  let harness: TestApp;
  let baseUrl: string;
  let worker: Worker;
  beforeAll(async () => {
    harness = await startTestApp();
    baseUrl = await harness.listen();
    worker = await startTestWorker(harness);
  });
  afterAll(async () => {
    await worker.stop();
    await harness.close();
  });

  const bulk = (token: string, payload: object) =>
    harness.app.inject({ method: "POST", url: "/api/v1/conversations/bulk", headers: bearer(token), payload });

  const waitUntilDone = async (token: string, operationId: string): Promise<Progress> => {
    for (let attempt = 0; attempt < 100; attempt++) {
      const response = await harness.app.inject({ url: `/api/v1/conversations/bulk/${operationId}`, headers: bearer(token) });
      expect(response.statusCode).toBe(200);
      const progress: Progress = response.json();
      if (progress.status === "done" || progress.status === "failed") return progress;
      await settle(100);
    }
    throw new Error("bulk operation did not finish");
  };

  it("resolves selected conversations one by one, with system messages, socket events, audit and progress", async () => {
    const owner = await signUp(harness.app, { name: "Ada" });
    const workspaceId = owner.workspace.id;
    const inbox = await createWebsiteInbox(harness, { workspaceId });
    const seeded = [];
    for (let i = 0; i < 30; i++) seeded.push(await seedConversation(harness, { workspaceId, inboxId: inbox.id, status: "open" }));
    const alreadyResolved = await seedConversation(harness, { workspaceId, inboxId: inbox.id, status: "resolved" });
    const socket = await connectAgent(baseUrl, { token: owner.token });
    try {
      const updates = collect<{ conversation: { id: string; status: string } }>(socket, "conversation.updated");
      const progressEvents = collect<{ operationId: string; status: string; processed: number }>(socket, "bulk.progress");
      const accepted = await bulk(owner.token, {
        action: { type: "status", status: "resolved" },
        selection: { ids: [...seeded.map((c) => c.id), alreadyResolved.id] },
      });
      expect(accepted.statusCode, accepted.body).toBe(202);
      const { operationId } = accepted.json();
      const progress = await waitUntilDone(owner.token, operationId);
      expect(progress).toEqual({ operationId, status: "done", total: 31, processed: 31, failed: 0 });

      const rows = await harness.database.db.select().from(conversations).where(eq(conversations.workspaceId, workspaceId));
      expect(rows.every((row) => row.status === "resolved")).toBe(true);
      const notes = await harness.database.db
        .select()
        .from(messages)
        .where(and(eq(messages.workspaceId, workspaceId), eq(messages.senderType, "system")));
      // One note per changed conversation; the one already resolved is left alone.
      expect(notes).toHaveLength(30);
      expect(new Set(notes.map((note) => note.text))).toEqual(new Set(["Resolved by Ada"]));
      await settle(300);
      expect(new Set(updates.filter((u) => u.conversation.status === "resolved").map((u) => u.conversation.id)).size).toBe(30);
      const entries = await harness.database.db
        .select()
        .from(auditLog)
        .where(and(eq(auditLog.workspaceId, workspaceId), eq(auditLog.action, "conversation.status_changed")));
      expect(entries).toHaveLength(30);
      expect(entries[0]).toMatchObject({ actorId: owner.user.id });
      // The requester's sockets follow along: a report per batch, the last one "done".
      expect(progressEvents.length).toBeGreaterThan(1);
      expect(progressEvents.at(-1)).toEqual({ operationId, status: "done", total: 31, processed: 31, failed: 0 });
      expect(progressEvents.map((event) => event.processed)).toEqual(
        [...progressEvents.map((event) => event.processed)].sort((a, b) => a - b),
      );
    } finally {
      socket.close();
    }
  });

  it("applies labels, priority, assignment and unassignment through a filter selection", async () => {
    const owner = await signUp(harness.app, { name: "Ada" });
    const workspaceId = owner.workspace.id;
    const colleague = await signUp(harness.app, { name: "Bo" });
    await joinWorkspace(harness, { userId: colleague.user.id, workspaceId, roleKey: "agent" });
    await createLabels(harness, workspaceId, ["vip"]);
    const inbox = await createWebsiteInbox(harness, { workspaceId, memberUserIds: [colleague.user.id] });
    const pending = [];
    for (let i = 0; i < 4; i++)
      pending.push(await seedConversation(harness, { workspaceId, inboxId: inbox.id, status: "pending" }));
    const open = await seedConversation(harness, { workspaceId, inboxId: inbox.id, status: "open" });

    const run = async (action: object) => {
      const accepted = await bulk(owner.token, { action, selection: { filter: { status: ["pending"] } } });
      expect(accepted.statusCode, accepted.body).toBe(202);
      return waitUntilDone(owner.token, accepted.json().operationId);
    };
    expect(await run({ type: "label_add", label: "VIP" })).toMatchObject({ total: 4, processed: 4, failed: 0 });
    expect(await run({ type: "priority", priority: "urgent" })).toMatchObject({ total: 4, processed: 4 });
    expect(await run({ type: "assign", assigneeId: colleague.user.id })).toMatchObject({ total: 4, processed: 4, failed: 0 });
    const rows = await harness.database.db.select().from(conversations).where(eq(conversations.workspaceId, workspaceId));
    for (const row of rows) {
      if (row.id === open.id) expect(row).toMatchObject({ labels: [], priority: "medium", assigneeId: null });
      else expect(row).toMatchObject({ labels: ["vip"], priority: "urgent", assigneeId: colleague.user.id });
    }
    const notes = await harness.database.db
      .select({ text: messages.text })
      .from(messages)
      .where(eq(messages.conversationId, pending[0]?.id ?? ""))
      .orderBy(messages.seq);
    expect(notes.map((note) => note.text)).toEqual([
      "Labels added vip by Ada",
      "Priority set to urgent by Ada",
      "Assigned to Bo by Ada",
    ]);
    expect(await run({ type: "label_remove", label: "vip" })).toMatchObject({ processed: 4 });
    expect(await run({ type: "unassign" })).toMatchObject({ processed: 4 });
    const after = await harness.database.db
      .select()
      .from(conversations)
      .where(eq(conversations.id, pending[0]?.id ?? ""));
    expect(after[0]).toMatchObject({ labels: [], assigneeId: null });
    // Each conversation's history has both, as if assigned one at a time.
    const history = await harness.app.inject({
      url: `/api/v1/conversations/${pending[0]?.id}/assignments`,
      headers: bearer(owner.token),
    });
    expect(history.json().items).toMatchObject([
      { kind: "manual", fromUserId: null, toUserId: colleague.user.id, byUserId: owner.user.id },
      { kind: "unassigned", fromUserId: colleague.user.id, toUserId: null, byUserId: owner.user.id },
    ]);

    // A member who does not work the inbox cannot be given its conversations, in bulk as one at a time.
    const outsider = await signUp(harness.app, { name: "Cy" });
    await joinWorkspace(harness, { userId: outsider.user.id, workspaceId, roleKey: "agent" });
    expect(await run({ type: "assign", assigneeId: outsider.user.id })).toMatchObject({
      status: "done",
      processed: 4,
      failed: 4,
    });

    // An assignee outside the workspace fails per conversation, and the operation still finishes.
    const stranger = await signUp(harness.app);
    expect(await run({ type: "assign", assigneeId: stranger.user.id })).toMatchObject({
      status: "done",
      total: 4,
      processed: 4,
      failed: 4,
    });
    const unknownLabel = await bulk(owner.token, { action: { type: "label_add", label: "nope" }, selection: { ids: [open.id] } });
    expect(unknownLabel.statusCode).toBe(400);
  });

  it("covers only conversations the requester may see and refuses members without the permission", async () => {
    const owner = await signUp(harness.app);
    const workspaceId = owner.workspace.id;
    const visibleInbox = await createWebsiteInbox(harness, { workspaceId });
    const hiddenInbox = await createWebsiteInbox(harness, { workspaceId });
    const visible = await seedConversation(harness, { workspaceId, inboxId: visibleInbox.id, status: "open" });
    const hidden = await seedConversation(harness, { workspaceId, inboxId: hiddenInbox.id, status: "open" });
    const foreignOwner = await signUp(harness.app);
    const foreignInbox = await createWebsiteInbox(harness, { workspaceId: foreignOwner.workspace.id });
    const foreign = await seedConversation(harness, { workspaceId: foreignOwner.workspace.id, inboxId: foreignInbox.id });

    // A triage role: may manage conversations but sees only its inboxes.
    const triager = await signUp(harness.app);
    const token = await joinWorkspace(harness, { userId: triager.user.id, workspaceId, roleKey: "agent" });
    const [role] = await harness.database.db
      .insert(roles)
      .values({ workspaceId, name: "Triage", permissions: ["conversations.manage"] })
      .returning();
    await harness.database.db
      .update(memberships)
      .set({ roleId: role?.id ?? "" })
      .where(and(eq(memberships.workspaceId, workspaceId), eq(memberships.userId, triager.user.id)));
    await harness.database.db.insert(inboxMembers).values({ inboxId: visibleInbox.id, userId: triager.user.id, workspaceId });

    const byFilter = await bulk(token, { action: { type: "status", status: "closed" }, selection: { filter: {} } });
    expect(byFilter.statusCode, byFilter.body).toBe(202);
    expect(await waitUntilDone(token, byFilter.json().operationId)).toMatchObject({ total: 1, processed: 1, failed: 0 });
    const byIds = await bulk(token, {
      action: { type: "priority", priority: "high" },
      selection: { ids: [visible.id, hidden.id, foreign.id] },
    });
    expect(await waitUntilDone(token, byIds.json().operationId)).toMatchObject({ total: 1, processed: 1 });
    const [hiddenRow] = await harness.database.db.select().from(conversations).where(eq(conversations.id, hidden.id));
    expect(hiddenRow).toMatchObject({ status: "open", priority: "medium" });
    const [foreignRow] = await harness.database.db.select().from(conversations).where(eq(conversations.id, foreign.id));
    expect(foreignRow).toMatchObject({ status: "open", priority: "medium" });

    // Assigning needs conversations.assign too.
    const assign = await bulk(token, { action: { type: "assign", assigneeId: owner.user.id }, selection: { ids: [visible.id] } });
    expect(assign.statusCode).toBe(403);
    // Plain agents may not run bulk actions; another workspace cannot read the progress.
    const agent = await signUp(harness.app);
    const agentToken = await joinWorkspace(harness, { userId: agent.user.id, workspaceId, roleKey: "agent" });
    expect((await bulk(agentToken, { action: { type: "unassign" }, selection: { ids: [visible.id] } })).statusCode).toBe(403);
    const peek = await harness.app.inject({
      url: `/api/v1/conversations/bulk/${byIds.json().operationId}`,
      headers: bearer(foreignOwner.token),
    });
    expect(peek.statusCode).toBe(404);
    const malformed = await bulk(owner.token, { action: { type: "explode" }, selection: { ids: [visible.id] } });
    expect(malformed.statusCode).toBe(400);
    const both = await bulk(owner.token, { action: { type: "unassign" }, selection: { ids: [visible.id], filter: {} } });
    expect(both.statusCode).toBe(400);
  });
});
