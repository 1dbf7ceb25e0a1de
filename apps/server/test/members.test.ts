import { readFile } from "node:fs/promises";
import path from "node:path";
import { BUILT_IN_ROLES, type BuiltInRoleKey, type TMember, type TRole } from "@parley/shared";
import { and, eq, sql } from "drizzle-orm";
import type { InjectOptions } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditLog } from "../src/modules/audit/audit.tables.ts";
import { sessions, users } from "../src/modules/auth/auth.tables.ts";
import { openSession } from "../src/modules/auth/sign-in.ts";
import { inboxMembers } from "../src/modules/inboxes/inboxes.tables.ts";
import { memberships } from "../src/modules/workspaces/workspaces.tables.ts";
import { MIGRATIONS_DIR } from "../src/platform/migrate.ts";
import { createWebsiteInbox } from "./conversation-helpers.ts";
import { bearer, connectAgent, joinWorkspace, nextEvent, signUp, startTestApp, type TestApp } from "./helpers.ts";

const ZERO_ID = "00000000-0000-4000-8000-000000000000";

describe("members", () => {
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

  const addMember = async (workspaceId: string, roleKey: BuiltInRoleKey, overrides: { name?: string; email?: string } = {}) => {
    const person = await signUp(harness.app, overrides);
    const token = await joinWorkspace(harness, { userId: person.user.id, workspaceId, roleKey });
    return { ...person, ownToken: person.token, token };
  };

  /** A new session for a member in a workspace, as sign-in would open it. */
  const openNewSession = async (userId: string, workspaceId: string): Promise<string> => {
    const [user] = await harness.database.db.select().from(users).where(eq(users.id, userId));
    if (!user) throw new Error("user missing");
    const session = await openSession(harness.database.db, {
      user,
      workspaceId,
      client: { ip: "127.0.0.1", userAgent: "vitest" },
      policy: { ttlDays: 1 },
      method: "password",
    });
    return session.token;
  };

  const roleId = async (token: string, key: string): Promise<string> => {
    const roles: TRole[] = (await call(token, "GET", "/roles")).json().items;
    const role = roles.find((candidate) => candidate.key === key);
    if (!role) throw new Error(`no ${key} role`);
    return role.id;
  };

  const listMembers = async (token: string, query = ""): Promise<{ items: TMember[]; nextCursor: string | null }> => {
    const response = await call(token, "GET", `/members${query}`);
    expect(response.statusCode, response.body).toBe(200);
    return response.json();
  };

  const auditEntries = (workspaceId: string, action: string) =>
    harness.database.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.workspaceId, workspaceId), eq(auditLog.action, action)));

  it("lists members with role, status, teams, join and login times, 2FA state", async () => {
    const owner = await signUp(harness.app, { name: "Olivia Owner" });
    const agent = await addMember(owner.workspace.id, "agent", { name: "Arthur Agent" });
    await call(owner.token, "POST", "/teams", { name: "Support", memberIds: [agent.user.id] });

    const page = await listMembers(owner.token);
    expect(page.nextCursor).toBeNull();
    expect(page.items.map((member) => member.user.name)).toEqual(["Olivia Owner", "Arthur Agent"]);
    const listed = page.items[1];
    expect(listed).toMatchObject({
      user: { id: agent.user.id, name: "Arthur Agent", email: agent.user.email },
      role: { key: "agent", name: "Agent" },
      status: "active",
      teams: [{ name: "Support" }],
      deactivatedAt: null,
      twoFactorEnabled: false,
    });
    expect(Date.parse(listed?.joinedAt ?? "")).not.toBeNaN();
    expect(listed?.lastLoginAt).not.toBeNull();
    expect((await call(owner.token, "GET", `/members/${agent.user.id}`)).json()).toEqual(listed);
  });

  it("searches by name or email, filters by role and status, and pages with a cursor", async () => {
    const owner = await signUp(harness.app, { name: "Zed Owner" });
    const names = ["Maria Lopez", "Mario Rossi", "Nina Simone", "Omar_Khan"];
    const added = [];
    for (const name of names) added.push(await addMember(owner.workspace.id, "agent", { name }));
    await call(owner.token, "POST", `/members/${added[2]?.user.id}/deactivate`);

    expect((await listMembers(owner.token, "?search=mari")).items.map((member) => member.user.name)).toEqual([
      "Maria Lopez",
      "Mario Rossi",
    ]);
    const byEmail = await listMembers(owner.token, `?search=${encodeURIComponent(added[3]?.user.email.toUpperCase() ?? "")}`);
    expect(byEmail.items.map((member) => member.user.name)).toEqual(["Omar_Khan"]);
    // LIKE wildcards in the search are taken literally.
    expect((await listMembers(owner.token, "?search=_")).items.map((member) => member.user.name)).toEqual(["Omar_Khan"]);
    expect((await listMembers(owner.token, "?search=%25")).items).toEqual([]);

    const agentRole = await roleId(owner.token, "agent");
    expect((await listMembers(owner.token, `?roleId=${agentRole}`)).items).toHaveLength(4);
    expect((await listMembers(owner.token, "?status=deactivated")).items.map((member) => member.user.name)).toEqual([
      "Nina Simone",
    ]);
    expect((await listMembers(owner.token, "?status=active")).items).toHaveLength(4);

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { items: TMember[]; nextCursor: string | null } = await listMembers(
        owner.token,
        `?limit=2${cursor ? `&cursor=${cursor}` : ""}`,
      );
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items.map((member) => member.user.name));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual(["Zed Owner", ...names]);

    for (const query of ["?limit=0", "?limit=101", "?status=gone", "?roleId=abc", "?cursor=abc", "?sort=name"]) {
      expect((await call(owner.token, "GET", `/members${query}`)).statusCode, query).toBe(400);
    }
  });

  it("changes a member's role, takes effect at once and is audited", async () => {
    const owner = await signUp(harness.app);
    const agent = await addMember(owner.workspace.id, "agent");
    expect((await call(agent.token, "POST", "/teams", { name: "Before" })).statusCode).toBe(403);

    const changed = await call(owner.token, "PATCH", `/members/${agent.user.id}`, {
      roleId: await roleId(owner.token, "supervisor"),
    });
    expect(changed.statusCode).toBe(200);
    expect(changed.json().role).toMatchObject({ key: "supervisor" });
    expect((await call(agent.token, "POST", "/teams", { name: "After" })).statusCode).toBe(201);
    const [entry] = await auditEntries(owner.workspace.id, "member.role_changed");
    expect(entry).toMatchObject({
      actorId: owner.user.id,
      targetId: agent.user.id,
      before: { role: "Agent" },
      after: { role: "Supervisor" },
    });

    const invalid = await call(owner.token, "PATCH", `/members/${agent.user.id}`, { roleId: ZERO_ID });
    expect(invalid.statusCode).toBe(400);
    expect(invalid.json().error.details[0].path).toBe("body.roleId");
    expect((await call(owner.token, "PATCH", `/members/${agent.user.id}`, { roleId: "owner" })).statusCode).toBe(400);
    expect(
      (await call(owner.token, "PATCH", `/members/${agent.user.id}`, { roleId: ZERO_ID, status: "active" })).statusCode,
    ).toBe(400);
  });

  it("never leaves the workspace without an active owner", async () => {
    const owner = await signUp(harness.app);
    const adminRole = await roleId(owner.token, "admin");
    const ownerRole = await roleId(owner.token, "owner");

    const demoteSelf = await call(owner.token, "PATCH", `/members/${owner.user.id}`, { roleId: adminRole });
    expect(demoteSelf.statusCode).toBe(409);
    expect(demoteSelf.json().error.code).toBe("last_owner");
    for (const [method, url] of [
      ["POST", `/members/${owner.user.id}/deactivate`],
      ["DELETE", `/members/${owner.user.id}`],
    ] as const) {
      const response = await call(owner.token, method, url);
      expect(response.statusCode).toBe(409);
      expect(response.json().error.code).toBe("last_owner");
    }

    // With a second owner, one may step down; then the other is the last one.
    const second = await addMember(owner.workspace.id, "admin");
    await call(owner.token, "PATCH", `/members/${second.user.id}`, { roleId: ownerRole });
    expect((await call(owner.token, "PATCH", `/members/${owner.user.id}`, { roleId: adminRole })).statusCode).toBe(200);
    const demoteLast = await call(second.token, "PATCH", `/members/${second.user.id}`, { roleId: adminRole });
    expect(demoteLast.json().error.code).toBe("last_owner");

    // A deactivated owner does not count as the active owner the workspace needs.
    await call(second.token, "PATCH", `/members/${owner.user.id}`, { roleId: ownerRole });
    const ownerAgain = await openNewSession(owner.user.id, owner.workspace.id);
    expect((await call(second.token, "POST", `/members/${owner.user.id}/deactivate`)).statusCode).toBe(200);
    expect((await call(second.token, "PATCH", `/members/${second.user.id}`, { roleId: adminRole })).json().error.code).toBe(
      "last_owner",
    );
    expect((await call(ownerAgain, "GET", "/members")).statusCode).toBe(401);
  });

  it("keeps admins from changing, deactivating or removing owners", async () => {
    const owner = await signUp(harness.app);
    const admin = await addMember(owner.workspace.id, "admin");
    for (const [method, url, payload] of [
      ["PATCH", `/members/${owner.user.id}`, { roleId: await roleId(owner.token, "agent") }],
      ["POST", `/members/${owner.user.id}/deactivate`, undefined],
      ["DELETE", `/members/${owner.user.id}`, undefined],
    ] as const) {
      const response = await call(admin.token, method, url, payload);
      expect(response.statusCode, `${method} ${url}`).toBe(403);
      expect(response.json().error.message).toMatch(/Only owners/);
    }
    expect((await listMembers(owner.token)).items[0]).toMatchObject({ role: { key: "owner" }, status: "active" });
  });

  it("refuses to let anyone deactivate or remove themselves", async () => {
    const owner = await signUp(harness.app);
    const admin = await addMember(owner.workspace.id, "admin");
    for (const [method, url] of [
      ["POST", `/members/${admin.user.id}/deactivate`],
      ["DELETE", `/members/${admin.user.id}`],
    ] as const) {
      const response = await call(admin.token, method, url);
      expect(response.statusCode).toBe(409);
      expect(response.json().error).toMatchObject({ code: "lockout_risk", message: expect.stringContaining("yourself") });
    }
    expect((await call(admin.token, "GET", "/members")).statusCode).toBe(200);
  });

  it("deactivating a member ends their sessions and drops their live socket at once", async () => {
    const owner = await signUp(harness.app);
    const agent = await addMember(owner.workspace.id, "agent");
    const socket = await connectAgent(baseUrl, { token: agent.token });
    await nextEvent(socket, "session.ready");
    const dropped = nextEvent<string>(socket, "disconnect");

    const response = await call(owner.token, "POST", `/members/${agent.user.id}/deactivate`);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ status: "deactivated", deactivatedAt: expect.any(String) });
    expect(await dropped).toBe("io server disconnect");

    expect((await call(agent.token, "GET", "/members")).statusCode).toBe(401);
    await expect(connectAgent(baseUrl, { token: agent.token })).rejects.toMatchObject({ data: { code: "unauthorized" } });
    const rows = await harness.database.db
      .select()
      .from(sessions)
      .where(and(eq(sessions.userId, agent.user.id), eq(sessions.workspaceId, owner.workspace.id)));
    expect(rows.every((row) => row.revokedReason === "deactivated")).toBe(true);
    // Only sessions in this workspace end: the one in their own workspace still works.
    expect((await call(agent.ownToken, "GET", "/members")).statusCode).toBe(200);
    expect(await auditEntries(owner.workspace.id, "member.deactivated")).toHaveLength(1);

    // Reactivated, they sign in again; the ended sessions stay ended.
    const reactivated = await call(owner.token, "POST", `/members/${agent.user.id}/reactivate`);
    expect(reactivated.json()).toMatchObject({ status: "active", deactivatedAt: null });
    expect((await call(agent.token, "GET", "/members")).statusCode).toBe(401);
    const fresh = await openNewSession(agent.user.id, owner.workspace.id);
    expect((await call(fresh, "GET", "/members")).statusCode).toBe(200);
    expect(await auditEntries(owner.workspace.id, "member.reactivated")).toHaveLength(1);
  });

  it("removing a member takes them out of the workspace, its teams and inboxes, ends their sessions, keeps history", async () => {
    const owner = await signUp(harness.app);
    const supervisor = await addMember(owner.workspace.id, "supervisor");
    const team = (
      await call(supervisor.token, "POST", "/teams", {
        name: "Night",
        leadUserId: supervisor.user.id,
        memberIds: [owner.user.id],
      })
    ).json();
    const inbox = await createWebsiteInbox(harness, {
      workspaceId: owner.workspace.id,
      memberUserIds: [owner.user.id, supervisor.user.id],
    });
    const socket = await connectAgent(baseUrl, { token: supervisor.token });
    const dropped = nextEvent<string>(socket, "disconnect");

    expect((await call(owner.token, "DELETE", `/members/${supervisor.user.id}`)).statusCode).toBe(204);
    expect(await dropped).toBe("io server disconnect");
    expect((await call(supervisor.token, "GET", "/teams")).statusCode).toBe(401);
    expect((await listMembers(owner.token)).items.map((member) => member.user.id)).toEqual([owner.user.id]);
    expect((await call(owner.token, "GET", `/members/${supervisor.user.id}`)).statusCode).toBe(404);
    const after = (await call(owner.token, "GET", `/teams/${team.id}`)).json();
    expect(after).toMatchObject({ lead: null, memberCount: 1, members: [{ id: owner.user.id }] });
    const inboxAfter = (await call(owner.token, "GET", `/inboxes/${inbox.id}`)).json();
    expect(inboxAfter.members.map((member: { id: string }) => member.id)).toEqual([owner.user.id]);

    // What they did stays in the audit log, and their removal is recorded too.
    const created = await auditEntries(owner.workspace.id, "team.created");
    expect(created[0]).toMatchObject({ actorId: supervisor.user.id });
    expect((await auditEntries(owner.workspace.id, "member.removed"))[0]).toMatchObject({
      targetId: supervisor.user.id,
      before: { role: "Supervisor" },
    });
    // Their account and own workspace live on.
    expect((await call(supervisor.ownToken, "GET", "/members")).statusCode).toBe(200);
  });

  it("a migration takes members removed before removal did it off their inboxes, and keeps everyone else", async () => {
    const owner = await signUp(harness.app);
    const agent = await addMember(owner.workspace.id, "agent");
    const departed = await addMember(owner.workspace.id, "agent");
    const inbox = await createWebsiteInbox(harness, {
      workspaceId: owner.workspace.id,
      memberUserIds: [owner.user.id, agent.user.id, departed.user.id],
    });
    // Removed the way it used to be: the membership went, the inbox row stayed.
    await harness.database.db
      .delete(memberships)
      .where(and(eq(memberships.workspaceId, owner.workspace.id), eq(memberships.userId, departed.user.id)));

    const migration = await readFile(path.join(MIGRATIONS_DIR, "0013_departed_members_off_inboxes.sql"), "utf8");
    await harness.database.db.execute(sql.raw(migration));

    const left = await harness.database.db
      .select({ userId: inboxMembers.userId })
      .from(inboxMembers)
      .where(eq(inboxMembers.inboxId, inbox.id));
    expect(left.map((row) => row.userId).sort()).toEqual([owner.user.id, agent.user.id].sort());
  });

  it("answers 404 for another workspace's member and leaks nothing", async () => {
    const alice = await signUp(harness.app);
    const bob = await signUp(harness.app);
    const bobsAgent = await addMember(bob.workspace.id, "agent");
    const agentRole = await roleId(alice.token, "agent");
    for (const [method, url, payload] of [
      ["GET", `/members/${bobsAgent.user.id}`, undefined],
      ["PATCH", `/members/${bobsAgent.user.id}`, { roleId: agentRole }],
      ["POST", `/members/${bobsAgent.user.id}/deactivate`, undefined],
      ["POST", `/members/${bobsAgent.user.id}/reactivate`, undefined],
      ["DELETE", `/members/${bobsAgent.user.id}`, undefined],
      ["DELETE", `/members/${ZERO_ID}`, undefined],
    ] as const) {
      const response = await call(alice.token, method, url, payload);
      expect(response.statusCode, `${method} ${url}`).toBe(404);
      expect(response.json().error.code).toBe("not_found");
    }
    expect((await listMembers(alice.token)).items.map((member) => member.user.id)).toEqual([alice.user.id]);
    expect((await listMembers(alice.token, `?search=${encodeURIComponent(bobsAgent.user.email)}`)).items).toEqual([]);
    expect((await call(bobsAgent.token, "GET", "/members")).statusCode).toBe(200);
  });
});

