import { randomBytes } from "node:crypto";
import type {
  TAutoAssignment,
  TCreateInboxRequest,
  TInbox,
  TInboxDetail,
  TSetInboxMembersRequest,
  TSetInboxTeamsRequest,
  TTeamSummary,
  TUpdateInboxRequest,
  TUserSummary,
} from "@parley/shared";
import { and, asc, eq, inArray, isNull, type SQL, sql } from "drizzle-orm";
import type { DatabaseOrTransaction } from "../../platform/db.ts";
import { AppError } from "../../platform/errors.ts";
import { hasPermission, type RequestIdentity } from "../../platform/identity.ts";
import { rooms } from "../../platform/realtime.ts";
import type { AppServices } from "../../platform/services.ts";
import { type AuditActor, changedFields, publishAudit, recordAudit } from "../audit/audit.service.ts";
import { users } from "../auth/auth.tables.ts";
import { findTeams } from "../teams/teams.service.ts";
import { memberships } from "../workspaces/workspaces.tables.ts";
import { inboxes, inboxMembers, inboxTeams } from "./inboxes.tables.ts";

type InboxRow = typeof inboxes.$inferSelect;
type InboxServices = Pick<AppServices, "db" | "realtime" | "secrets">;

const INBOX_NOT_FOUND = "No inbox with this id that you can see.";

export const toInboxDto = (inbox: InboxRow): TInbox => ({
  id: inbox.id,
  type: inbox.type,
  name: inbox.name,
  websiteToken: inbox.websiteToken,
  hasSecret: inbox.secret !== null,
  channelConfig: inbox.channelConfig,
  greetingEnabled: inbox.greetingEnabled,
  greetingMessage: inbox.greetingMessage,
  awayMessage: inbox.awayMessage,
  isCsatEnabled: inbox.isCsatEnabled,
  autoAssignment: inbox.autoAssignment,
  maxConcurrentPerAgent: inbox.maxConcurrentPerAgent,
  businessHours: inbox.businessHours,
  autoCloseMinutes: inbox.autoCloseMinutes,
  createdAt: inbox.createdAt.toISOString(),
  updatedAt: inbox.updatedAt.toISOString(),
});

/** Settings as audited: everything but secrets and timestamps. */
const auditedSettings = (inbox: InboxRow) => {
  const {
    id: _id,
    workspaceId: _workspaceId,
    secret: _secret,
    channelSecrets: _channelSecrets,
    createdAt: _c,
    updatedAt: _u,
    deletedAt: _d,
    ...settings
  } = inbox;
  return settings;
};

const seesEveryInbox = (identity: RequestIdentity): boolean =>
  hasPermission(identity, "conversations.view_all") || hasPermission(identity, "inboxes.manage");

/** Live inboxes this identity may read: all of them for managers and view-all, else those they work. */
const visibleInboxesCondition = (db: DatabaseOrTransaction, identity: RequestIdentity): SQL => {
  const live = and(eq(inboxes.workspaceId, identity.workspaceId), isNull(inboxes.deletedAt)) as SQL;
  if (seesEveryInbox(identity)) return live;
  if (identity.userId === null) return sql`false`;
  const memberOf = db
    .select({ id: inboxMembers.inboxId })
    .from(inboxMembers)
    .where(and(eq(inboxMembers.workspaceId, identity.workspaceId), eq(inboxMembers.userId, identity.userId)));
  return and(live, inArray(inboxes.id, memberOf)) as SQL;
};

export const listInboxes = async (db: DatabaseOrTransaction, identity: RequestIdentity): Promise<TInbox[]> => {
  const rows = await db
    .select()
    .from(inboxes)
    .where(visibleInboxesCondition(db, identity))
    .orderBy(sql`lower(${inboxes.name})`, asc(inboxes.id));
  return rows.map(toInboxDto);
};

const findVisibleInbox = async (db: DatabaseOrTransaction, identity: RequestIdentity, inboxId: string): Promise<InboxRow> => {
  const [row] = await db
    .select()
    .from(inboxes)
    .where(and(eq(inboxes.id, inboxId), visibleInboxesCondition(db, identity)));
  if (!row) throw new AppError("not_found", INBOX_NOT_FOUND);
  return row;
};

