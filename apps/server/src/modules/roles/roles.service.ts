import {
  PERMISSION_NAMES,
  PERMISSIONS,
  type Permission,
  type TCreateRoleRequest,
  type TPermissionMatrix,
  type TRole,
  type TUpdateRoleRequest,
} from "@parley/shared";
import { and, asc, count, eq, gt, isNotNull, isNull, or, sql } from "drizzle-orm";
import type { Database, DatabaseOrTransaction } from "../../platform/db.ts";
import { isUniqueViolation } from "../../platform/db.ts";
import { AppError } from "../../platform/errors.ts";
import type { RequestIdentity } from "../../platform/identity.ts";
import type { RealtimePublisher } from "../../platform/realtime.ts";
import { type AuditActor, changedFields, publishAudit, recordAudit } from "../audit/audit.service.ts";
import { invitations } from "../members/invitations.tables.ts";
import { ssoConnections } from "../sso/sso.tables.ts";
import { memberships, roles } from "../workspaces/workspaces.tables.ts";

export type RoleRow = typeof roles.$inferSelect;

const ROLE_NOT_FOUND = "No role with this id in this workspace.";

export const findRole = async (db: DatabaseOrTransaction, workspaceId: string, roleId: string): Promise<RoleRow | null> => {
  const [role] = await db
    .select()
    .from(roles)
    .where(and(eq(roles.workspaceId, workspaceId), eq(roles.id, roleId)));
  return role ?? null;
};

export const findOwnerRole = async (db: DatabaseOrTransaction, workspaceId: string): Promise<RoleRow> => {
  const [role] = await db
    .select()
    .from(roles)
    .where(and(eq(roles.workspaceId, workspaceId), eq(roles.key, "owner")));
  if (!role) throw new Error(`workspace ${workspaceId} has no owner role`);
  return role;
};

/** A role id sent in a request body that this workspace does not have. */
export const unknownRoleError = (path: string) =>
  new AppError("validation_failed", "Choose one of this workspace's roles (GET /roles).", [
    { path, message: "no such role in this workspace" },
  ]);

const isCallerOwner = async (db: DatabaseOrTransaction, identity: RequestIdentity): Promise<boolean> => {
  if (identity.roleId === null) return false;
  const role = await findRole(db, identity.workspaceId, identity.roleId);
  return role?.key === "owner";
};

/**
 * The escalation guard: nobody hands out (in a role, an invitation or an assignment) a
 * permission they do not hold themselves.
 */
export const assertHoldsPermissions = (identity: RequestIdentity, permissions: readonly Permission[], action: string): void => {
  const missing = permissions.filter((permission) => !identity.permissions.includes(permission));
  if (missing.length > 0) {
    throw new AppError(
      "forbidden",
      `You cannot ${action}: it involves permissions you do not hold yourself (${missing.join(", ")}).`,
      { missingPermissions: missing },
      { reason: "permissions_not_held", params: { permissions: missing.join(", ") } },
    );
  }
};

/**
 * Assigning a role (or managing someone who holds it) needs every permission it grants, and the
 * owner role only moves between owners.
 */
export const assertMayHandleRole = async (
  db: DatabaseOrTransaction,
  identity: RequestIdentity,
  role: Pick<RoleRow, "key" | "name" | "permissions">,
  action: string,
): Promise<void> => {
  if (role.key === "owner" && !(await isCallerOwner(db, identity))) {
    throw new AppError("forbidden", `Only owners can ${action}.`, undefined, { reason: "owner_role_owners_only" });
  }
  assertHoldsPermissions(identity, role.permissions, action);
};

type RoleCounts = { memberCount: number; pendingInvitationCount: number };

/** How many members (active or not) and pending invitations hold each role of the workspace. */
const countRoleHolders = async (
  db: DatabaseOrTransaction,
  workspaceId: string,
  roleId?: string,
): Promise<(roleId: string) => RoleCounts> => {
  const [members, pending] = await Promise.all([
    db
      .select({ roleId: memberships.roleId, count: count() })
      .from(memberships)
      .where(and(eq(memberships.workspaceId, workspaceId), roleId ? eq(memberships.roleId, roleId) : undefined))
      .groupBy(memberships.roleId),
    db
      .select({ roleId: invitations.roleId, count: count() })
      .from(invitations)
      .where(
        and(
          eq(invitations.workspaceId, workspaceId),
          roleId ? eq(invitations.roleId, roleId) : undefined,
          isNull(invitations.acceptedAt),
          isNull(invitations.revokedAt),
          gt(invitations.expiresAt, sql`now()`),
        ),
      )
      .groupBy(invitations.roleId),
  ]);
  const memberCounts = new Map(members.map((row) => [row.roleId, row.count]));
  const pendingCounts = new Map(pending.map((row) => [row.roleId, row.count]));
  return (id) => ({ memberCount: memberCounts.get(id) ?? 0, pendingInvitationCount: pendingCounts.get(id) ?? 0 });
};

