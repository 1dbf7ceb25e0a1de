import type {
  TPlatformListQuery,
  TPlatformUser,
  TPlatformUserPage,
  TPlatformWorkspace,
  TPlatformWorkspacePage,
} from "@parley/shared";
import { and, desc, eq, ilike, isNull, lt, or, sql } from "drizzle-orm";
import type { Database, DatabaseOrTransaction } from "../../platform/db.ts";
import { AppError } from "../../platform/errors.ts";
import type { RealtimePublisher } from "../../platform/realtime.ts";
import { apiKeys } from "../api-keys/api-keys.tables.ts";
import { type AuditActor, publishAudit, recordAudit } from "../audit/audit.service.ts";
import { sessions, users } from "../auth/auth.tables.ts";
import { memberships, workspaces } from "../workspaces/workspaces.tables.ts";

/** LIKE treats `%`, `_` and the escape character itself as wildcards; a search for them means the characters. */
const containing = (text: string): string => `%${text.replace(/[\\%_]/g, (character) => `\\${character}`)}%`;

const activeMemberCount = sql<number>`(
  select count(*)::int from ${memberships}
  where ${memberships.workspaceId} = ${workspaces.id} and ${memberships.status} = 'active'
)`;

const workspaceCount = sql<number>`(
  select count(*)::int from ${memberships}
  where ${memberships.userId} = ${users.id} and ${memberships.status} = 'active'
)`;

type WorkspaceRow = typeof workspaces.$inferSelect;

const toPlatformWorkspace = (row: WorkspaceRow, memberCount: number): TPlatformWorkspace => ({
  id: row.id,
  name: row.name,
  slug: row.slug,
  createdAt: row.createdAt.toISOString(),
  memberCount,
  isSuspended: row.suspendedAt !== null,
  suspendedAt: row.suspendedAt?.toISOString() ?? null,
  suspendedReason: row.suspendedReason,
});

/** Every workspace on this Parley, newest first; search matches the name or slug. */
export const listPlatformWorkspaces = async (db: Database, query: TPlatformListQuery): Promise<TPlatformWorkspacePage> => {
  const search = query.search ? containing(query.search) : undefined;
  const rows = await db
    .select({ workspace: workspaces, memberCount: activeMemberCount })
    .from(workspaces)
    .where(
      and(
        search ? or(ilike(workspaces.name, search), ilike(workspaces.slug, search)) : undefined,
        query.cursor ? lt(workspaces.id, query.cursor) : undefined,
      ),
    )
    .orderBy(desc(workspaces.id))
    .limit(query.limit + 1);
  const items = rows.slice(0, query.limit).map((row) => toPlatformWorkspace(row.workspace, row.memberCount));
  return { items, nextCursor: rows.length > query.limit ? (items.at(-1)?.id ?? null) : null };
};

/** Every user account, newest first; search matches the email or name. */
export const listPlatformUsers = async (db: Database, query: TPlatformListQuery): Promise<TPlatformUserPage> => {
  const search = query.search ? containing(query.search) : undefined;
  const rows = await db
    .select({ user: users, workspaceCount })
    .from(users)
    .where(
      and(
        search ? or(ilike(users.email, search), ilike(users.name, search)) : undefined,
        query.cursor ? lt(users.id, query.cursor) : undefined,
      ),
    )
    .orderBy(desc(users.id))
    .limit(query.limit + 1);
  const items = rows.slice(0, query.limit).map(
    ({ user, workspaceCount }): TPlatformUser => ({
      id: user.id,
      name: user.name,
      email: user.email,
      emailVerified: user.emailVerifiedAt !== null,
      twoFactorEnabled: user.totpEnabledAt !== null,
      isPlatformAdmin: user.isPlatformAdmin,
      workspaceCount,
      lastLoginAt: user.lastLoginAt?.toISOString() ?? null,
      createdAt: user.createdAt.toISOString(),
    }),
  );
  return { items, nextCursor: rows.length > query.limit ? (items.at(-1)?.id ?? null) : null };
};

const countMembers = async (db: DatabaseOrTransaction, workspaceId: string): Promise<number> => {
  const [row] = await db
    .select({ count: sql<number>`count(*)::int` })
    .from(memberships)
    .where(and(eq(memberships.workspaceId, workspaceId), eq(memberships.status, "active")));
  return row?.count ?? 0;
};

type OperatorInput = { workspaceId: string; operatorWorkspaceId: string; actor: AuditActor };

/**
 * Suspends a workspace: every session in it ends and every socket (member or API key) closes now;
 * authentication then refuses the workspace's new sessions and its API keys with
 * `workspace_suspended` until it is reactivated. Keys are kept, so they work again afterwards.
 */
