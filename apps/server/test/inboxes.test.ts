import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditLog } from "../src/modules/audit/audit.tables.ts";
import { inboxes } from "../src/modules/inboxes/inboxes.tables.ts";
import { createSecretBox } from "../src/platform/crypto.ts";
import { collect, connectVisitor, emitWithAck, settle } from "./conversation-helpers.ts";
import { bearer, connectAgent, joinWorkspace, signUp, startTestApp, TEST_ENCRYPTION_KEY, type TestApp } from "./helpers.ts";

describe("inboxes", () => {
  let harness: TestApp;
  let baseUrl: string;
  beforeAll(async () => {
    harness = await startTestApp();
    baseUrl = await harness.listen();
  });
  afterAll(async () => {
    await harness.close();
  });

  const api = (token: string, method: "GET" | "POST" | "PATCH" | "PUT" | "DELETE", url: string, payload?: object) =>
    harness.app.inject({ method, url: `/api/v1${url}`, headers: bearer(token), ...(payload === undefined ? {} : { payload }) });

  const auditActions = async (workspaceId: string, targetId: string) =>
    (
      await harness.database.db
        .select({ action: auditLog.action })
        .from(auditLog)
        .where(and(eq(auditLog.workspaceId, workspaceId), eq(auditLog.targetId, targetId)))
    ).map((row) => row.action);

  /** An owner's workspace with an agent (agent role) in it. */
  const workspaceWithAgent = async () => {
    const owner = await signUp(harness.app);
    const agentUser = await signUp(harness.app);
    const agentToken = await joinWorkspace(harness, {
      userId: agentUser.user.id,
      workspaceId: owner.workspace.id,
      roleKey: "agent",
    });
    return { owner, agent: { id: agentUser.user.id, token: agentToken } };
  };

  it("creates a website inbox with a widget token and a secret kept encrypted and never shown", async () => {
    const { owner } = await workspaceWithAgent();
    const created = await api(owner.token, "POST", "/inboxes", {
      type: "website",
      name: "  Main site  ",
      greetingEnabled: true,
      greetingMessage: "Hi! How can we help?",
      channelConfig: { widgetColor: "#336699", position: "right" },
    });
    expect(created.statusCode).toBe(201);
    const inbox = created.json();
    expect(inbox).toMatchObject({
      type: "website",
      name: "Main site",
      hasSecret: true,
      autoAssignment: { strategy: "none" },
      autoCloseMinutes: null,
      businessHours: null,
      channelConfig: { widgetColor: "#336699", position: "right" },
    });
    expect(inbox.websiteToken).toMatch(/^wt_[A-Za-z0-9_-]{20,}$/);
    expect(JSON.stringify(inbox)).not.toContain('secret":');

    const [row] = await harness.database.db.select().from(inboxes).where(eq(inboxes.id, inbox.id));
    expect(row?.secret).toMatch(/^v1\./);

    const session = await harness.app.inject({
      method: "POST",
      url: "/api/v1/widget/sessions",
      payload: { inboxToken: inbox.websiteToken },
    });
    expect(session.statusCode).toBe(200);
    expect(session.json().inbox).toMatchObject({ id: inbox.id, greetingMessage: "Hi! How can we help?" });

    const email = await api(owner.token, "POST", "/inboxes", { type: "email", name: "Support mailbox" });
    expect(email.json()).toMatchObject({ type: "email", websiteToken: null, hasSecret: false });
    expect(await auditActions(owner.workspace.id, inbox.id)).toEqual(["inbox.created"]);
  });

  it("merges channel settings key by key, so keys a client did not send survive", async () => {
    const { owner } = await workspaceWithAgent();
    const inbox = (
      await api(owner.token, "POST", "/inboxes", {
        type: "website",
        name: "Site",
        channelConfig: { widget: { primaryColor: "#112233" } },
      })
    ).json();
    const patched = await api(owner.token, "PATCH", `/inboxes/${inbox.id}`, {
      channelConfig: { trackingNote: "spring campaign" },
    });
    expect(patched.statusCode).toBe(200);
    expect(patched.json().channelConfig).toEqual({ widget: { primaryColor: "#112233" }, trackingNote: "spring campaign" });
  });

  it("rotates the secret, showing the new one exactly once", async () => {
    const { owner, agent } = await workspaceWithAgent();
    const inbox = (await api(owner.token, "POST", "/inboxes", { type: "website", name: "Site" })).json();
    const [before] = await harness.database.db.select().from(inboxes).where(eq(inboxes.id, inbox.id));

    expect((await api(agent.token, "POST", `/inboxes/${inbox.id}/secret/rotate`)).statusCode).toBe(403);
    const rotated = await api(owner.token, "POST", `/inboxes/${inbox.id}/secret/rotate`);
    expect(rotated.statusCode).toBe(200);
    const { secret } = rotated.json();
    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);

    const [after] = await harness.database.db.select().from(inboxes).where(eq(inboxes.id, inbox.id));
    expect(after?.secret).not.toBe(before?.secret);
    expect(after?.secret).not.toContain(secret);
    expect(createSecretBox(TEST_ENCRYPTION_KEY).decrypt(after?.secret ?? "")).toBe(secret);
    const detail = await api(owner.token, "GET", `/inboxes/${inbox.id}`);
    expect(detail.body).not.toContain(secret);
    expect(await auditActions(owner.workspace.id, inbox.id)).toContain("inbox.secret_rotated");

    const sms = (await api(owner.token, "POST", "/inboxes", { type: "sms", name: "SMS" })).json();
    expect((await api(owner.token, "POST", `/inboxes/${sms.id}/secret/rotate`)).json().error.code).toBe("bad_request");
  });

  it("stores settings, validates them, and audits only what changed", async () => {
    const { owner } = await workspaceWithAgent();
    const other = await signUp(harness.app);
    const team = (await api(owner.token, "POST", "/teams", { name: "Billing" })).json();
    const foreignTeam = (await api(other.token, "POST", "/teams", { name: "Theirs" })).json();
    const inbox = (await api(owner.token, "POST", "/inboxes", { type: "api", name: "API" })).json();

    const businessHours = {
      isEnabled: true,
      timezone: "Europe/Paris",
      weekly: [
        { day: 1, startMinute: 540, endMinute: 720 },
        { day: 1, startMinute: 780, endMinute: 1080 },
      ],
      holidays: ["2026-12-25", "2026-01-01", "2026-12-25"],
    };
    const updated = await api(owner.token, "PATCH", `/inboxes/${inbox.id}`, {
      awayMessage: "We are away; we'll email you.",
      isCsatEnabled: true,
      autoAssignment: { strategy: "team", teamId: team.id },
      maxConcurrentPerAgent: 3,
      autoCloseMinutes: 60,
      businessHours,
    });
    expect(updated.statusCode).toBe(200);
    expect(updated.json()).toMatchObject({
      awayMessage: "We are away; we'll email you.",
      isCsatEnabled: true,
      autoAssignment: { strategy: "team", teamId: team.id },
      maxConcurrentPerAgent: 3,
      autoCloseMinutes: 60,
      businessHours: { ...businessHours, holidays: ["2026-01-01", "2026-12-25"] },
    });
    const [entry] = await harness.database.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.targetId, inbox.id), eq(auditLog.action, "inbox.updated")));
    expect(Object.keys(entry?.after ?? {}).sort()).toEqual(
      ["autoAssignment", "autoCloseMinutes", "awayMessage", "businessHours", "isCsatEnabled", "maxConcurrentPerAgent"].sort(),
    );

    const refused = async (payload: Record<string, unknown>) => {
      const response = await api(owner.token, "PATCH", `/inboxes/${inbox.id}`, payload);
      expect(response.statusCode, JSON.stringify(payload)).toBe(400);
      return response.json().error;
    };
    await refused({ autoCloseMinutes: 4 });
    await refused({ autoAssignment: { strategy: "team" } });
    await refused({ autoAssignment: { strategy: "magic" } });
    await refused({ maxConcurrentPerAgent: 0 });
    await refused({ channelConfig: "not an object" });
    await refused({ channelConfig: [1, 2] });
    await refused({ type: "email" });
    await refused({ businessHours: { ...businessHours, timezone: "Mars/Olympus" } });
    await refused({ businessHours: { ...businessHours, timezone: "+02:00" } });
    await refused({ businessHours: { ...businessHours, holidays: ["2026-02-30"] } });
    await refused({ businessHours: { ...businessHours, weekly: [{ day: 7, startMinute: 0, endMinute: 60 }] } });
    await refused({ businessHours: { ...businessHours, weekly: [{ day: 2, startMinute: 600, endMinute: 600 }] } });
    const overlap = await refused({
      businessHours: {
        ...businessHours,
        weekly: [
          { day: 2, startMinute: 540, endMinute: 720 },
          { day: 3, startMinute: 540, endMinute: 720 },
          { day: 2, startMinute: 700, endMinute: 800 },
        ],
      },
    });
    expect(JSON.stringify(overlap.details)).toContain("overlaps");
    const foreign = await refused({ autoAssignment: { strategy: "team", teamId: foreignTeam.id } });
    expect(foreign.details).toEqual([expect.objectContaining({ path: "body.autoAssignment.teamId", value: foreignTeam.id })]);
    await refused({ autoAssignment: { strategy: "skills", skills: { billing: [other.user.id] } } });

    // Adjacent ranges and the same range on different days are fine; null switches the feature off.
    const adjacent = await api(owner.token, "PATCH", `/inboxes/${inbox.id}`, {
      autoCloseMinutes: null,
      businessHours: {
        ...businessHours,
        weekly: [
          { day: 2, startMinute: 540, endMinute: 720 },
          { day: 2, startMinute: 720, endMinute: 800 },
          { day: 3, startMinute: 540, endMinute: 720 },
        ],
      },
    });
    expect(adjacent.statusCode).toBe(200);
    expect(adjacent.json().autoCloseMinutes).toBeNull();
  });

  it("lets agents read only the inboxes they work, and only inboxes.manage change them", async () => {
    const { owner, agent } = await workspaceWithAgent();
    const worked = (await api(owner.token, "POST", "/inboxes", { type: "website", name: "Worked" })).json();
    const hidden = (await api(owner.token, "POST", "/inboxes", { type: "website", name: "Hidden" })).json();
    await api(owner.token, "PUT", `/inboxes/${worked.id}/members`, { userIds: [agent.id] });

    expect((await api(agent.token, "GET", "/inboxes")).json().items.map((inbox: { id: string }) => inbox.id)).toEqual([
      worked.id,
    ]);
    expect((await api(owner.token, "GET", "/inboxes")).json().items).toHaveLength(2);
    expect((await api(agent.token, "GET", `/inboxes/${worked.id}`)).json()).toMatchObject({
      id: worked.id,
      members: [{ id: agent.id }],
      teams: [],
    });
    expect((await api(agent.token, "GET", `/inboxes/${hidden.id}`)).statusCode).toBe(404);
    expect((await api(agent.token, "GET", `/inboxes/${hidden.id}/members`)).statusCode).toBe(404);

    expect((await api(agent.token, "POST", "/inboxes", { type: "api", name: "Mine" })).statusCode).toBe(403);
    expect((await api(agent.token, "PATCH", `/inboxes/${worked.id}`, { name: "Renamed" })).statusCode).toBe(403);
    expect((await api(agent.token, "PUT", `/inboxes/${worked.id}/members`, { userIds: [] })).statusCode).toBe(403);
    expect((await api(agent.token, "PUT", `/inboxes/${worked.id}/teams`, { teamIds: [] })).statusCode).toBe(403);
    expect((await api(agent.token, "DELETE", `/inboxes/${worked.id}`)).statusCode).toBe(403);
  });

  it("answers 404 for another workspace's inbox on every route", async () => {
    const { owner } = await workspaceWithAgent();
    const stranger = await signUp(harness.app);
    const inbox = (await api(owner.token, "POST", "/inboxes", { type: "website", name: "Private" })).json();

    const attempts = [
      api(stranger.token, "GET", `/inboxes/${inbox.id}`),
      api(stranger.token, "GET", `/inboxes/${inbox.id}/members`),
      api(stranger.token, "PATCH", `/inboxes/${inbox.id}`, { name: "Taken" }),
      api(stranger.token, "PUT", `/inboxes/${inbox.id}/members`, { userIds: [stranger.user.id] }),
      api(stranger.token, "PUT", `/inboxes/${inbox.id}/teams`, { teamIds: [] }),
      api(stranger.token, "POST", `/inboxes/${inbox.id}/secret/rotate`),
      api(stranger.token, "DELETE", `/inboxes/${inbox.id}`),
    ];
    for (const response of await Promise.all(attempts)) expect(response.statusCode).toBe(404);
    expect((await api(stranger.token, "GET", "/inboxes")).json().items).toEqual([]);
    expect((await api(owner.token, "GET", `/inboxes/${inbox.id}`)).json()).toMatchObject({ name: "Private", members: [] });
  });

  it("keeps inbox members and teams to this workspace", async () => {
    const { owner, agent } = await workspaceWithAgent();
    const outsider = await signUp(harness.app);
    const inbox = (await api(owner.token, "POST", "/inboxes", { type: "website", name: "Site" })).json();
    const notMember = await api(owner.token, "PUT", `/inboxes/${inbox.id}/members`, { userIds: [agent.id, outsider.user.id] });
    expect(notMember.statusCode).toBe(400);
    expect(notMember.json().error.details).toEqual([expect.objectContaining({ path: "body.userIds", value: outsider.user.id })]);

    const team = (await api(owner.token, "POST", "/teams", { name: "Sales" })).json();
    const foreignTeam = (await api(outsider.token, "POST", "/teams", { name: "Sales" })).json();
    expect((await api(owner.token, "PUT", `/inboxes/${inbox.id}/teams`, { teamIds: [foreignTeam.id] })).statusCode).toBe(400);
    const teams = await api(owner.token, "PUT", `/inboxes/${inbox.id}/teams`, { teamIds: [team.id, team.id] });
    expect(teams.json().items).toEqual([{ id: team.id, name: "Sales" }]);

    const members = await api(owner.token, "PUT", `/inboxes/${inbox.id}/members`, { userIds: [agent.id, owner.user.id] });
    expect(
      members
        .json()
        .items.map((member: { id: string }) => member.id)
        .sort(),
    ).toEqual([agent.id, owner.user.id].sort());
    expect(await auditActions(owner.workspace.id, inbox.id)).toEqual(
      expect.arrayContaining(["inbox.created", "inbox.teams_changed", "inbox.members_changed"]),
    );
  });

  it("moves an agent's open socket into and out of the inbox room as membership changes", async () => {
    const { owner, agent } = await workspaceWithAgent();
    const inbox = (await api(owner.token, "POST", "/inboxes", { type: "website", name: "Live" })).json();
    const agentSocket = await connectAgent(baseUrl, { token: agent.token });
    const visitor = await connectVisitor(harness, baseUrl, inbox.websiteToken);
    try {
      const received = collect<{ message: { text: string } }>(agentSocket, "message.created");
      await emitWithAck(visitor.socket, "message.send", { clientId: "before", text: "Anyone there?" });
      await settle(300);
      expect(received).toEqual([]);

      await api(owner.token, "PUT", `/inboxes/${inbox.id}/members`, { userIds: [agent.id] });
      await settle(100);
      await emitWithAck(visitor.socket, "message.send", { clientId: "during", text: "Hello again" });
      await settle(300);
      expect(received.map((event) => event.message.text)).toEqual(["Hello again"]);

      await api(owner.token, "PUT", `/inboxes/${inbox.id}/members`, { userIds: [] });
      await settle(100);
      await emitWithAck(visitor.socket, "message.send", { clientId: "after", text: "Still there?" });
      await settle(300);
      expect(received.map((event) => event.message.text)).toEqual(["Hello again"]);
    } finally {
      agentSocket.close();
      visitor.socket.close();
    }
  });

  it("soft-deletes an inbox: gone from lists and the widget, its conversations still readable", async () => {
    const { owner, agent } = await workspaceWithAgent();
    const inbox = (await api(owner.token, "POST", "/inboxes", { type: "website", name: "Old site" })).json();
    const visitor = await connectVisitor(harness, baseUrl, inbox.websiteToken);
    const sent = await emitWithAck<{ ok: true; data: { conversationId: string } }>(visitor.socket, "message.send", {
      clientId: "v-1",
      text: "Last message",
    });
    visitor.socket.close();

    expect((await api(agent.token, "DELETE", `/inboxes/${inbox.id}`)).statusCode).toBe(403);
    expect((await api(owner.token, "DELETE", `/inboxes/${inbox.id}`)).statusCode).toBe(204);
    expect((await api(owner.token, "GET", "/inboxes")).json().items).toEqual([]);
    expect((await api(owner.token, "GET", `/inboxes/${inbox.id}`)).statusCode).toBe(404);
    expect((await api(owner.token, "PATCH", `/inboxes/${inbox.id}`, { name: "Back" })).statusCode).toBe(404);
    expect((await api(owner.token, "DELETE", `/inboxes/${inbox.id}`)).statusCode).toBe(404);

    const session = await harness.app.inject({
      method: "POST",
      url: "/api/v1/widget/sessions",
      payload: { inboxToken: inbox.websiteToken },
    });
    expect(session.statusCode).toBe(404);

    const conversation = await api(owner.token, "GET", `/conversations/${sent.data.conversationId}`);
    expect(conversation.statusCode).toBe(200);
    expect(conversation.json().inbox).toMatchObject({ id: inbox.id, name: "Old site" });
    const history = await api(owner.token, "GET", `/conversations/${sent.data.conversationId}/messages`);
    expect(history.json().items.map((message: { text: string }) => message.text)).toEqual(["Last message"]);
    expect(await auditActions(owner.workspace.id, inbox.id)).toContain("inbox.deleted");
  });
});