type Endpoint = { method: string; path: string };

/** The access each route of this part declares; the test below proves the running app enforces exactly this. */
const EXPECTED_ACCESS: Record<string, string> = {
  "GET /api/v1/members": "members.view",
  "GET /api/v1/members/{userId}": "members.view",
  "PATCH /api/v1/members/{userId}": "members.manage",
  "POST /api/v1/members/{userId}/deactivate": "members.manage",
  "POST /api/v1/members/{userId}/reactivate": "members.manage",
  "DELETE /api/v1/members/{userId}": "members.manage",
  "GET /api/v1/invitations": "members.manage",
  "POST /api/v1/invitations": "members.manage",
  "POST /api/v1/invitations/{id}/resend": "members.manage",
  "DELETE /api/v1/invitations/{id}": "members.manage",
  "GET /api/v1/invitations/lookup": "public",
  "POST /api/v1/invitations/accept": "public",
  "GET /api/v1/roles": "members.view",
  "GET /api/v1/roles/permissions": "members.view",
  "GET /api/v1/roles/{id}": "members.view",
  "POST /api/v1/roles": "roles.manage",
  "PATCH /api/v1/roles/{id}": "roles.manage",
  "DELETE /api/v1/roles/{id}": "roles.manage",
  "GET /api/v1/teams": "authenticated",
  "GET /api/v1/teams/{id}": "authenticated",
  "POST /api/v1/teams": "teams.manage",
  "PATCH /api/v1/teams/{id}": "teams.manage",
  "PUT /api/v1/teams/{id}/members": "teams.manage",
  "DELETE /api/v1/teams/{id}": "teams.manage",
};

