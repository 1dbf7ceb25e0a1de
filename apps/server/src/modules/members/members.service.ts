import type { TMember, TMemberList, TMemberListQuery } from "@parley/shared";
import { and, asc, eq, gt, ilike, isNull, or, type SQL, sql } from "drizzle-orm";
import type { Database, DatabaseOrTransaction } from "../../platform/db.ts";
import { AppError } from "../../platform/errors.ts";
import type { RequestIdentity } from "../../platform/identity.ts";
import type { RealtimePublisher } from "../../platform/realtime.ts";
import { type AuditActor, publishAudit, recordAudit } from "../audit/audit.service.ts";
import { sessions, users } from "../auth/auth.tables.ts";
import { endSession } from "../auth/authenticate.ts";
import { avatarUrlOf } from "../auth/avatar-urls.ts";
import { removeMemberFromInboxes } from "../inboxes/inboxes.service.ts";
import { assertMayHandleRole, findOwnerRole, findRole, type RoleRow, unknownRoleError } from "../roles/roles.service.ts";
import { queueMemberRelease } from "../routing/member-release-job.ts";
import { removeMemberFromTeams, teamsOfMembers } from "../teams/teams.service.ts";
import { toRoleSummary } from "../workspaces/workspaces.service.ts";
import { memberships, roles } from "../workspaces/workspaces.tables.ts";

const MEMBER_NOT_FOUND = "No member with this id in this workspace.";

const memberColumns = {
  membership: memberships,
  user: {
    id: users.id,
    name: users.name,
    email: users.email,
    avatarKey: users.avatarKey,
    lastLoginAt: users.lastLoginAt,
    totpEnabledAt: users.totpEnabledAt,
  },
  role: { id: roles.id, key: roles.key, name: roles.name },
};

type MemberRow = {
  membership: typeof memberships.$inferSelect;
  user: {
    id: string;
    name: string;
    email: string;
    avatarKey: string | null;
    lastLoginAt: Date | null;
    totpEnabledAt: Date | null;
  };
  role: { id: string; key: string | null; name: string };
};

const toMemberDto = (row: MemberRow, teams: TMember["teams"]): TMember => ({
  user: { id: row.user.id, name: row.user.name, email: row.user.email, avatarUrl: avatarUrlOf(row.user.avatarKey) },
  role: toRoleSummary(row.role),
  status: row.membership.status,
  teams,
  joinedAt: row.membership.createdAt.toISOString(),
  deactivatedAt: row.membership.deactivatedAt?.toISOString() ?? null,
  lastLoginAt: row.user.lastLoginAt?.toISOString() ?? null,
  twoFactorEnabled: row.user.totpEnabledAt !== null,
});

const selectMembers = (db: DatabaseOrTransaction) =>
  db
    .select(memberColumns)
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .innerJoin(roles, eq(roles.id, memberships.roleId));

const escapeLike = (value: string) => value.replace(/[\\%_]/g, (character) => `\\${character}`);

/** Members in account-creation order (user ids are UUIDv7), so the last user id is the cursor. */
export const listMembers = async (db: Database, workspaceId: string, query: TMemberListQuery): Promise<TMemberList> => {
  const filters: Array<SQL | undefined> = [eq(memberships.workspaceId, workspaceId)];
  if (query.search) {
    const pattern = `%${escapeLike(query.search)}%`;
    filters.push(or(ilike(users.name, pattern), ilike(users.email, pattern)));
  }
  if (query.roleId) filters.push(eq(memberships.roleId, query.roleId));
  if (query.status) filters.push(eq(memberships.status, query.status));
  if (query.cursor) filters.push(gt(users.id, query.cursor));
  const rows = await selectMembers(db)
    .where(and(...filters))
    .orderBy(asc(users.id))
    .limit(query.limit + 1);
  const page = rows.slice(0, query.limit);
  const teams = await teamsOfMembers(
    db,
    workspaceId,
    page.map((row) => row.user.id),
  );
  return {
    items: page.map((row) => toMemberDto(row, teams.get(row.user.id) ?? [])),
    nextCursor: rows.length > query.limit ? (page.at(-1)?.user.id ?? null) : null,
  };
};

export const getMember = async (db: DatabaseOrTransaction, workspaceId: string, userId: string): Promise<TMember> => {
  const [row] = await selectMembers(db).where(and(eq(memberships.workspaceId, workspaceId), eq(memberships.userId, userId)));
  if (!row) throw new AppError("not_found", MEMBER_NOT_FOUND);
  const teams = await teamsOfMembers(db, workspaceId, [userId]);
  return toMemberDto(row, teams.get(userId) ?? []);
};