export const suspendWorkspace = async (
  db: Database,
  realtime: RealtimePublisher,
  input: OperatorInput & { reason: string },
): Promise<TPlatformWorkspace> => {
  if (input.workspaceId === input.operatorWorkspaceId) {
    throw new AppError("lockout_risk", "You cannot suspend the workspace you are signed in to; use a session in another one.");
  }
  const { workspace, endedSessionIds, keyIds, memberCount, entry } = await db.transaction(async (tx) => {
    const [current] = await tx.select().from(workspaces).where(eq(workspaces.id, input.workspaceId)).for("update");
    if (!current) throw new AppError("not_found", "No workspace with this id.");
    if (current.suspendedAt !== null) throw new AppError("conflict", "This workspace is already suspended.");
    const now = new Date();
    const [workspace] = await tx
      .update(workspaces)
      .set({ suspendedAt: now, suspendedReason: input.reason, updatedAt: now })
      .where(eq(workspaces.id, current.id))
      .returning();
    if (!workspace) throw new AppError("not_found", "No workspace with this id.");
    const ended = await tx
      .update(sessions)
      .set({ revokedAt: now, revokedReason: "workspace_suspended" })
      .where(and(eq(sessions.workspaceId, workspace.id), isNull(sessions.revokedAt)))
      .returning({ id: sessions.id });
    const keys = await tx
      .select({ id: apiKeys.id })
      .from(apiKeys)
      .where(and(eq(apiKeys.workspaceId, workspace.id), isNull(apiKeys.revokedAt)));
    const entry = await recordAudit(tx, {
      workspaceId: workspace.id,
      actor: input.actor,
      action: "workspace.suspended",
      target: { type: "workspace", id: workspace.id, label: workspace.name },
      before: { suspendedAt: null },
      after: { suspendedAt: now.toISOString(), reason: input.reason, sessionsEnded: ended.length },
    });
    return {
      workspace,
      endedSessionIds: ended.map((row) => row.id),
      keyIds: keys.map((row) => row.id),
      memberCount: await countMembers(tx, workspace.id),
      entry,
    };
  });
  for (const sessionId of endedSessionIds) realtime.disconnectSession(sessionId);
  for (const keyId of keyIds) realtime.disconnectApiKey(keyId);
  publishAudit(realtime, workspace.id, entry);
  return toPlatformWorkspace(workspace, memberCount);
};

/** Lifts a suspension: members sign in again (their sessions ended) and API keys work again. */
export const reactivateWorkspace = async (
  db: Database,
  realtime: RealtimePublisher,
  input: Omit<OperatorInput, "operatorWorkspaceId">,
): Promise<TPlatformWorkspace> => {
  const { workspace, memberCount, entry } = await db.transaction(async (tx) => {
    const [current] = await tx.select().from(workspaces).where(eq(workspaces.id, input.workspaceId)).for("update");
    if (!current) throw new AppError("not_found", "No workspace with this id.");
    if (current.suspendedAt === null) throw new AppError("conflict", "This workspace is not suspended.");
    const [workspace] = await tx
      .update(workspaces)
      .set({ suspendedAt: null, suspendedReason: null, updatedAt: new Date() })
      .where(eq(workspaces.id, current.id))
      .returning();
    if (!workspace) throw new AppError("not_found", "No workspace with this id.");
    const entry = await recordAudit(tx, {
      workspaceId: workspace.id,
      actor: input.actor,
      action: "workspace.reactivated",
      target: { type: "workspace", id: workspace.id, label: workspace.name },
      before: { suspendedAt: current.suspendedAt?.toISOString() ?? null, reason: current.suspendedReason },
      after: { suspendedAt: null },
    });
    return { workspace, memberCount: await countMembers(tx, workspace.id), entry };
  });
  publishAudit(realtime, workspace.id, entry);
  return toPlatformWorkspace(workspace, memberCount);
};

export type PlatformAdminChange = { email: string; name: string; wasPlatformAdmin: boolean; isPlatformAdmin: boolean };

/**
 * Grants or takes away the Parley operator flag, for the command line. Recorded in the audit log
 * outside any workspace, since the flag belongs to the account, not to a workspace.
 */
export const setPlatformAdmin = async (
  db: Database,
  input: { email: string; isPlatformAdmin: boolean; actor: AuditActor },
): Promise<PlatformAdminChange | null> =>
  db.transaction(async (tx) => {
    const [user] = await tx
      .select()
      .from(users)
      .where(eq(sql`lower(${users.email})`, input.email.trim().toLowerCase()))
      .for("update");
    if (!user) return null;
    const change = {
      email: user.email,
      name: user.name,
      wasPlatformAdmin: user.isPlatformAdmin,
      isPlatformAdmin: input.isPlatformAdmin,
    };
    if (user.isPlatformAdmin === input.isPlatformAdmin) return change;
    await tx.update(users).set({ isPlatformAdmin: input.isPlatformAdmin, updatedAt: new Date() }).where(eq(users.id, user.id));
    await recordAudit(tx, {
      workspaceId: null,
      actor: input.actor,
      action: input.isPlatformAdmin ? "user.platform_admin_granted" : "user.platform_admin_revoked",
      target: { type: "user", id: user.id, label: user.email },
      before: { isPlatformAdmin: user.isPlatformAdmin },
      after: { isPlatformAdmin: input.isPlatformAdmin },
    });
    return change;
  });
