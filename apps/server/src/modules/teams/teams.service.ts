import type {
  TCreateTeamRequest,
  TSetTeamMembersRequest,
  TTeam,
  TTeamDetail,
  TTeamSummary,
  TUpdateTeamRequest,
  TUserSummary,
} from "@parley/shared";
import { and, asc, count, eq, inArray, isNull, type SQL, sql } from "drizzle-orm";
import type { Database, DatabaseOrTransaction } from "../../platform/db.ts";
import { isUniqueViolation } from "../../platform/db.ts";
import { AppError } from "../../platform/errors.ts";
import type { RealtimePublisher } from "../../platform/realtime.ts";
import { type AuditActor, changedFields, publishAudit, recordAudit } from "../audit/audit.service.ts";
import { users } from "../auth/auth.tables.ts";
import { inboxes } from "../inboxes/inboxes.tables.ts";
import { memberships } from "../workspaces/workspaces.tables.ts";
import { teamMembers, teams } from "./teams.tables.ts";

type TeamRow = typeof teams.$inferSelect;

const TEAM_NOT_FOUND = "No team with this id in this workspace.";

const toTeamDto = (team: TeamRow, lead: TUserSummary | null, memberCount: number): TTeam => ({
  id: team.id,
  name: team.name,
  description: team.description,
  lead,
  memberCount,
  createdAt: team.createdAt.toISOString(),
  updatedAt: team.updatedAt.toISOString(),
});

const selectTeams = (db: DatabaseOrTransaction, where: SQL | undefined) =>
  db
    .select({
      team: teams,
      lead: { id: users.id, name: users.name, email: users.email },
      memberCount: count(teamMembers.userId),
    })
    .from(teams)
    .leftJoin(users, eq(users.id, teams.leadUserId))
    .leftJoin(teamMembers, eq(teamMembers.teamId, teams.id))
    .where(where)
    .groupBy(teams.id, users.id);

export const listTeams = async (db: Database, workspaceId: string): Promise<TTeam[]> => {
  const rows = await selectTeams(db, eq(teams.workspaceId, workspaceId)).orderBy(sql`lower(${teams.name})`);
  return rows.map((row) => toTeamDto(row.team, row.lead, row.memberCount));
};

export const getTeam = async (db: DatabaseOrTransaction, workspaceId: string, teamId: string): Promise<TTeamDetail> => {
  const [row] = await selectTeams(db, and(eq(teams.workspaceId, workspaceId), eq(teams.id, teamId)));
  if (!row) throw new AppError("not_found", TEAM_NOT_FOUND);
  const members = await db
    .select({ id: users.id, name: users.name, email: users.email, status: memberships.status })
    .from(teamMembers)
    .innerJoin(users, eq(users.id, teamMembers.userId))
    .innerJoin(memberships, and(eq(memberships.workspaceId, teamMembers.workspaceId), eq(memberships.userId, teamMembers.userId)))
    .where(eq(teamMembers.teamId, teamId))
    .orderBy(sql`lower(${users.name})`, asc(users.id));
  return { ...toTeamDto(row.team, row.lead, row.memberCount), members };
};

/** Teams and their members are for active members of the workspace only; answers with the ids that are not. */
const assertActiveMembers = async (
  db: DatabaseOrTransaction,
  workspaceId: string,
  userIds: readonly string[],
  path: string,
): Promise<void> => {
  if (userIds.length === 0) return;
  const rows = await db
    .select({ userId: memberships.userId })
    .from(memberships)
    .where(
      and(eq(memberships.workspaceId, workspaceId), eq(memberships.status, "active"), inArray(memberships.userId, [...userIds])),
    );
  const found = new Set(rows.map((row) => row.userId));
  const offending = userIds.filter((id) => !found.has(id));
  if (offending.length > 0) {
    throw new AppError(
      "validation_failed",
      `Only active members of this workspace can be in a team; these are not: ${offending.join(", ")}.`,
      offending.map((id) => ({ path, message: "not an active member of this workspace", value: id })),
    );
  }
};

const duplicateNameError = (name: string) =>
  new AppError(
    "conflict",
    `A team named "${name}" already exists in this workspace; choose another name.`,
    [{ path: "body.name", message: "already used by another team" }],
    { reason: "team_name_taken", params: { name } },
  );

const withUniqueName = async <T>(name: string | undefined, work: () => Promise<T>): Promise<T> => {
  try {
    return await work();
  } catch (error) {
    if (isUniqueViolation(error, "teams_workspace_name_unique")) throw duplicateNameError(name ?? "");
    throw error;
  }
};

const memberIdsOf = async (db: DatabaseOrTransaction, teamId: string): Promise<string[]> => {
  const rows = await db
    .select({ userId: teamMembers.userId })
    .from(teamMembers)
    .where(eq(teamMembers.teamId, teamId))
    .orderBy(asc(teamMembers.userId));
  return rows.map((row) => row.userId);
};