type LockedMember = { membership: typeof memberships.$inferSelect; role: RoleRow; email: string };

const lockMember = async (tx: DatabaseOrTransaction, workspaceId: string, userId: string): Promise<LockedMember> => {
  const [row] = await tx
    .select({ membership: memberships, role: roles, email: users.email })
    .from(memberships)
    .innerJoin(roles, eq(roles.id, memberships.roleId))
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(and(eq(memberships.workspaceId, workspaceId), eq(memberships.userId, userId)))
    .for("update", { of: memberships });
  if (!row) throw new AppError("not_found", MEMBER_NOT_FOUND);
  return row;
};

/**
 * The workspace must keep an active owner. Locks every owner membership first, so two owners
 * demoting each other at once cannot both succeed.
 */
const assertAnotherActiveOwner = async (
  tx: DatabaseOrTransaction,
  workspaceId: string,
  userId: string,
  change: string,
): Promise<void> => {
  const owner = await findOwnerRole(tx, workspaceId);
  const owners = await tx
    .select({ userId: memberships.userId, status: memberships.status })
    .from(memberships)
    .where(and(eq(memberships.workspaceId, workspaceId), eq(memberships.roleId, owner.id)))
    .for("update");
  const hasAnother = owners.some((row) => row.userId !== userId && row.status === "active");
  if (!hasAnother) {
    throw new AppError(
      "last_owner",
      `This is the workspace's last active owner and cannot be ${change}; make another member an owner first.`,
    );
  }
};

const isActiveOwner = (member: LockedMember) => member.role.key === "owner" && member.membership.status === "active";

const assertNotSelf = (identity: RequestIdentity, userId: string, action: string): void => {
  if (identity.userId === userId) {
    throw new AppError("lockout_risk", `You cannot ${action} yourself; ask another admin to do it if it is really needed.`);
  }
};

/** Ends every session the member has in this workspace, and their sockets with them. */
const endMemberSessions = async (
  db: Database,
  realtime: RealtimePublisher,
  workspaceId: string,
  userId: string,
  reason: string,
): Promise<void> => {
  const open = await db
    .select({ id: sessions.id })
    .from(sessions)
    .where(and(eq(sessions.workspaceId, workspaceId), eq(sessions.userId, userId), isNull(sessions.revokedAt)));
  for (const session of open) await endSession(db, session.id, reason);
  realtime.disconnectMember(workspaceId, userId);
};

export const changeMemberRole = async (
  db: Database,
  realtime: RealtimePublisher,
  identity: RequestIdentity,
  userId: string,
  roleId: string,
  actor: AuditActor,
): Promise<TMember> => {
  const { workspaceId } = identity;
  const entry = await db.transaction(async (tx) => {
    const member = await lockMember(tx, workspaceId, userId);
    const role = await findRole(tx, workspaceId, roleId);
    if (!role) throw unknownRoleError("body.roleId");
    if (role.id === member.role.id) return null;
    await assertMayHandleRole(tx, identity, member.role, `change the role of a member who is ${member.role.name}`);
    await assertMayHandleRole(tx, identity, role, `give the role "${role.name}"`);
    if (isActiveOwner(member) && role.key !== "owner") await assertAnotherActiveOwner(tx, workspaceId, userId, "demoted");
    await tx
      .update(memberships)
      .set({ roleId: role.id })
      .where(and(eq(memberships.workspaceId, workspaceId), eq(memberships.userId, userId)));
    return recordAudit(tx, {
      workspaceId,
      actor,
      action: "member.role_changed",
      target: { type: "user", id: userId, label: member.email },
      before: { roleId: member.role.id, role: member.role.name },
      after: { roleId: role.id, role: role.name },
    });
  });
  if (entry) {
    publishAudit(realtime, workspaceId, entry);
    // Sockets keep the permissions they connected with; the dashboard reconnects with the new role's.
    realtime.disconnectMember(workspaceId, userId);
  }
  return getMember(db, workspaceId, userId);
};