const toRoleDto = (role: RoleRow, counts: RoleCounts): TRole => ({
  id: role.id,
  key: role.key,
  name: role.name,
  description: role.description,
  permissions: role.permissions,
  isBuiltIn: role.key !== null,
  memberCount: counts.memberCount,
  pendingInvitationCount: counts.pendingInvitationCount,
  createdAt: role.createdAt.toISOString(),
  updatedAt: role.updatedAt.toISOString(),
});

/** Built-in roles first (owner → agent), then custom roles by name. */
export const listRoles = async (db: DatabaseOrTransaction, workspaceId: string): Promise<TRole[]> => {
  const rows = await db
    .select()
    .from(roles)
    .where(eq(roles.workspaceId, workspaceId))
    .orderBy(sql`${roles.key} is null`, sql`case when ${roles.key} is null then lower(${roles.name}) end`, asc(roles.id));
  const countsOf = await countRoleHolders(db, workspaceId);
  return rows.map((role) => toRoleDto(role, countsOf(role.id)));
};

const getRoleDto = async (db: DatabaseOrTransaction, workspaceId: string, roleId: string): Promise<TRole> => {
  const role = await findRole(db, workspaceId, roleId);
  if (!role) throw new AppError("not_found", ROLE_NOT_FOUND);
  return toRoleDto(role, (await countRoleHolders(db, workspaceId, roleId))(roleId));
};

export const getRole = (db: Database, workspaceId: string, roleId: string): Promise<TRole> => getRoleDto(db, workspaceId, roleId);

export const getPermissionMatrix = async (db: Database, workspaceId: string): Promise<TPermissionMatrix> => {
  const all = await listRoles(db, workspaceId);
  return {
    roles: all.map((role) => ({ id: role.id, key: role.key, name: role.name, isBuiltIn: role.isBuiltIn })),
    permissions: PERMISSION_NAMES.map((name) => ({
      name,
      description: PERMISSIONS[name],
      grantedBy: Object.fromEntries(all.map((role) => [role.id, role.permissions.includes(name)])),
    })),
  };
};

const duplicateNameError = (name: string) =>
  new AppError(
    "conflict",
    `A role named "${name}" already exists in this workspace; choose another name.`,
    [{ path: "body.name", message: "already used by another role" }],
    { reason: "role_name_taken", params: { name } },
  );

/** Keeps the catalogue's order so stored permission lists read the same everywhere. */
const inCatalogueOrder = (permissions: readonly Permission[]): Permission[] =>
  PERMISSION_NAMES.filter((name) => permissions.includes(name));

export const createRole = async (
  db: Database,
  realtime: RealtimePublisher,
  identity: RequestIdentity,
  input: TCreateRoleRequest,
  actor: AuditActor,
): Promise<TRole> => {
  assertHoldsPermissions(identity, input.permissions, "create this role");
  const permissions = inCatalogueOrder(input.permissions);
  try {
    const { role, entry } = await db.transaction(async (tx) => {
      const [role] = await tx
        .insert(roles)
        .values({ workspaceId: identity.workspaceId, name: input.name, description: input.description, permissions })
        .returning();
      if (!role) throw new Error("role insert returned no row");
      const entry = await recordAudit(tx, {
        workspaceId: identity.workspaceId,
        actor,
        action: "role.created",
        target: { type: "role", id: role.id, label: role.name },
        after: { name: role.name, description: role.description, permissions },
      });
      return { role, entry };
    });
    publishAudit(realtime, identity.workspaceId, entry);
    return toRoleDto(role, { memberCount: 0, pendingInvitationCount: 0 });
  } catch (error) {
    if (isUniqueViolation(error, "roles_workspace_name_unique")) throw duplicateNameError(input.name);
    throw error;
  }
};

const lockCustomRole = async (tx: DatabaseOrTransaction, workspaceId: string, roleId: string): Promise<RoleRow> => {
  const [role] = await tx
    .select()
    .from(roles)
    .where(and(eq(roles.workspaceId, workspaceId), eq(roles.id, roleId)))
    .for("update");
  if (!role) throw new AppError("not_found", ROLE_NOT_FOUND);
  if (role.key !== null) {
    throw new AppError(
      "conflict",
      `"${role.name}" is a built-in role and cannot be changed or deleted; create a custom role instead.`,
      undefined,
      { reason: "role_built_in", params: { name: role.name } },
    );
  }
  return role;
};

const memberIdsWithRole = async (db: DatabaseOrTransaction, roleId: string): Promise<string[]> => {
  const rows = await db.select({ userId: memberships.userId }).from(memberships).where(eq(memberships.roleId, roleId));
  return rows.map((row) => row.userId);
};