const addMembers = async (db: DatabaseOrTransaction, team: TeamRow, userIds: readonly string[]): Promise<void> => {
  if (userIds.length === 0) return;
  await db
    .insert(teamMembers)
    .values(userIds.map((userId) => ({ teamId: team.id, userId, workspaceId: team.workspaceId })))
    .onConflictDoNothing();
};

export const createTeam = async (
  db: Database,
  realtime: RealtimePublisher,
  workspaceId: string,
  input: TCreateTeamRequest,
  actor: AuditActor,
): Promise<TTeamDetail> =>
  withUniqueName(input.name, async () => {
    const { team, entry } = await db.transaction(async (tx) => {
      await assertActiveMembers(tx, workspaceId, input.memberIds, "body.memberIds");
      if (input.leadUserId !== null) await assertActiveMembers(tx, workspaceId, [input.leadUserId], "body.leadUserId");
      const [team] = await tx
        .insert(teams)
        .values({ workspaceId, name: input.name, description: input.description, leadUserId: input.leadUserId })
        .returning();
      if (!team) throw new Error("team insert returned no row");
      const memberIds = [...new Set([...input.memberIds, ...(input.leadUserId ? [input.leadUserId] : [])])];
      await addMembers(tx, team, memberIds);
      const entry = await recordAudit(tx, {
        workspaceId,
        actor,
        action: "team.created",
        target: { type: "team", id: team.id, label: team.name },
        after: { name: team.name, description: team.description, leadUserId: team.leadUserId, memberIds },
      });
      return { team, entry };
    });
    publishAudit(realtime, workspaceId, entry);
    return getTeam(db, workspaceId, team.id);
  });

const lockTeam = async (tx: DatabaseOrTransaction, workspaceId: string, teamId: string): Promise<TeamRow> => {
  const [team] = await tx
    .select()
    .from(teams)
    .where(and(eq(teams.workspaceId, workspaceId), eq(teams.id, teamId)))
    .for("update");
  if (!team) throw new AppError("not_found", TEAM_NOT_FOUND);
  return team;
};

export const updateTeam = async (
  db: Database,
  realtime: RealtimePublisher,
  workspaceId: string,
  teamId: string,
  input: TUpdateTeamRequest,
  actor: AuditActor,
): Promise<TTeamDetail> =>
  withUniqueName(input.name, async () => {
    const entry = await db.transaction(async (tx) => {
      const before = await lockTeam(tx, workspaceId, teamId);
      const leadUserId = input.leadUserId === undefined ? before.leadUserId : input.leadUserId;
      if (leadUserId !== null && leadUserId !== before.leadUserId) {
        await assertActiveMembers(tx, workspaceId, [leadUserId], "body.leadUserId");
        await addMembers(tx, before, [leadUserId]);
      }
      const next = { name: input.name ?? before.name, description: input.description ?? before.description, leadUserId };
      const diff = changedFields({ name: before.name, description: before.description, leadUserId: before.leadUserId }, next);
      if (!diff) return null;
      await tx
        .update(teams)
        .set({ ...next, updatedAt: new Date() })
        .where(eq(teams.id, before.id));
      return recordAudit(tx, {
        workspaceId,
        actor,
        action: "team.updated",
        target: { type: "team", id: before.id, label: next.name },
        ...diff,
      });
    });
    if (entry) publishAudit(realtime, workspaceId, entry);
    return getTeam(db, workspaceId, teamId);
  });

export const setTeamMembers = async (
  db: Database,
  realtime: RealtimePublisher,
  workspaceId: string,
  teamId: string,
  input: TSetTeamMembersRequest,
  actor: AuditActor,
): Promise<TTeamDetail> => {
  const entry = await db.transaction(async (tx) => {
    const team = await lockTeam(tx, workspaceId, teamId);
    await assertActiveMembers(tx, workspaceId, input.userIds, "body.userIds");
    const before = await memberIdsOf(tx, team.id);
    const wanted = new Set(input.userIds);
    const removed = before.filter((userId) => !wanted.has(userId));
    const added = input.userIds.filter((userId) => !before.includes(userId));
    if (removed.length === 0 && added.length === 0) return null;
    if (removed.length > 0) {
      await tx.delete(teamMembers).where(and(eq(teamMembers.teamId, team.id), inArray(teamMembers.userId, removed)));
    }
    await addMembers(tx, team, added);
    const isLeadRemoved = team.leadUserId !== null && removed.includes(team.leadUserId);
    if (isLeadRemoved) {
      await tx.update(teams).set({ leadUserId: null, updatedAt: new Date() }).where(eq(teams.id, team.id));
    }
    return recordAudit(tx, {
      workspaceId,
      actor,
      action: "team.members_changed",
      target: { type: "team", id: team.id, label: team.name },
      before: { memberIds: before, ...(isLeadRemoved ? { leadUserId: team.leadUserId } : {}) },
      after: { memberIds: await memberIdsOf(tx, team.id), ...(isLeadRemoved ? { leadUserId: null } : {}) },
    });
  });
  if (entry) publishAudit(realtime, workspaceId, entry);
  return getTeam(db, workspaceId, teamId);
};