const membersOf = async (db: DatabaseOrTransaction, inboxId: string): Promise<TUserSummary[]> =>
  db
    .select({ id: users.id, name: users.name, email: users.email })
    .from(inboxMembers)
    .innerJoin(users, eq(users.id, inboxMembers.userId))
    .where(eq(inboxMembers.inboxId, inboxId))
    .orderBy(sql`lower(${users.name})`, asc(users.id));

const teamsOf = async (db: DatabaseOrTransaction, workspaceId: string, inboxId: string): Promise<TTeamSummary[]> => {
  const rows = await db.select({ teamId: inboxTeams.teamId }).from(inboxTeams).where(eq(inboxTeams.inboxId, inboxId));
  return findTeams(
    db,
    workspaceId,
    rows.map((row) => row.teamId),
  );
};

export const getInbox = async (db: DatabaseOrTransaction, identity: RequestIdentity, inboxId: string): Promise<TInboxDetail> => {
  const inbox = await findVisibleInbox(db, identity, inboxId);
  return {
    ...toInboxDto(inbox),
    members: await membersOf(db, inbox.id),
    teams: await teamsOf(db, inbox.workspaceId, inbox.id),
  };
};

export const listInboxMembers = async (
  db: DatabaseOrTransaction,
  identity: RequestIdentity,
  inboxId: string,
): Promise<TUserSummary[]> => membersOf(db, (await findVisibleInbox(db, identity, inboxId)).id);

/** Ids of `userIds` that are not active members of the workspace. */
const notActiveMembers = async (db: DatabaseOrTransaction, workspaceId: string, userIds: readonly string[]) => {
  if (userIds.length === 0) return [];
  const rows = await db
    .select({ userId: memberships.userId })
    .from(memberships)
    .where(
      and(eq(memberships.workspaceId, workspaceId), eq(memberships.status, "active"), inArray(memberships.userId, [...userIds])),
    );
  const found = new Set(rows.map((row) => row.userId));
  return userIds.filter((id) => !found.has(id));
};

const assertActiveMembers = async (db: DatabaseOrTransaction, workspaceId: string, userIds: readonly string[], path: string) => {
  const offending = await notActiveMembers(db, workspaceId, userIds);
  if (offending.length > 0) {
    throw new AppError(
      "validation_failed",
      `Only active members of this workspace can work an inbox; these are not: ${offending.join(", ")}.`,
      offending.map((id) => ({ path, message: "not an active member of this workspace", value: id })),
    );
  }
};

const assertTeamsOfWorkspace = async (
  db: DatabaseOrTransaction,
  workspaceId: string,
  teamIds: readonly string[],
  path: string,
) => {
  const found = new Set((await findTeams(db, workspaceId, teamIds)).map((team) => team.id));
  const offending = teamIds.filter((id) => !found.has(id));
  if (offending.length > 0) {
    throw new AppError(
      "validation_failed",
      `These are not teams of this workspace: ${offending.join(", ")}.`,
      offending.map((id) => ({ path, message: "not a team of this workspace", value: id })),
    );
  }
};

/** Auto-assignment may only name this workspace's teams and members. */
const assertAutoAssignment = async (db: DatabaseOrTransaction, workspaceId: string, autoAssignment: TAutoAssignment) => {
  if (autoAssignment.teamId) await assertTeamsOfWorkspace(db, workspaceId, [autoAssignment.teamId], "body.autoAssignment.teamId");
  const skilled = [...new Set(Object.values(autoAssignment.skills ?? {}).flat())];
  await assertActiveMembers(db, workspaceId, skilled, "body.autoAssignment.skills");
};

const newSecret = () => randomBytes(32).toString("base64url");

export const createInbox = async (
  services: InboxServices,
  workspaceId: string,
  input: TCreateInboxRequest,
  actor: AuditActor,
): Promise<TInbox> => {
  const isWebsite = input.type === "website";
  const { inbox, entry } = await services.db.transaction(async (tx) => {
    await assertAutoAssignment(tx, workspaceId, input.autoAssignment);
    const [inbox] = await tx
      .insert(inboxes)
      .values({
        workspaceId,
        ...input,
        websiteToken: isWebsite ? `wt_${randomBytes(18).toString("base64url")}` : null,
        secret: isWebsite ? services.secrets.encrypt(newSecret()) : null,
      })
      .returning();
    if (!inbox) throw new Error("inbox insert returned no row");
    const entry = await recordAudit(tx, {
      workspaceId,
      actor,
      action: "inbox.created",
      target: { type: "inbox", id: inbox.id, label: inbox.name },
      after: auditedSettings(inbox),
    });
    return { inbox, entry };
  });
  publishAudit(services.realtime, workspaceId, entry);
  return toInboxDto(inbox);
};

