import type { BuiltInRoleKey, TTeamDetail } from "@parley/shared";
import { and, eq } from "drizzle-orm";
import type { InjectOptions } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditLog } from "../src/modules/audit/audit.tables.ts";
import { bearer, joinWorkspace, signUp, startTestApp, type TestApp } from "./helpers.ts";

const ZERO_ID = "00000000-0000-4000-8000-000000000000";

describe("teams", () => {
  let harness: TestApp;
  beforeAll(async () => {
    harness = await startTestApp();
  });
  afterAll(async () => {
    await harness.close();
  });

  const call = (token: string, method: InjectOptions["method"], url: string, payload?: object) =>
    harness.app.inject({ method, url: `/api/v1${url}`, headers: bearer(token), ...(payload ? { payload } : {}) });

  const addMember = async (workspaceId: string, roleKey: BuiltInRoleKey, name?: string) => {
    const person = await signUp(harness.app, name ? { name } : {});
    const token = await joinWorkspace(harness, { userId: person.user.id, workspaceId, roleKey });
    return { ...person, token };
  };

  const createTeam = async (token: string, payload: object): Promise<TTeamDetail> => {
    const response = await call(token, "POST", "/teams", payload);
    expect(response.statusCode, response.body).toBe(201);
    return response.json();
  };

  const auditEntries = (workspaceId: string, action: string) =>
    harness.database.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.workspaceId, workspaceId), eq(auditLog.action, action)));

  it("creates a team with a lead and members, which every member can read", async () => {
    const owner = await signUp(harness.app, { name: "Owen" });
    const anna = await addMember(owner.workspace.id, "agent", "Anna");
    const ben = await addMember(owner.workspace.id, "agent", "Ben");
    const team = await createTeam(owner.token, {
      name: " Sales ",
      description: "Inbound leads",
      leadUserId: anna.user.id,
      memberIds: [ben.user.id, ben.user.id],
    });
    // The lead is a member too.
    expect(team).toMatchObject({
      name: "Sales",
      description: "Inbound leads",
      lead: { id: anna.user.id, name: "Anna", email: anna.user.email },
      memberCount: 2,
    });
    expect(team.members.map((member) => member.name)).toEqual(["Anna", "Ben"]);
    expect(team.members[0]).toMatchObject({ status: "active" });

    await createTeam(owner.token, { name: "billing" });
    const asAgent = await call(ben.token, "GET", "/teams");
    expect(asAgent.statusCode).toBe(200);
    expect(asAgent.json().items.map((item: { name: string; memberCount: number }) => [item.name, item.memberCount])).toEqual([
      ["billing", 0],
      ["Sales", 2],
    ]);
    expect((await call(ben.token, "GET", `/teams/${team.id}`)).json()).toEqual(team);
    expect((await call(ben.token, "POST", "/teams", { name: "Rogue" })).statusCode).toBe(403);
    expect((await auditEntries(owner.workspace.id, "team.created"))[0]).toMatchObject({
      actorId: owner.user.id,
      targetLabel: "Sales",
    });
  });

  it("keeps team names unique per workspace, ignoring case", async () => {
    const owner = await signUp(harness.app);
    const other = await signUp(harness.app);
    const first = await createTeam(owner.token, { name: "Support" });
    const duplicate = await call(owner.token, "POST", "/teams", { name: "SUPPORT" });
    expect(duplicate.statusCode).toBe(409);
    expect(duplicate.json().error).toMatchObject({ code: "conflict", reason: "team_name_taken", params: { name: "SUPPORT" } });
    const second = await createTeam(owner.token, { name: "Escalations" });
    expect((await call(owner.token, "PATCH", `/teams/${second.id}`, { name: "support" })).json().error.code).toBe("conflict");
    // Another workspace may use the same name.
    await createTeam(other.token, { name: "Support" });
    expect((await call(owner.token, "GET", `/teams/${first.id}`)).json().name).toBe("Support");
  });

  it("accepts only active members of this workspace as members and lead, naming the offending ids", async () => {
    const owner = await signUp(harness.app);
    const outsider = await signUp(harness.app);
    const sleeper = await addMember(owner.workspace.id, "agent");
    await call(owner.token, "POST", `/members/${sleeper.user.id}/deactivate`);

    const response = await call(owner.token, "POST", "/teams", {
      name: "Mixed",
      memberIds: [owner.user.id, outsider.user.id, sleeper.user.id, ZERO_ID],
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().error.code).toBe("validation_failed");
    expect(response.json().error.details.map((detail: { value: string }) => detail.value)).toEqual([
      outsider.user.id,
      sleeper.user.id,
      ZERO_ID,
    ]);
    const lead = await call(owner.token, "POST", "/teams", { name: "Mixed", leadUserId: outsider.user.id });
    expect(lead.json().error.details).toEqual([
      { path: "body.leadUserId", message: expect.any(String), value: outsider.user.id },
    ]);
    expect((await call(owner.token, "GET", "/teams")).json().items).toEqual([]);

    for (const payload of [
      { name: "" },
      { name: "x".repeat(81) },
      { name: "Ok", memberIds: ["nope"] },
      { name: "Ok", colour: "red" },
    ]) {
      expect((await call(owner.token, "POST", "/teams", payload)).statusCode, JSON.stringify(payload)).toBe(400);
    }
  });

  it("renames a team, changes and clears its lead", async () => {
    const owner = await signUp(harness.app);
    const lead = await addMember(owner.workspace.id, "agent", "Lena");
    const team = await createTeam(owner.token, { name: "Tier 1" });

    const updated = await call(owner.token, "PATCH", `/teams/${team.id}`, { name: "Tier One", leadUserId: lead.user.id });
    expect(updated.statusCode).toBe(200);
    expect(updated.json()).toMatchObject({ name: "Tier One", lead: { id: lead.user.id }, memberCount: 1 });
    const [entry] = await auditEntries(owner.workspace.id, "team.updated");
    expect(entry).toMatchObject({
      before: { name: "Tier 1", leadUserId: null },
      after: { name: "Tier One", leadUserId: lead.user.id },
    });

    const cleared = await call(owner.token, "PATCH", `/teams/${team.id}`, { leadUserId: null });
    expect(cleared.json()).toMatchObject({ name: "Tier One", lead: null, memberCount: 1 });
    const outsider = await signUp(harness.app);
    expect((await call(owner.token, "PATCH", `/teams/${team.id}`, { leadUserId: outsider.user.id })).statusCode).toBe(400);
  });

  it("replaces a team's members; dropping the lead clears the lead", async () => {
    const owner = await signUp(harness.app);
    const [a, b, c] = [
      await addMember(owner.workspace.id, "agent", "A"),
      await addMember(owner.workspace.id, "agent", "B"),
      await addMember(owner.workspace.id, "agent", "C"),
    ];
    if (!a || !b || !c) throw new Error("members missing");
    const team = await createTeam(owner.token, { name: "Rotation", leadUserId: a.user.id, memberIds: [b.user.id] });

    const replaced = await call(owner.token, "PUT", `/teams/${team.id}/members`, { userIds: [b.user.id, c.user.id] });
    expect(replaced.statusCode).toBe(200);
    expect(replaced.json()).toMatchObject({ lead: null, memberCount: 2 });
    expect(replaced.json().members.map((member: { name: string }) => member.name)).toEqual(["B", "C"]);
    const [entry] = await auditEntries(owner.workspace.id, "team.members_changed");
    expect(entry?.after).toMatchObject({ leadUserId: null });

    const members = (await call(owner.token, "GET", `/members?search=${encodeURIComponent(c.user.email)}`)).json().items;
    expect(members[0].teams).toEqual([{ id: team.id, name: "Rotation" }]);

    const outsider = await signUp(harness.app);
    const refused = await call(owner.token, "PUT", `/teams/${team.id}/members`, { userIds: [b.user.id, outsider.user.id] });
    expect(refused.statusCode).toBe(400);
    expect(refused.json().error.details[0].value).toBe(outsider.user.id);
    expect((await call(owner.token, "GET", `/teams/${team.id}`)).json().memberCount).toBe(2);

    expect((await call(owner.token, "PUT", `/teams/${team.id}/members`, { userIds: [] })).json()).toMatchObject({
      memberCount: 0,
    });
  });

  it("deletes a team; its members stay in the workspace", async () => {
    const owner = await signUp(harness.app);
    const member = await addMember(owner.workspace.id, "agent");
    const team = await createTeam(owner.token, { name: "Temporary", memberIds: [member.user.id] });
    expect((await call(owner.token, "DELETE", `/teams/${team.id}`)).statusCode).toBe(204);
    expect((await call(owner.token, "GET", `/teams/${team.id}`)).statusCode).toBe(404);
    expect((await call(owner.token, "GET", `/members/${member.user.id}`)).json()).toMatchObject({ status: "active", teams: [] });
    expect((await auditEntries(owner.workspace.id, "team.deleted"))[0]?.before).toMatchObject({
      name: "Temporary",
      memberIds: [member.user.id],
    });
  });

  it("refuses to delete a team an inbox assigns its conversations to, naming the inbox, until the inbox assigns otherwise", async () => {
    const owner = await signUp(harness.app);
    const member = await addMember(owner.workspace.id, "agent");
    const team = await createTeam(owner.token, { name: "Night shift", memberIds: [member.user.id] });
    const inbox = (await call(owner.token, "POST", "/inboxes", { type: "website", name: "Help site" })).json();
    const routed = await call(owner.token, "PATCH", `/inboxes/${inbox.id}`, {
      autoAssignment: { strategy: "team", teamId: team.id },
    });
    expect(routed.statusCode, routed.body).toBe(200);

    const refused = await call(owner.token, "DELETE", `/teams/${team.id}`);
    expect(refused.statusCode).toBe(409);
    expect(refused.json().error).toMatchObject({
      code: "in_use",
      details: { inboxes: ["Help site"] },
      reason: "team_routes_inboxes",
      params: { team: "Night shift", inboxes: "Help site" },
    });
    expect(refused.json().error.message).toContain('"Help site"');
    expect((await call(owner.token, "GET", `/teams/${team.id}`)).statusCode).toBe(200);
    expect(await auditEntries(owner.workspace.id, "team.deleted")).toHaveLength(0);

    const rerouted = await call(owner.token, "PATCH", `/inboxes/${inbox.id}`, { autoAssignment: { strategy: "round_robin" } });
    expect(rerouted.statusCode, rerouted.body).toBe(200);
    expect((await call(owner.token, "DELETE", `/teams/${team.id}`)).statusCode).toBe(204);
  });

  it("answers 404 for another workspace's team and never lists it", async () => {
    const alice = await signUp(harness.app);
    const bob = await signUp(harness.app);
    const bobsTeam = await createTeam(bob.token, { name: "Bob's team", memberIds: [bob.user.id] });
    for (const [method, url, payload] of [
      ["GET", `/teams/${bobsTeam.id}`, undefined],
      ["PATCH", `/teams/${bobsTeam.id}`, { name: "Mine now" }],
      ["PUT", `/teams/${bobsTeam.id}/members`, { userIds: [alice.user.id] }],
      ["DELETE", `/teams/${bobsTeam.id}`, undefined],
    ] as const) {
      const response = await call(alice.token, method, url, payload);
      expect(response.statusCode, `${method} ${url}`).toBe(404);
      expect(response.json().error.code).toBe("not_found");
    }
    expect((await call(alice.token, "GET", "/teams")).json().items).toEqual([]);
    expect((await call(bob.token, "GET", `/teams/${bobsTeam.id}`)).json()).toMatchObject({ name: "Bob's team", memberCount: 1 });
    // Nor can Alice put Bob's members into her own team.
    const mine = await createTeam(alice.token, { name: "Alice's team" });
    expect((await call(alice.token, "PUT", `/teams/${mine.id}/members`, { userIds: [bob.user.id] })).statusCode).toBe(400);
  });
});
