import { and, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditLog } from "../src/modules/audit/audit.tables.ts";
import { conversations } from "../src/modules/conversations/conversations.tables.ts";
import { collect, connectVisitor, createWebsiteInbox, emitWithAck, settle } from "./conversation-helpers.ts";
import { bearer, connectAgent, joinWorkspace, signUp, startTestApp, type TestApp } from "./helpers.ts";

describe("labels", () => {
  let harness: TestApp;
  let baseUrl: string;
  beforeAll(async () => {
    harness = await startTestApp();
    baseUrl = await harness.listen();
  });
  afterAll(async () => {
    await harness.close();
  });

  const api = (token: string, method: "GET" | "POST" | "PATCH" | "DELETE", url: string, payload?: object) =>
    harness.app.inject({ method, url: `/api/v1${url}`, headers: bearer(token), ...(payload === undefined ? {} : { payload }) });

  /** A workspace with a website conversation carrying `labels` (set in the database: labelling is another API). */
  const conversationWithLabels = async (owner: Awaited<ReturnType<typeof signUp>>, labels: string[]) => {
    const inbox = await createWebsiteInbox(harness, { workspaceId: owner.workspace.id });
    const visitor = await connectVisitor(harness, baseUrl, inbox.websiteToken ?? "");
    const sent = await emitWithAck<{ ok: true; data: { conversationId: string } }>(visitor.socket, "message.send", {
      clientId: "1",
      text: "Hello",
    });
    visitor.socket.close();
    await harness.database.db.update(conversations).set({ labels }).where(eq(conversations.id, sent.data.conversationId));
    return sent.data.conversationId;
  };

  const labelsOf = async (conversationId: string) =>
    (
      await harness.database.db
        .select({ labels: conversations.labels })
        .from(conversations)
        .where(eq(conversations.id, conversationId))
    )[0]?.labels;

  it("lets every member read labels and only conversations.manage change them", async () => {
    const owner = await signUp(harness.app);
    const agentUser = await signUp(harness.app);
    const agentToken = await joinWorkspace(harness, {
      userId: agentUser.user.id,
      workspaceId: owner.workspace.id,
      roleKey: "agent",
    });

    const created = await api(owner.token, "POST", "/labels", {
      name: " Billing ",
      color: "#FF8800",
      description: "Money matters",
    });
    expect(created.statusCode).toBe(201);
    const label = created.json();
    expect(label).toMatchObject({ name: "Billing", color: "#ff8800", description: "Money matters" });
    await api(owner.token, "POST", "/labels", { name: "bug" });

    expect((await api(agentToken, "GET", "/labels")).json().items.map((item: { name: string }) => item.name)).toEqual([
      "Billing",
      "bug",
    ]);
    expect((await api(agentToken, "POST", "/labels", { name: "Mine" })).statusCode).toBe(403);
    expect((await api(agentToken, "PATCH", `/labels/${label.id}`, { color: "#000000" })).statusCode).toBe(403);
    expect((await api(agentToken, "DELETE", `/labels/${label.id}`)).statusCode).toBe(403);

    const audited = await harness.database.db
      .select({ action: auditLog.action })
      .from(auditLog)
      .where(and(eq(auditLog.workspaceId, owner.workspace.id), eq(auditLog.targetType, "label")));
    expect(audited.map((row) => row.action)).toEqual(["label.created", "label.created"]);
  });

  it("keeps names unique per workspace whatever their case, and validates colours", async () => {
    const owner = await signUp(harness.app);
    const other = await signUp(harness.app);
    const vip = (await api(owner.token, "POST", "/labels", { name: "VIP" })).json();
    const spam = (await api(owner.token, "POST", "/labels", { name: "Spam" })).json();

    const duplicate = await api(owner.token, "POST", "/labels", { name: "vip" });
    expect(duplicate.statusCode).toBe(409);
    expect(duplicate.json().error.code).toBe("conflict");
    expect((await api(owner.token, "PATCH", `/labels/${spam.id}`, { name: "Vip" })).statusCode).toBe(409);
    expect((await api(owner.token, "PATCH", `/labels/${vip.id}`, { name: "vip" })).json().name).toBe("vip");
    expect((await api(other.token, "POST", "/labels", { name: "VIP" })).statusCode).toBe(201);

    for (const payload of [
      { name: "" },
      { name: "Red", color: "red" },
      { name: "Red", color: "#ff00" },
      { name: "x".repeat(51) },
      { name: "Red", extra: 1 },
    ]) {
      const response = await api(owner.token, "POST", "/labels", payload);
      expect(response.statusCode, JSON.stringify(payload)).toBe(400);
    }
  });

  it("renames a label on this workspace's conversations only, live and audited", async () => {
    const owner = await signUp(harness.app);
    const other = await signUp(harness.app);
    const label = (await api(owner.token, "POST", "/labels", { name: "Urgent" })).json();
    await api(other.token, "POST", "/labels", { name: "Urgent" });
    const mine = await conversationWithLabels(owner, ["Urgent", "Billing"]);
    const untouched = await conversationWithLabels(owner, ["Billing"]);
    const theirs = await conversationWithLabels(other, ["Urgent"]);

    const agentSocket = await connectAgent(baseUrl, { token: owner.token });
    try {
      const updates = collect<{ conversation: { id: string; labels: string[] } }>(agentSocket, "conversation.updated");
      const renamed = await api(owner.token, "PATCH", `/labels/${label.id}`, { name: "Critical" });
      expect(renamed.statusCode).toBe(200);
      expect(await labelsOf(mine)).toEqual(["Critical", "Billing"]);
      expect(await labelsOf(untouched)).toEqual(["Billing"]);
      expect(await labelsOf(theirs)).toEqual(["Urgent"]);
      await settle(300);
      expect(updates.map((event) => event.conversation)).toEqual([
        expect.objectContaining({ id: mine, labels: ["Critical", "Billing"] }),
      ]);
    } finally {
      agentSocket.close();
    }

    const [entry] = await harness.database.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.targetId, label.id), eq(auditLog.action, "label.updated")));
    expect(entry).toMatchObject({ before: { name: "Urgent" }, after: { name: "Critical", conversationsRelabelled: 1 } });

    // Recolouring alone touches no conversation.
    await api(owner.token, "PATCH", `/labels/${label.id}`, { color: "#112233" });
    expect(await labelsOf(mine)).toEqual(["Critical", "Billing"]);
  });

  it("takes a deleted label off this workspace's conversations", async () => {
    const owner = await signUp(harness.app);
    const other = await signUp(harness.app);
    const label = (await api(owner.token, "POST", "/labels", { name: "Refund" })).json();
    const mine = await conversationWithLabels(owner, ["Refund", "VIP"]);
    const theirs = await conversationWithLabels(other, ["Refund"]);

    expect((await api(other.token, "DELETE", `/labels/${label.id}`)).statusCode).toBe(404);
    expect((await api(other.token, "PATCH", `/labels/${label.id}`, { name: "Stolen" })).statusCode).toBe(404);
    expect((await api(owner.token, "DELETE", `/labels/${label.id}`)).statusCode).toBe(204);
    expect(await labelsOf(mine)).toEqual(["VIP"]);
    expect(await labelsOf(theirs)).toEqual(["Refund"]);
    expect((await api(owner.token, "GET", "/labels")).json().items).toEqual([]);
    expect((await api(owner.token, "DELETE", `/labels/${label.id}`)).statusCode).toBe(404);

    const [entry] = await harness.database.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.targetId, label.id), eq(auditLog.action, "label.deleted")));
    expect(entry?.after).toEqual({ conversationsUnlabelled: 1 });
    const [{ count } = { count: 0 }] = (
      await harness.database.db.execute<{ count: number }>(
        sql`select count(*)::int as count from conversations where workspace_id = ${owner.workspace.id} and 'Refund' = any(labels)`,
      )
    ).rows;
    expect(count).toBe(0);
  });
});