/** The live inbox, locked for a change; another workspace's or a deleted one is "not found". */
const lockInbox = async (tx: DatabaseOrTransaction, workspaceId: string, inboxId: string): Promise<InboxRow> => {
  const [inbox] = await tx
    .select()
    .from(inboxes)
    .where(and(eq(inboxes.workspaceId, workspaceId), eq(inboxes.id, inboxId), isNull(inboxes.deletedAt)))
    .for("update");
  if (!inbox) throw new AppError("not_found", INBOX_NOT_FOUND);
  return inbox;
};

export const updateInbox = async (
  services: InboxServices,
  workspaceId: string,
  inboxId: string,
  input: TUpdateInboxRequest,
  actor: AuditActor,
): Promise<TInbox> => {
  const { inbox, entry } = await services.db.transaction(async (tx) => {
    const before = await lockInbox(tx, workspaceId, inboxId);
    if (input.autoAssignment) await assertAutoAssignment(tx, workspaceId, input.autoAssignment);
    const changes: Record<string, unknown> = Object.fromEntries(Object.entries(input).filter(([, value]) => value !== undefined));
    // Settings merge key by key: the widget's look and what a platform connection keeps (an IMAP
    // cursor, a display name) survive a client that sends back only the keys it knows.
    if (input.channelConfig) changes.channelConfig = { ...before.channelConfig, ...input.channelConfig };
    const diff = changedFields(auditedSettings(before), { ...auditedSettings(before), ...changes });
    if (!diff) return { inbox: before, entry: null };
    const [inbox] = await tx
      .update(inboxes)
      .set({ ...changes, updatedAt: new Date() })
      .where(eq(inboxes.id, before.id))
      .returning();
    if (!inbox) throw new Error("inbox update returned no row");
    const entry = await recordAudit(tx, {
      workspaceId,
      actor,
      action: "inbox.updated",
      target: { type: "inbox", id: inbox.id, label: inbox.name },
      ...diff,
    });
    return { inbox, entry };
  });
  if (entry) publishAudit(services.realtime, workspaceId, entry);
  return toInboxDto(inbox);
};

/**
 * Soft delete: the inbox leaves every list and its widget token stops working, while its
 * conversations stay readable in history.
 */
export const deleteInbox = async (services: InboxServices, workspaceId: string, inboxId: string, actor: AuditActor) => {
  const { memberIds, entry } = await services.db.transaction(async (tx) => {
    const inbox = await lockInbox(tx, workspaceId, inboxId);
    await tx.update(inboxes).set({ deletedAt: new Date(), updatedAt: new Date() }).where(eq(inboxes.id, inbox.id));
    const members = await membersOf(tx, inbox.id);
    const entry = await recordAudit(tx, {
      workspaceId,
      actor,
      action: "inbox.deleted",
      target: { type: "inbox", id: inbox.id, label: inbox.name },
      before: { type: inbox.type, name: inbox.name, memberIds: members.map((member) => member.id) },
    });
    return { memberIds: members.map((member) => member.id), entry };
  });
  publishAudit(services.realtime, workspaceId, entry);
  // A deleted inbox produces no more live events; its members need not listen to it.
  for (const userId of memberIds) services.realtime.removeMemberFromRoom(workspaceId, userId, rooms.inbox(inboxId));
};