export const updateRole = async (
  db: Database,
  realtime: RealtimePublisher,
  identity: RequestIdentity,
  roleId: string,
  input: TUpdateRoleRequest,
  actor: AuditActor,
): Promise<TRole> => {
  try {
    const { entry, lostPermissions } = await db.transaction(async (tx) => {
      const before = await lockCustomRole(tx, identity.workspaceId, roleId);
      const permissions = input.permissions ? inCatalogueOrder(input.permissions) : before.permissions;
      // Editing a role touches everyone who holds it: the editor must hold what it grants before and after.
      assertHoldsPermissions(identity, [...new Set([...before.permissions, ...permissions])], `change the role "${before.name}"`);
      const lostPermissions = before.permissions.filter((permission) => !permissions.includes(permission));
      if (identity.roleId === before.id && lostPermissions.includes("roles.manage")) {
        throw new AppError(
          "lockout_risk",
          `This would take "roles.manage" away from your own role "${before.name}" and lock you out of role management; ask another admin to do it.`,
        );
      }
      const next = {
        name: input.name ?? before.name,
        description: input.description ?? before.description,
        permissions,
      };
      const diff = changedFields({ name: before.name, description: before.description, permissions: before.permissions }, next);
      if (!diff) return { entry: null, lostPermissions: [] };
      await tx
        .update(roles)
        .set({ ...next, updatedAt: new Date() })
        .where(eq(roles.id, before.id));
      const entry = await recordAudit(tx, {
        workspaceId: identity.workspaceId,
        actor,
        action: "role.updated",
        target: { type: "role", id: before.id, label: next.name },
        ...diff,
      });
      return { entry, lostPermissions };
    });
    if (entry) publishAudit(realtime, identity.workspaceId, entry);
    if (lostPermissions.length > 0) {
      // Open sockets keep the permissions they connected with; reconnecting picks up the smaller set.
      for (const userId of await memberIdsWithRole(db, roleId)) realtime.disconnectMember(identity.workspaceId, userId);
    }
    return await getRoleDto(db, identity.workspaceId, roleId);
  } catch (error) {
    if (isUniqueViolation(error, "roles_workspace_name_unique")) throw duplicateNameError(input.name ?? "");
    throw error;
  }
};

const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? "" : "s"}`;

export const deleteRole = async (
  db: Database,
  realtime: RealtimePublisher,
  identity: RequestIdentity,
  roleId: string,
  actor: AuditActor,
): Promise<void> => {
  const entry = await db.transaction(async (tx) => {
    const role = await lockCustomRole(tx, identity.workspaceId, roleId);
    assertHoldsPermissions(identity, role.permissions, `delete the role "${role.name}"`);
    const counts = (await countRoleHolders(tx, identity.workspaceId, role.id))(role.id);
    const memberCount = counts.memberCount;
    const pendingCount = counts.pendingInvitationCount;
    if (memberCount > 0 || pendingCount > 0) {
      const holders = [
        memberCount > 0 ? plural(memberCount, "member") : null,
        pendingCount > 0 ? plural(pendingCount, "pending invitation") : null,
      ]
        .filter((part) => part !== null)
        .join(" and ");
      throw new AppError(
        "in_use",
        `The role "${role.name}" is still assigned to ${holders}; give them another role (or revoke the invitations) first.`,
        { memberCount, pendingInvitationCount: pendingCount },
        { reason: "role_has_holders", params: { role: role.name, memberCount, invitationCount: pendingCount } },
      );
    }
    const ssoDefaults = await tx
      .select({ name: ssoConnections.name })
      .from(ssoConnections)
      .where(and(eq(ssoConnections.workspaceId, identity.workspaceId), eq(ssoConnections.defaultRoleId, role.id)));
    if (ssoDefaults.length > 0) {
      const connectionNames = ssoDefaults.map((connection) => connection.name);
      throw new AppError(
        "in_use",
        `The role "${role.name}" is the default role of single sign-on (${connectionNames.join(", ")}); choose another default role there first.`,
        { ssoConnections: connectionNames },
        { reason: "role_is_sso_default", params: { role: role.name, connections: connectionNames.join(", ") } },
      );
    }
    // Finished invitations still point at the role; they are history only, and the audit log keeps their story.
    await tx
      .delete(invitations)
      .where(
        and(
          eq(invitations.roleId, role.id),
          or(isNotNull(invitations.acceptedAt), isNotNull(invitations.revokedAt), sql`${invitations.expiresAt} <= now()`),
        ),
      );
    await tx.delete(roles).where(and(eq(roles.id, role.id), isNull(roles.key)));
    return recordAudit(tx, {
      workspaceId: identity.workspaceId,
      actor,
      action: "role.deleted",
      target: { type: "role", id: role.id, label: role.name },
      before: { name: role.name, description: role.description, permissions: role.permissions },
    });
  });
  publishAudit(realtime, identity.workspaceId, entry);
};