/**
 * Deleting a team an inbox assigns its conversations to would leave every new conversation of that
 * inbox waiting in the queue; the admin first picks another assignment for those inboxes.
 */
const assertNoInboxRoutesTo = async (tx: DatabaseOrTransaction, workspaceId: string, team: { id: string; name: string }) => {
  const routing = await tx
    .select({ name: inboxes.name })
    .from(inboxes)
    .where(
      and(
        eq(inboxes.workspaceId, workspaceId),
        isNull(inboxes.deletedAt),
        sql`${inboxes.autoAssignment}->>'strategy' = 'team'`,
        sql`${inboxes.autoAssignment}->>'teamId' = ${team.id}`,
      ),
    )
    .orderBy(asc(inboxes.name));
  if (routing.length === 0) return;
  const inboxNames = routing.map((inbox) => inbox.name);
  const quoted = inboxNames.map((name) => `"${name}"`).join(", ");
  throw new AppError(
    "in_use",
    `${quoted} ${routing.length === 1 ? "assigns its" : "assign their"} conversations to the team "${team.name}"; choose another automatic assignment there first.`,
    { inboxes: inboxNames },
    { reason: "team_routes_inboxes", params: { team: team.name, inboxes: inboxNames.join(", ") } },
  );
};

export const deleteTeam = async (
  db: Database,
  realtime: RealtimePublisher,
  workspaceId: string,
  teamId: string,
  actor: AuditActor,
): Promise<void> => {
  const entry = await db.transaction(async (tx) => {
    const team = await lockTeam(tx, workspaceId, teamId);
    await assertNoInboxRoutesTo(tx, workspaceId, team);
    const memberIds = await memberIdsOf(tx, team.id);
    await tx.delete(teams).where(eq(teams.id, team.id));
    return recordAudit(tx, {
      workspaceId,
      actor,
      action: "team.deleted",
      target: { type: "team", id: team.id, label: team.name },
      before: { name: team.name, description: team.description, leadUserId: team.leadUserId, memberIds },
    });
  });
  publishAudit(realtime, workspaceId, entry);
};

/** The teams of each given member, for member lists. */
export const teamsOfMembers = async (
  db: DatabaseOrTransaction,
  workspaceId: string,
  userIds: readonly string[],
): Promise<Map<string, TTeamSummary[]>> => {
  const byUser = new Map<string, TTeamSummary[]>();
  if (userIds.length === 0) return byUser;
  const rows = await db
    .select({ userId: teamMembers.userId, id: teams.id, name: teams.name })
    .from(teamMembers)
    .innerJoin(teams, eq(teams.id, teamMembers.teamId))
    .where(and(eq(teamMembers.workspaceId, workspaceId), inArray(teamMembers.userId, [...userIds])))
    .orderBy(sql`lower(${teams.name})`);
  for (const row of rows) {
    const list = byUser.get(row.userId) ?? [];
    list.push({ id: row.id, name: row.name });
    byUser.set(row.userId, list);
  }
  return byUser;
};

/** Of the given team ids, those this workspace has, as summaries. */
export const findTeams = async (
  db: DatabaseOrTransaction,
  workspaceId: string,
  teamIds: readonly string[],
): Promise<TTeamSummary[]> => {
  if (teamIds.length === 0) return [];
  return db
    .select({ id: teams.id, name: teams.name })
    .from(teams)
    .where(and(eq(teams.workspaceId, workspaceId), inArray(teams.id, [...teamIds])))
    .orderBy(sql`lower(${teams.name})`);
};

/** Puts a member in teams (an accepted invitation); teams deleted meanwhile are skipped. */
export const addMemberToTeams = async (
  db: DatabaseOrTransaction,
  workspaceId: string,
  userId: string,
  teamIds: readonly string[],
): Promise<TTeamSummary[]> => {
  const existing = await findTeams(db, workspaceId, teamIds);
  if (existing.length > 0) {
    await db
      .insert(teamMembers)
      .values(existing.map((team) => ({ teamId: team.id, userId, workspaceId })))
      .onConflictDoNothing();
  }
  return existing;
};

/** Takes a member who leaves the workspace out of its teams, and off any team they lead. */
export const removeMemberFromTeams = async (db: DatabaseOrTransaction, workspaceId: string, userId: string): Promise<void> => {
  await db.delete(teamMembers).where(and(eq(teamMembers.workspaceId, workspaceId), eq(teamMembers.userId, userId)));
  await db
    .update(teams)
    .set({ leadUserId: null, updatedAt: new Date() })
    .where(and(eq(teams.workspaceId, workspaceId), eq(teams.leadUserId, userId)));
};