/** Keeps the member (and their history) but stops them signing in; their unfinished conversations go back to the queue. */
export const deactivateMember = async (
  db: Database,
  realtime: RealtimePublisher,
  identity: RequestIdentity,
  userId: string,
  actor: AuditActor,
): Promise<TMember> => {
  const { workspaceId } = identity;
  const entry = await db.transaction(async (tx) => {
    const member = await lockMember(tx, workspaceId, userId);
    await assertMayHandleRole(tx, identity, member.role, `deactivate a member who is ${member.role.name}`);
    if (member.membership.status === "deactivated") return null;
    if (isActiveOwner(member)) await assertAnotherActiveOwner(tx, workspaceId, userId, "deactivated");
    assertNotSelf(identity, userId, "deactivate");
    await tx
      .update(memberships)
      .set({ status: "deactivated", deactivatedAt: new Date() })
      .where(and(eq(memberships.workspaceId, workspaceId), eq(memberships.userId, userId)));
    await queueMemberRelease(tx, { workspaceId, userId, byUserId: identity.userId, cause: "deactivated" });
    return recordAudit(tx, {
      workspaceId,
      actor,
      action: "member.deactivated",
      target: { type: "user", id: userId, label: member.email },
      before: { status: "active" },
      after: { status: "deactivated" },
    });
  });
  // Authentication already refuses a deactivated membership; ending the rows and sockets makes it visible at once.
  await endMemberSessions(db, realtime, workspaceId, userId, "deactivated");
  if (entry) publishAudit(realtime, workspaceId, entry);
  return getMember(db, workspaceId, userId);
};

export const reactivateMember = async (
  db: Database,
  realtime: RealtimePublisher,
  identity: RequestIdentity,
  userId: string,
  actor: AuditActor,
): Promise<TMember> => {
  const { workspaceId } = identity;
  const entry = await db.transaction(async (tx) => {
    const member = await lockMember(tx, workspaceId, userId);
    await assertMayHandleRole(tx, identity, member.role, `reactivate a member who is ${member.role.name}`);
    if (member.membership.status === "active") return null;
    await tx
      .update(memberships)
      .set({ status: "active", deactivatedAt: null })
      .where(and(eq(memberships.workspaceId, workspaceId), eq(memberships.userId, userId)));
    return recordAudit(tx, {
      workspaceId,
      actor,
      action: "member.reactivated",
      target: { type: "user", id: userId, label: member.email },
      before: { status: "deactivated" },
      after: { status: "active" },
    });
  });
  if (entry) publishAudit(realtime, workspaceId, entry);
  return getMember(db, workspaceId, userId);
};

/**
 * Takes the member out of the workspace, its teams and inboxes; their unfinished conversations go back to
 * the queue (release-member.ts); the audit log and their history stay.
 */
export const removeMember = async (
  db: Database,
  realtime: RealtimePublisher,
  identity: RequestIdentity,
  userId: string,
  actor: AuditActor,
): Promise<void> => {
  const { workspaceId } = identity;
  const entry = await db.transaction(async (tx) => {
    const member = await lockMember(tx, workspaceId, userId);
    await assertMayHandleRole(tx, identity, member.role, `remove a member who is ${member.role.name}`);
    if (member.role.key === "owner") await assertAnotherActiveOwner(tx, workspaceId, userId, "removed");
    assertNotSelf(identity, userId, "remove");
    await removeMemberFromTeams(tx, workspaceId, userId);
    await removeMemberFromInboxes(tx, workspaceId, userId);
    await tx.delete(memberships).where(and(eq(memberships.workspaceId, workspaceId), eq(memberships.userId, userId)));
    await queueMemberRelease(tx, { workspaceId, userId, byUserId: identity.userId, cause: "removed" });
    return recordAudit(tx, {
      workspaceId,
      actor,
      action: "member.removed",
      target: { type: "user", id: userId, label: member.email },
      before: { roleId: member.role.id, role: member.role.name, status: member.membership.status },
    });
  });
  await endMemberSessions(db, realtime, workspaceId, userId, "removed");
  publishAudit(realtime, workspaceId, entry);
};

/** Whether this email already belongs to a member (active or not) of the workspace. */
export const findMembershipByEmail = async (
  db: DatabaseOrTransaction,
  workspaceId: string,
  email: string,
): Promise<{ userId: string; status: "active" | "deactivated" } | null> => {
  const [row] = await db
    .select({ userId: memberships.userId, status: memberships.status })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(and(eq(memberships.workspaceId, workspaceId), sql`lower(${users.email}) = ${email.toLowerCase()}`));
  return row ?? null;
};