/** A new identity-verification secret, returned this once; the old one stops verifying at once. */
export const rotateInboxSecret = async (
  services: InboxServices,
  workspaceId: string,
  inboxId: string,
  actor: AuditActor,
): Promise<{ secret: string }> => {
  const secret = newSecret();
  const entry = await services.db.transaction(async (tx) => {
    const inbox = await lockInbox(tx, workspaceId, inboxId);
    if (inbox.type !== "website" && inbox.type !== "api") {
      throw new AppError("bad_request", "Only website and API inboxes have an identity-verification secret.");
    }
    await tx
      .update(inboxes)
      .set({ secret: services.secrets.encrypt(secret), updatedAt: new Date() })
      .where(eq(inboxes.id, inbox.id));
    return recordAudit(tx, {
      workspaceId,
      actor,
      action: "inbox.secret_rotated",
      target: { type: "inbox", id: inbox.id, label: inbox.name },
    });
  });
  publishAudit(services.realtime, workspaceId, entry);
  return { secret };
};

export const setInboxMembers = async (
  services: InboxServices,
  workspaceId: string,
  inboxId: string,
  input: TSetInboxMembersRequest,
  actor: AuditActor,
): Promise<TUserSummary[]> => {
  const outcome = await services.db.transaction(async (tx) => {
    const inbox = await lockInbox(tx, workspaceId, inboxId);
    await assertActiveMembers(tx, workspaceId, input.userIds, "body.userIds");
    const before = (await membersOf(tx, inbox.id)).map((member) => member.id);
    const wanted = new Set(input.userIds);
    const removed = before.filter((userId) => !wanted.has(userId));
    const added = input.userIds.filter((userId) => !before.includes(userId));
    if (removed.length === 0 && added.length === 0) return null;
    if (removed.length > 0) {
      await tx.delete(inboxMembers).where(and(eq(inboxMembers.inboxId, inbox.id), inArray(inboxMembers.userId, removed)));
    }
    if (added.length > 0) {
      await tx
        .insert(inboxMembers)
        .values(added.map((userId) => ({ inboxId: inbox.id, userId, workspaceId })))
        .onConflictDoNothing();
    }
    const entry = await recordAudit(tx, {
      workspaceId,
      actor,
      action: "inbox.members_changed",
      target: { type: "inbox", id: inbox.id, label: inbox.name },
      before: { memberIds: [...before].sort() },
      after: { memberIds: [...input.userIds].sort() },
    });
    return { added, removed, entry };
  });
  if (outcome) {
    publishAudit(services.realtime, workspaceId, outcome.entry);
    // Open sockets follow the membership at once, so the inbox's conversations start or stop arriving live.
    const room = rooms.inbox(inboxId);
    for (const userId of outcome.added) services.realtime.addMemberToRoom(workspaceId, userId, room);
    for (const userId of outcome.removed) services.realtime.removeMemberFromRoom(workspaceId, userId, room);
  }
  return membersOf(services.db, inboxId);
};

/** Takes a member who leaves the workspace off every inbox, so no inbox lists them and a later invitation starts afresh. */
export const removeMemberFromInboxes = async (db: DatabaseOrTransaction, workspaceId: string, userId: string): Promise<void> => {
  await db.delete(inboxMembers).where(and(eq(inboxMembers.workspaceId, workspaceId), eq(inboxMembers.userId, userId)));
};

export const setInboxTeams = async (
  services: InboxServices,
  workspaceId: string,
  inboxId: string,
  input: TSetInboxTeamsRequest,
  actor: AuditActor,
): Promise<TTeamSummary[]> => {
  const entry = await services.db.transaction(async (tx) => {
    const inbox = await lockInbox(tx, workspaceId, inboxId);
    await assertTeamsOfWorkspace(tx, workspaceId, input.teamIds, "body.teamIds");
    const before = (await teamsOf(tx, workspaceId, inbox.id)).map((team) => team.id).sort();
    const after = [...input.teamIds].sort();
    if (JSON.stringify(before) === JSON.stringify(after)) return null;
    await tx.delete(inboxTeams).where(eq(inboxTeams.inboxId, inbox.id));
    if (after.length > 0) await tx.insert(inboxTeams).values(after.map((teamId) => ({ inboxId: inbox.id, teamId })));
    return recordAudit(tx, {
      workspaceId,
      actor,
      action: "inbox.teams_changed",
      target: { type: "inbox", id: inbox.id, label: inbox.name },
      before: { teamIds: before },
      after: { teamIds: after },
    });
  });
  if (entry) publishAudit(services.realtime, workspaceId, entry);
  return teamsOf(services.db, workspaceId, inboxId);
};