const PREFIXES = ["/api/v1/members", "/api/v1/invitations", "/api/v1/roles", "/api/v1/teams"];

describe("the route table of members, invitations, roles and teams", () => {
  let harness: TestApp;
  let endpoints: Endpoint[];
  beforeAll(async () => {
    harness = await startTestApp();
    const document: { paths: Record<string, Record<string, unknown>> } = (
      await harness.app.inject({ url: "/api/openapi.json" })
    ).json();
    endpoints = Object.entries(document.paths)
      .filter(([path]) => PREFIXES.some((prefix) => path.startsWith(prefix)))
      .flatMap(([path, operations]) =>
        Object.keys(operations)
          .filter((method) => ["get", "post", "put", "patch", "delete"].includes(method))
          .map((method) => ({ method: method.toUpperCase(), path })),
      );
  });
  afterAll(async () => {
    await harness.close();
  });

  const send = (endpoint: Endpoint, token?: string) =>
    harness.app.inject({
      method: endpoint.method as InjectOptions["method"],
      url: endpoint.path.replace(/\{[^}]+\}/g, ZERO_ID),
      ...(token ? { headers: bearer(token) } : {}),
      ...(["POST", "PUT", "PATCH"].includes(endpoint.method) ? { payload: {} } : {}),
    });

  it("documents every route in OpenAPI, exactly the expected ones", () => {
    expect(endpoints.map((endpoint) => `${endpoint.method} ${endpoint.path}`).sort()).toEqual(
      Object.keys(EXPECTED_ACCESS).sort(),
    );
  });

  it("answers 401 without credentials on every route but the public ones", async () => {
    for (const endpoint of endpoints) {
      const key = `${endpoint.method} ${endpoint.path}`;
      const response = await send(endpoint);
      if (EXPECTED_ACCESS[key] === "public") expect(response.statusCode, key).not.toBe(401);
      else expect(response.statusCode, key).toBe(401);
    }
  });

  it("declares a permission on every route and refuses it to members whose role lacks it", async () => {
    const owner = await signUp(harness.app);
    // A member whose role grants nothing reveals each route's declared permission in its 403.
    const nothing = (
      await harness.app.inject({
        method: "POST",
        url: "/api/v1/roles",
        headers: bearer(owner.token),
        payload: { name: "Nothing", permissions: [] },
      })
    ).json();
    const probe = await signUp(harness.app);
    const probeToken = await joinWorkspace(harness, { userId: probe.user.id, workspaceId: owner.workspace.id, roleKey: "agent" });
    await harness.app.inject({
      method: "PATCH",
      url: `/api/v1/members/${probe.user.id}`,
      headers: bearer(owner.token),
      payload: { roleId: nothing.id },
    });
    const agent = await signUp(harness.app);
    const agentToken = await joinWorkspace(harness, { userId: agent.user.id, workspaceId: owner.workspace.id, roleKey: "agent" });
    const agentPermissions: readonly string[] = BUILT_IN_ROLES.agent.permissions;

    let refusedToAgent = 0;
    for (const endpoint of endpoints) {
      const key = `${endpoint.method} ${endpoint.path}`;
      const expected = EXPECTED_ACCESS[key];
      if (expected === "public") continue;
      const probed = await send(endpoint, probeToken);
      const declared = probed.statusCode === 403 ? probed.json().error.details?.permission : "authenticated";
      expect(declared, key).toBe(expected);

      const asAgent = await send(endpoint, agentToken);
      if (expected !== "authenticated" && !agentPermissions.includes(expected ?? "")) {
        expect(asAgent.statusCode, key).toBe(403);
        expect(asAgent.json().error).toMatchObject({ code: "forbidden", details: { permission: expected } });
        refusedToAgent++;
      } else {
        expect(asAgent.statusCode, key).not.toBe(403);
      }
    }
    expect(refusedToAgent).toBe(Object.values(EXPECTED_ACCESS).filter((access) => access.endsWith(".manage")).length);
  });
});
