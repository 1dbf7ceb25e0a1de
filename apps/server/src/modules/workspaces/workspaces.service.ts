import { randomBytes } from "node:crypto";
import {
  BUILT_IN_ROLE_KEYS,
  BUILT_IN_ROLES,
  type BuiltInRoleKey,
  type TMembership,
  type TRoleSummary,
  type TUpdateWorkspaceRequest,
  type TWorkspace,
} from "@parley/shared";
import { and, asc, eq } from "drizzle-orm";
import type { Database, DatabaseOrTransaction } from "../../platform/db.ts";
import { AppError } from "../../platform/errors.ts";
import { type RealtimePublisher, rooms } from "../../platform/realtime.ts";
import { type AuditActor, changedFields, publishAudit, recordAudit } from "../audit/audit.service.ts";
import { memberships, roles, workspaces } from "./workspaces.tables.ts";

type WorkspaceRow = typeof workspaces.$inferSelect;

export const toWorkspaceDto = (workspace: WorkspaceRow): TWorkspace => ({
  id: workspace.id,
  name: workspace.name,
  slug: workspace.slug,
  createdAt: workspace.createdAt.toISOString(),
});

const slugFor = (name: string): string => {
  const base = name
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 40);
  // The suffix keeps slugs unique without a retry loop when two companies share a name.
  return `${base || "workspace"}-${randomBytes(4).toString("hex")}`;
};

type RoleRow = typeof roles.$inferSelect;

export const toRoleSummary = (role: Pick<RoleRow, "id" | "key" | "name">): TRoleSummary => ({
  id: role.id,
  key: role.key,
  name: role.name,
});

/** Every workspace starts with the four built-in roles; returns them by key. */
const createBuiltInRoles = async (tx: DatabaseOrTransaction, workspaceId: string): Promise<Record<BuiltInRoleKey, RoleRow>> => {
  const rows = await tx
    .insert(roles)
    .values(
      BUILT_IN_ROLE_KEYS.map((key) => ({
        workspaceId,
        key,
        name: BUILT_IN_ROLES[key].name,
        permissions: [...BUILT_IN_ROLES[key].permissions],
      })),
    )
    .returning();
  const byKey = new Map(rows.map((row) => [row.key, row]));
  const owner = byKey.get("owner");
  const admin = byKey.get("admin");
  const supervisor = byKey.get("supervisor");
  const agent = byKey.get("agent");
  if (!owner || !admin || !supervisor || !agent) throw new Error("built-in roles were not all created");
  return { owner, admin, supervisor, agent };
};

export const createWorkspaceWithOwner = async (
  tx: DatabaseOrTransaction,
  input: { name: string; ownerId: string },
): Promise<{ workspace: WorkspaceRow; roles: Record<BuiltInRoleKey, RoleRow> }> => {
  const [workspace] = await tx
    .insert(workspaces)
    .values({ name: input.name, slug: slugFor(input.name) })
    .returning();
  if (!workspace) throw new Error("workspace insert returned no row");
  const builtIn = await createBuiltInRoles(tx, workspace.id);
  await tx.insert(memberships).values({ workspaceId: workspace.id, userId: input.ownerId, roleId: builtIn.owner.id });
  return { workspace, roles: builtIn };
};

/** The workspaces a user is an active member of, oldest membership first. */
export const listMemberships = async (db: DatabaseOrTransaction, userId: string): Promise<TMembership[]> => {
  const rows = await db
    .select({ workspace: workspaces, role: roles })
    .from(memberships)
    .innerJoin(workspaces, eq(workspaces.id, memberships.workspaceId))
    .innerJoin(roles, eq(roles.id, memberships.roleId))
    .where(and(eq(memberships.userId, userId), eq(memberships.status, "active")))
    .orderBy(asc(memberships.createdAt));
  return rows.map((row) => ({ workspace: toWorkspaceDto(row.workspace), role: toRoleSummary(row.role) }));
};

/** The member's workspace and role there, or null when not an active member. */
export const findActiveMembership = async (
  db: DatabaseOrTransaction,
  workspaceId: string,
  userId: string,
): Promise<{ workspace: WorkspaceRow; role: RoleRow } | null> => {
  const [row] = await db
    .select({ workspace: workspaces, role: roles })
    .from(memberships)
    .innerJoin(workspaces, eq(workspaces.id, memberships.workspaceId))
    .innerJoin(roles, eq(roles.id, memberships.roleId))
    .where(and(eq(memberships.workspaceId, workspaceId), eq(memberships.userId, userId), eq(memberships.status, "active")));
  return row ?? null;
};

export const getWorkspace = async (db: Database, workspaceId: string): Promise<TWorkspace> => {
  const [workspace] = await db.select().from(workspaces).where(eq(workspaces.id, workspaceId));
  if (!workspace) throw new AppError("not_found", "This workspace no longer exists.");
  return toWorkspaceDto(workspace);
};

export const updateWorkspace = async (
  db: Database,
  realtime: RealtimePublisher,
  workspaceId: string,
  changes: TUpdateWorkspaceRequest,
  actor: AuditActor,
): Promise<TWorkspace> => {
  const { workspace, entry } = await db.transaction(async (tx) => {
    const [before] = await tx.select().from(workspaces).where(eq(workspaces.id, workspaceId)).for("update");
    if (!before) throw new AppError("not_found", "This workspace no longer exists.");
    const [after] = await tx
      .update(workspaces)
      .set({ name: changes.name, updatedAt: new Date() })
      .where(eq(workspaces.id, workspaceId))
      .returning();
    if (!after) throw new AppError("not_found", "This workspace no longer exists.");
    const diff = changedFields({ name: before.name }, { name: after.name });
    const entry = diff
      ? await recordAudit(tx, {
          workspaceId,
          actor,
          action: "workspace.updated",
          target: { type: "workspace", id: workspaceId, label: after.name },
          ...diff,
        })
      : null;
    return { workspace: after, entry };
  });
  const dto = toWorkspaceDto(workspace);
  realtime.emitToAgents(rooms.workspace(workspaceId), "workspace.updated", { workspace: dto });
  if (entry) publishAudit(realtime, workspaceId, entry);
  return dto;
};
