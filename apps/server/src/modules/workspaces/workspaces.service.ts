import { randomBytes } from "node:crypto";
import type { TMembership, TUpdateWorkspaceRequest, TWorkspace } from "@parley/shared";
import { asc, eq } from "drizzle-orm";
import type { Database, DatabaseOrTransaction } from "../../platform/db.ts";
import { AppError } from "../../platform/errors.ts";
import { type RealtimePublisher, rooms } from "../../platform/realtime.ts";
import { memberships, workspaces } from "./workspaces.tables.ts";

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

export const createWorkspaceWithOwner = async (
  tx: DatabaseOrTransaction,
  input: { name: string; ownerId: string },
): Promise<WorkspaceRow> => {
  const [workspace] = await tx
    .insert(workspaces)
    .values({ name: input.name, slug: slugFor(input.name) })
    .returning();
  if (!workspace) throw new Error("workspace insert returned no row");
  await tx.insert(memberships).values({ workspaceId: workspace.id, userId: input.ownerId, role: "owner" });
  return workspace;
};

export const listMemberships = async (db: DatabaseOrTransaction, userId: string): Promise<TMembership[]> => {
  const rows = await db
    .select({ workspace: workspaces, role: memberships.role })
    .from(memberships)
    .innerJoin(workspaces, eq(workspaces.id, memberships.workspaceId))
    .where(eq(memberships.userId, userId))
    .orderBy(asc(memberships.createdAt));
  return rows.map((row) => ({ workspace: toWorkspaceDto(row.workspace), role: row.role }));
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
): Promise<TWorkspace> => {
  const [workspace] = await db
    .update(workspaces)
    .set({ name: changes.name, updatedAt: new Date() })
    .where(eq(workspaces.id, workspaceId))
    .returning();
  if (!workspace) throw new AppError("not_found", "This workspace no longer exists.");
  const dto = toWorkspaceDto(workspace);
  realtime.emitToAgents(rooms.workspace(workspaceId), "workspace.updated", { workspace: dto });
  return dto;
};
