import { PERMISSION_NAMES, PERMISSIONS, type TRole } from "@parley/shared";
import { and, eq } from "drizzle-orm";
import type { InjectOptions } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditLog } from "../src/modules/audit/audit.tables.ts";
import { createSigningKey } from "./fixtures/sso/test-keys.ts";
import { bearer, connectAgent, joinWorkspace, nextEvent, signUp, startTestApp, type TestApp } from "./helpers.ts";

describe("roles and the permission matrix", () => {
  let harness: TestApp;
  let baseUrl: string;
  beforeAll(async () => {
    harness = await startTestApp();
    baseUrl = await harness.listen();
  });
  afterAll(async () => {
    await harness.close();
  });

  const call = (token: string, method: InjectOptions["method"], url: string, payload?: object) =>
    harness.app.inject({ method, url: `/api/v1${url}`, headers: bearer(token), ...(payload ? { payload } : {}) });

  const rolesOf = async (token: string): Promise<TRole[]> => (await call(token, "GET", "/roles")).json().items;

  const roleByKey = async (token: string, key: string): Promise<TRole> => {
    const role = (await rolesOf(token)).find((candidate) => candidate.key === key);
    if (!role) throw new Error(`no ${key} role`);
    return role;
  };

  const auditActions = async (workspaceId: string, action: string) =>
    harness.database.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.workspaceId, workspaceId), eq(auditLog.action, action)));

  /** A second person in the owner's workspace with a built-in role. */
  const addMember = async (workspaceId: string, roleKey: "owner" | "admin" | "supervisor" | "agent") => {
    const person = await signUp(harness.app);
    const token = await joinWorkspace(harness, { userId: person.user.id, workspaceId, roleKey });
    return { ...person, token };
  };

  it("lists the four built-in roles with their permissions and member counts", async () => {
    const owner = await signUp(harness.app);
    await addMember(owner.workspace.id, "agent");
    await addMember(owner.workspace.id, "agent");
    const roles = await rolesOf(owner.token);
    expect(roles.map((role) => role.key)).toEqual(["owner", "admin", "supervisor", "agent"]);
    expect(roles.every((role) => role.isBuiltIn)).toBe(true);
    expect(roles[0]).toMatchObject({ name: "Owner", memberCount: 1, permissions: PERMISSION_NAMES });
    expect(roles[3]).toMatchObject({
      name: "Agent",
      memberCount: 2,
      permissions: ["contacts.view", "contacts.manage", "members.view"],
    });
    expect(roles[1]?.permissions).not.toContain("billing.manage");
  });

  it("shows the permission matrix: every permission, its description, and which roles grant it", async () => {
    const owner = await signUp(harness.app);
    const custom = (
      await call(owner.token, "POST", "/roles", { name: "Reporter", permissions: ["reports.view", "members.view"] })
    ).json();
    const matrix = (await call(owner.token, "GET", "/roles/permissions")).json();
    expect(matrix.permissions.map((row: { name: string }) => row.name)).toEqual(PERMISSION_NAMES);
    expect(matrix.roles.map((role: { name: string }) => role.name)).toEqual([
      "Owner",
      "Admin",
      "Supervisor",
      "Agent",
      "Reporter",
    ]);
    const byName = new Map<string, { description: string; grantedBy: Record<string, boolean> }>(
      matrix.permissions.map((row: { name: string }) => [row.name, row]),
    );
    const ownerRole = await roleByKey(owner.token, "owner");
    const adminRole = await roleByKey(owner.token, "admin");
    const agentRole = await roleByKey(owner.token, "agent");
    for (const permission of PERMISSION_NAMES) {
      const row = byName.get(permission);
      expect(row?.description).toBe(PERMISSIONS[permission]);
      expect(row?.grantedBy[ownerRole.id]).toBe(true);
      expect(row?.grantedBy[agentRole.id]).toBe(["contacts.view", "contacts.manage", "members.view"].includes(permission));
      expect(row?.grantedBy[custom.id]).toBe(["reports.view", "members.view"].includes(permission));
    }
    expect(byName.get("billing.manage")?.grantedBy[adminRole.id]).toBe(false);
    // Agents read the matrix (members.view) but cannot change roles.
    const agent = await addMember(owner.workspace.id, "agent");
    expect((await call(agent.token, "GET", "/roles/permissions")).statusCode).toBe(200);
    expect((await call(agent.token, "POST", "/roles", { name: "Mine", permissions: [] })).json().error).toMatchObject({
      code: "forbidden",
      reason: "permission_required",
      params: { permission: "roles.manage" },
    });
  });

  it("creates, renames and deletes a custom role, auditing each change", async () => {
    const owner = await signUp(harness.app);
    const created = await call(owner.token, "POST", "/roles", {
      name: "  Night shift  ",
      description: "Covers nights",
      permissions: ["members.view", "conversations.assign", "members.view"],
    });
    expect(created.statusCode).toBe(201);
    const role = created.json();
    expect(role).toMatchObject({
      key: null,
      name: "Night shift",
      description: "Covers nights",
      isBuiltIn: false,
      memberCount: 0,
      // Catalogue order, duplicates dropped.
      permissions: ["conversations.assign", "members.view"],
    });
    expect((await call(owner.token, "GET", `/roles/${role.id}`)).json().name).toBe("Night shift");

    const renamed = await call(owner.token, "PATCH", `/roles/${role.id}`, { name: "Late shift", permissions: ["reports.view"] });
    expect(renamed.statusCode).toBe(200);
    expect(renamed.json()).toMatchObject({ name: "Late shift", description: "Covers nights", permissions: ["reports.view"] });
    const [updated] = await auditActions(owner.workspace.id, "role.updated");
    expect(updated).toMatchObject({
      targetId: role.id,
      before: { name: "Night shift", permissions: ["conversations.assign", "members.view"] },
      after: { name: "Late shift", permissions: ["reports.view"] },
    });

    expect((await call(owner.token, "DELETE", `/roles/${role.id}`)).statusCode).toBe(204);
    expect((await call(owner.token, "GET", `/roles/${role.id}`)).statusCode).toBe(404);
    expect((await rolesOf(owner.token)).some((candidate) => candidate.id === role.id)).toBe(false);
    expect(await auditActions(owner.workspace.id, "role.created")).toHaveLength(1);
    expect((await auditActions(owner.workspace.id, "role.deleted"))[0]).toMatchObject({ targetLabel: "Late shift" });
  });

  it("refuses duplicate names (any case, built-in names too) and malformed roles", async () => {
    const owner = await signUp(harness.app);
    await call(owner.token, "POST", "/roles", { name: "Billing", permissions: ["billing.manage"] });
    for (const name of ["billing", "OWNER"]) {
      const duplicate = await call(owner.token, "POST", "/roles", { name, permissions: [] });
      expect(duplicate.statusCode).toBe(409);
      expect(duplicate.json().error.code).toBe("conflict");
    }
    const other = (await call(owner.token, "POST", "/roles", { name: "Other", permissions: [] })).json();
    expect((await call(owner.token, "PATCH", `/roles/${other.id}`, { name: "BILLING" })).json().error.code).toBe("conflict");

    for (const payload of [
      { name: "X", permissions: ["conversations.delete_everything"] },
      { name: "", permissions: [] },
      { name: "X" },
      { name: "X", permissions: [], isBuiltIn: true },
      { name: "x".repeat(61), permissions: [] },
    ]) {
      const response = await call(owner.token, "POST", "/roles", payload);
      expect(response.statusCode, JSON.stringify(payload)).toBe(400);
      expect(response.json().error.code).toBe("validation_failed");
    }
  });

  it("never edits or deletes a built-in role", async () => {
    const owner = await signUp(harness.app);
    for (const key of ["owner", "admin", "supervisor", "agent"]) {
      const role = await roleByKey(owner.token, key);
      const edit = await call(owner.token, "PATCH", `/roles/${role.id}`, { permissions: ["members.view"] });
      expect(edit.statusCode).toBe(409);
      expect(edit.json().error).toMatchObject({ code: "conflict", reason: "role_built_in", params: { name: role.name } });
      expect((await call(owner.token, "DELETE", `/roles/${role.id}`)).statusCode).toBe(409);
    }
    expect((await roleByKey(owner.token, "agent")).permissions).toEqual(["contacts.view", "contacts.manage", "members.view"]);
  });

  it("refuses to delete a role still held by members or pending invitations, naming how many", async () => {
    const owner = await signUp(harness.app);
    const role = (await call(owner.token, "POST", "/roles", { name: "Temp", permissions: ["members.view"] })).json();
    const member = await addMember(owner.workspace.id, "agent");
    await call(owner.token, "PATCH", `/members/${member.user.id}`, { roleId: role.id });
    const held = await call(owner.token, "DELETE", `/roles/${role.id}`);
    expect(held.statusCode).toBe(409);
    expect(held.json().error).toMatchObject({
      code: "in_use",
      details: { memberCount: 1, pendingInvitationCount: 0 },
      reason: "role_has_holders",
      params: { role: "Temp", memberCount: 1, invitationCount: 0 },
    });
    expect(held.json().error.message).toContain("1 member");

    await call(owner.token, "PATCH", `/members/${member.user.id}`, { roleId: (await roleByKey(owner.token, "agent")).id });
    const invitation = (await call(owner.token, "POST", "/invitations", { email: "temp@example.com", roleId: role.id })).json();
    const invited = await call(owner.token, "DELETE", `/roles/${role.id}`);
    expect(invited.statusCode).toBe(409);
    expect(invited.json().error.message).toContain("1 pending invitation");
    expect(invited.json().error.params).toEqual({ role: "Temp", memberCount: 0, invitationCount: 1 });

    // Once the invitation is revoked only history points at the role, and it can go.
    await call(owner.token, "DELETE", `/invitations/${invitation.id}`);
    expect((await call(owner.token, "DELETE", `/roles/${role.id}`)).statusCode).toBe(204);
  });

  it("refuses to delete a role that single sign-on gives new members", async () => {
    const owner = await signUp(harness.app);
    const role = (await call(owner.token, "POST", "/roles", { name: "SSO joiners", permissions: ["members.view"] })).json();
    const idp = await createSigningKey();
    const connection = await call(owner.token, "POST", "/sso/connections", {
      protocol: "saml",
      name: "Okta",
      idpEntryPoint: "https://idp.example.test/sso",
      idpIssuer: "https://idp.example.test",
      idpCertificate: idp.certificate,
      domains: [`joiners-${owner.workspace.slug}.test`],
      defaultRoleId: role.id,
    });
    expect(connection.statusCode, connection.body).toBe(201);
    const refused = await call(owner.token, "DELETE", `/roles/${role.id}`);
    expect(refused.statusCode).toBe(409);
    expect(refused.json().error).toMatchObject({
      code: "in_use",
      details: { ssoConnections: ["Okta"] },
      reason: "role_is_sso_default",
      params: { role: "SSO joiners", connections: "Okta" },
    });
    expect(refused.json().error.message).toContain("default role of single sign-on");
  });

  it("stops anyone from handing out a permission they do not hold (escalation guard)", async () => {
    const owner = await signUp(harness.app);
    const admin = await addMember(owner.workspace.id, "admin");

    const withBilling = await call(admin.token, "POST", "/roles", { name: "Finance", permissions: ["billing.manage"] });
    expect(withBilling.statusCode).toBe(403);
    expect(withBilling.json().error).toMatchObject({
      code: "forbidden",
      details: { missingPermissions: ["billing.manage"] },
      reason: "permissions_not_held",
      params: { permissions: "billing.manage" },
    });

    const helper = (await call(admin.token, "POST", "/roles", { name: "Helper", permissions: ["members.view"] })).json();
    const raise = await call(admin.token, "PATCH", `/roles/${helper.id}`, { permissions: ["members.view", "billing.manage"] });
    expect(raise.statusCode).toBe(403);

    // A role that already grants more than the admin holds is out of the admin's reach altogether.
    const finance = (await call(owner.token, "POST", "/roles", { name: "Finance", permissions: ["billing.manage"] })).json();
    expect((await call(admin.token, "PATCH", `/roles/${finance.id}`, { name: "Money" })).statusCode).toBe(403);
    expect((await call(admin.token, "DELETE", `/roles/${finance.id}`)).statusCode).toBe(403);

    // Nor can the admin assign such a role, or the owner role, to anyone.
    const agent = await addMember(owner.workspace.id, "agent");
    expect((await call(admin.token, "PATCH", `/members/${agent.user.id}`, { roleId: finance.id })).statusCode).toBe(403);
    const toOwner = await call(admin.token, "PATCH", `/members/${agent.user.id}`, {
      roleId: (await roleByKey(owner.token, "owner")).id,
    });
    expect(toOwner.statusCode).toBe(403);
    expect(toOwner.json().error.message).toMatch(/Only owners/);

    // A member holding only what a custom role gives cannot step outside it either.
    const manager = (
      await call(owner.token, "POST", "/roles", {
        name: "Role manager",
        permissions: ["roles.manage", "members.view", "members.manage"],
      })
    ).json();
    await call(owner.token, "PATCH", `/members/${agent.user.id}`, { roleId: manager.id });
    const sneaky = await call(agent.token, "POST", "/roles", { name: "Sneaky", permissions: ["settings.manage"] });
    expect(sneaky.json().error).toMatchObject({ code: "forbidden", details: { missingPermissions: ["settings.manage"] } });
    const toAdmin = await call(agent.token, "PATCH", `/members/${agent.user.id}`, {
      roleId: (await roleByKey(owner.token, "admin")).id,
    });
    expect(toAdmin.statusCode).toBe(403);
    expect((await call(agent.token, "POST", "/roles", { name: "Fine", permissions: ["members.view"] })).statusCode).toBe(201);
    expect((await rolesOf(owner.token)).map((role) => role.name)).not.toContain("Sneaky");
  });

  it("refuses to take roles.manage away from the editor's own role (lockout)", async () => {
    const owner = await signUp(harness.app);
    const manager = (
      await call(owner.token, "POST", "/roles", { name: "Manager", permissions: ["roles.manage", "members.view"] })
    ).json();
    const member = await addMember(owner.workspace.id, "agent");
    await call(owner.token, "PATCH", `/members/${member.user.id}`, { roleId: manager.id });
    const response = await call(member.token, "PATCH", `/roles/${manager.id}`, { permissions: ["members.view"] });
    expect(response.statusCode).toBe(409);
    expect(response.json().error.code).toBe("lockout_risk");
    expect((await call(member.token, "PATCH", `/roles/${manager.id}`, { description: "Still mine" })).statusCode).toBe(200);
  });

  it("applies a role's new permissions to its members at once and drops their sockets when permissions shrink", async () => {
    const owner = await signUp(harness.app);
    const role = (await call(owner.token, "POST", "/roles", { name: "Lead", permissions: ["members.view"] })).json();
    const member = await addMember(owner.workspace.id, "agent");
    await call(owner.token, "PATCH", `/members/${member.user.id}`, { roleId: role.id });
    expect((await call(member.token, "POST", "/teams", { name: "Alpha" })).statusCode).toBe(403);

    await call(owner.token, "PATCH", `/roles/${role.id}`, { permissions: ["members.view", "teams.manage"] });
    expect((await call(member.token, "POST", "/teams", { name: "Alpha" })).statusCode).toBe(201);

    const socket = await connectAgent(baseUrl, { token: member.token });
    const dropped = nextEvent<string>(socket, "disconnect");
    await call(owner.token, "PATCH", `/roles/${role.id}`, { permissions: ["members.view"] });
    expect(await dropped).toBe("io server disconnect");
    expect((await call(member.token, "POST", "/teams", { name: "Beta" })).statusCode).toBe(403);
    // The session itself lives on with the smaller set.
    expect((await call(member.token, "GET", "/members")).statusCode).toBe(200);
  });

  it("answers 404 for another workspace's role and never shows it", async () => {
    const alice = await signUp(harness.app);
    const bob = await signUp(harness.app);
    const bobsRole = (await call(bob.token, "POST", "/roles", { name: "Bob's", permissions: [] })).json();
    for (const [method, payload] of [
      ["GET", undefined],
      ["PATCH", { name: "Stolen" }],
      ["DELETE", undefined],
    ] as const) {
      const response = await call(alice.token, method, `/roles/${bobsRole.id}`, payload);
      expect(response.statusCode, method).toBe(404);
      expect(response.json().error.code).toBe("not_found");
    }
    expect((await rolesOf(alice.token)).map((role) => role.id)).not.toContain(bobsRole.id);
    const matrix = (await call(alice.token, "GET", "/roles/permissions")).json();
    expect(Object.keys(matrix.permissions[0].grantedBy)).not.toContain(bobsRole.id);
    expect((await call(bob.token, "GET", `/roles/${bobsRole.id}`)).json().name).toBe("Bob's");

    // Another workspace's role cannot be given to a member either.
    const agent = await addMember(alice.workspace.id, "agent");
    const assign = await call(alice.token, "PATCH", `/members/${agent.user.id}`, { roleId: bobsRole.id });
    expect(assign.statusCode).toBe(400);
    expect(assign.json().error.details[0].path).toBe("body.roleId");
  });
});
