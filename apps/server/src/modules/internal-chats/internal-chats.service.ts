import type { TInternalChat, TInternalMessage } from "@parley/shared";
import { and, desc, eq, inArray, lt, ne, or, sql } from "drizzle-orm";
import type { DatabaseOrTransaction } from "../../platform/db.ts";
import { AppError } from "../../platform/errors.ts";
import type { RequestIdentity } from "../../platform/identity.ts";
import { rooms } from "../../platform/realtime.ts";
import type { AppServices } from "../../platform/services.ts";
import { type AuditActor, publishAudit, recordAudit } from "../audit/audit.service.ts";
import { users } from "../auth/auth.tables.ts";
import { teamMembers, teams } from "../teams/teams.tables.ts";
import { memberships } from "../workspaces/workspaces.tables.ts";
import { internalChannelMembers, internalChannels, internalMessages } from "./internal-chats.tables.ts";

/** Internal chats are between people: callers are members with a user id (not API keys). */
export type Member = { workspaceId: string; userId: string };
type Services = Pick<AppServices, "db" | "realtime">;
type ChannelRow = typeof internalChannels.$inferSelect;

/** The caller as a chat participant; API keys have no person to chat as. */
export const memberOf = (identity: RequestIdentity): Member => {
  if (identity.userId === null) throw new AppError("forbidden", "Internal chats are between members; API keys cannot use them.");
  return { workspaceId: identity.workspaceId, userId: identity.userId };
};

const notFound = () => new AppError("not_found", "No internal chat with this id.");

const toMessageDto = (row: typeof internalMessages.$inferSelect): TInternalMessage => ({
  id: row.id,
  seq: row.seq,
  channelId: row.channelId,
  senderId: row.senderId,
  text: row.text,
  clientId: row.clientId,
  createdAt: row.createdAt.toISOString(),
});

/**
 * Who belongs to a chat: for a direct chat its two members; for a team chat the team's current
 * members, so leaving the team ends access to its chat.
 */
const isParticipant = (member: Member) =>
  or(
    and(
      eq(internalChannels.kind, "direct"),
      sql`exists (select 1 from ${internalChannelMembers} where ${internalChannelMembers.channelId} = ${internalChannels.id} and ${internalChannelMembers.userId} = ${member.userId})`,
    ),
    and(
      eq(internalChannels.kind, "team"),
      sql`exists (select 1 from ${teamMembers} where ${teamMembers.teamId} = ${internalChannels.teamId} and ${teamMembers.userId} = ${member.userId})`,
    ),
  );

/** The chat if the caller takes part in it; others' chats and other workspaces' are "not found". */
export const findMyChannel = async (db: DatabaseOrTransaction, member: Member, channelId: string): Promise<ChannelRow> => {
  const [row] = await db
    .select()
    .from(internalChannels)
    .where(and(eq(internalChannels.id, channelId), eq(internalChannels.workspaceId, member.workspaceId), isParticipant(member)));
  if (!row) throw notFound();
  // Team members get their read mark row the first time they use the chat.
  await db.insert(internalChannelMembers).values({ channelId: row.id, userId: member.userId }).onConflictDoNothing();
  return row;
};

const participantIds = async (db: DatabaseOrTransaction, channel: ChannelRow): Promise<string[]> => {
  if (channel.kind === "team" && channel.teamId) {
    const rows = await db.select({ userId: teamMembers.userId }).from(teamMembers).where(eq(teamMembers.teamId, channel.teamId));
    return rows.map((row) => row.userId);
  }
  const rows = await db
    .select({ userId: internalChannelMembers.userId })
    .from(internalChannelMembers)
    .where(eq(internalChannelMembers.channelId, channel.id));
  return rows.map((row) => row.userId);
};

/** The caller's chats with their last message and unread count, most recently active first. */
export const listMyChats = async (db: DatabaseOrTransaction, member: Member): Promise<TInternalChat[]> => {
  const channels = await db
    .select({
      channel: internalChannels,
      teamName: teams.name,
      lastReadSeq:
        sql<number>`coalesce((select ${internalChannelMembers.lastReadSeq} from ${internalChannelMembers} where ${internalChannelMembers.channelId} = ${internalChannels.id} and ${internalChannelMembers.userId} = ${member.userId}), 0)`.mapWith(
          Number,
        ),
    })
    .from(internalChannels)
    .leftJoin(teams, eq(teams.id, internalChannels.teamId))
    .where(and(eq(internalChannels.workspaceId, member.workspaceId), isParticipant(member)));
  if (channels.length === 0) return [];
  const ids = channels.map((row) => row.channel.id);
  const teamIds = channels.flatMap((row) => (row.channel.teamId ? [row.channel.teamId] : []));
  const [lastMessages, unread, directMembers, teamMemberRows] = await Promise.all([
    db
      .selectDistinctOn([internalMessages.channelId])
      .from(internalMessages)
      .where(inArray(internalMessages.channelId, ids))
      .orderBy(internalMessages.channelId, desc(internalMessages.seq)),
    db
      .select({ channelId: internalMessages.channelId, count: sql<number>`count(*)`.mapWith(Number) })
      .from(internalMessages)
      .leftJoin(
        internalChannelMembers,
        and(eq(internalChannelMembers.channelId, internalMessages.channelId), eq(internalChannelMembers.userId, member.userId)),
      )
      .where(
        and(
          inArray(internalMessages.channelId, ids),
          ne(internalMessages.senderId, member.userId),
          sql`${internalMessages.seq} > coalesce(${internalChannelMembers.lastReadSeq}, 0)`,
        ),
      )
      .groupBy(internalMessages.channelId),
    db
      .select({ channelId: internalChannelMembers.channelId, userId: users.id, name: users.name })
      .from(internalChannelMembers)
      .innerJoin(users, eq(users.id, internalChannelMembers.userId))
      .innerJoin(internalChannels, eq(internalChannels.id, internalChannelMembers.channelId))
      .where(and(inArray(internalChannelMembers.channelId, ids), eq(internalChannels.kind, "direct"))),
    teamIds.length === 0
      ? Promise.resolve([])
      : db
          .select({ teamId: teamMembers.teamId, userId: teamMembers.userId })
          .from(teamMembers)
          .where(inArray(teamMembers.teamId, teamIds)),
  ]);
  const lastByChannel = new Map(lastMessages.map((row) => [row.channelId, row]));
  const unreadByChannel = new Map(unread.map((row) => [row.channelId, row.count]));
  const chats = channels.map(({ channel, teamName, lastReadSeq }): TInternalChat => {
    const direct = directMembers.filter((row) => row.channelId === channel.id);
    const memberUserIds =
      channel.kind === "team"
        ? teamMemberRows.filter((row) => row.teamId === channel.teamId).map((row) => row.userId)
        : direct.map((row) => row.userId);
    const last = lastByChannel.get(channel.id);
    return {
      id: channel.id,
      kind: channel.kind,
      teamId: channel.teamId,
      title:
        channel.kind === "team"
          ? (teamName ?? "Team")
          : (direct.find((row) => row.userId !== member.userId)?.name ?? "Direct chat"),
      memberUserIds,
      lastMessage: last ? toMessageDto(last) : null,
      unreadCount: unreadByChannel.get(channel.id) ?? 0,
      lastReadSeq,
    };
  });
  const activity = (chat: TInternalChat) => chat.lastMessage?.createdAt ?? "";
  return chats.sort((a, b) => activity(b).localeCompare(activity(a)));
};

const chatOf = async (db: DatabaseOrTransaction, member: Member, channelId: string): Promise<TInternalChat> => {
  const chat = (await listMyChats(db, member)).find((item) => item.id === channelId);
  if (!chat) throw notFound();
  return chat;
};

/** Finds or creates the one direct chat of two active members of the workspace. */
export const openDirectChat = async (
  services: Services,
  member: Member,
  otherUserId: string,
  actor: AuditActor,
): Promise<{ chat: TInternalChat; isNew: boolean }> => {
  if (otherUserId === member.userId) {
    throw new AppError("validation_failed", "A direct chat needs another member.", [{ path: "userId", message: "is you" }]);
  }
  const [other] = await services.db
    .select({ userId: memberships.userId })
    .from(memberships)
    .where(
      and(eq(memberships.workspaceId, member.workspaceId), eq(memberships.userId, otherUserId), eq(memberships.status, "active")),
    );
  if (!other) throw new AppError("not_found", "No active member with this id in this workspace.");
  const directKey = [member.userId, otherUserId].sort().join(":");
  const { channelId, entry } = await services.db.transaction(async (tx) => {
    const [created] = await tx
      .insert(internalChannels)
      .values({ workspaceId: member.workspaceId, kind: "direct", directKey })
      .onConflictDoNothing()
      .returning();
    if (!created) {
      const [existing] = await tx
        .select({ id: internalChannels.id })
        .from(internalChannels)
        .where(and(eq(internalChannels.workspaceId, member.workspaceId), eq(internalChannels.directKey, directKey)));
      if (!existing) throw new Error("direct chat vanished");
      return { channelId: existing.id, entry: null };
    }
    await tx.insert(internalChannelMembers).values([
      { channelId: created.id, userId: member.userId },
      { channelId: created.id, userId: otherUserId },
    ]);
    const audited = await recordAudit(tx, {
      workspaceId: member.workspaceId,
      actor,
      action: "internal_chat.created",
      target: { type: "internal_chat", id: created.id, label: "direct" },
      after: { kind: "direct", memberUserIds: [member.userId, otherUserId] },
    });
    return { channelId: created.id, entry: audited };
  });
  if (entry) publishAudit(services.realtime, member.workspaceId, entry);
  return { chat: await chatOf(services.db, member, channelId), isNew: entry !== null };
};

/** Finds or creates a team's group chat; only the team's members may open it. */
export const openTeamChat = async (
  services: Services,
  member: Member,
  teamId: string,
  actor: AuditActor,
): Promise<{ chat: TInternalChat; isNew: boolean }> => {
  const [team] = await services.db
    .select({ id: teams.id, name: teams.name })
    .from(teams)
    .innerJoin(teamMembers, and(eq(teamMembers.teamId, teams.id), eq(teamMembers.userId, member.userId)))
    .where(and(eq(teams.id, teamId), eq(teams.workspaceId, member.workspaceId)));
  if (!team) throw new AppError("not_found", "No team with this id that you belong to.");
  const { channelId, entry } = await services.db.transaction(async (tx) => {
    const [created] = await tx
      .insert(internalChannels)
      .values({ workspaceId: member.workspaceId, kind: "team", teamId: team.id })
      .onConflictDoNothing()
      .returning();
    if (!created) {
      const [existing] = await tx
        .select({ id: internalChannels.id })
        .from(internalChannels)
        .where(and(eq(internalChannels.workspaceId, member.workspaceId), eq(internalChannels.teamId, team.id)));
      if (!existing) throw new Error("team chat vanished");
      return { channelId: existing.id, entry: null };
    }
    const audited = await recordAudit(tx, {
      workspaceId: member.workspaceId,
      actor,
      action: "internal_chat.created",
      target: { type: "internal_chat", id: created.id, label: team.name },
      after: { kind: "team", teamId: team.id },
    });
    return { channelId: created.id, entry: audited };
  });
  if (entry) publishAudit(services.realtime, member.workspaceId, entry);
  return { chat: await chatOf(services.db, member, channelId), isNew: entry !== null };
};

export const listInternalMessages = async (
  db: DatabaseOrTransaction,
  member: Member,
  channelId: string,
  query: { before?: number | undefined; limit: number },
): Promise<{ items: TInternalMessage[]; hasOlder: boolean }> => {
  const channel = await findMyChannel(db, member, channelId);
  const rows = await db
    .select()
    .from(internalMessages)
    .where(and(eq(internalMessages.channelId, channel.id), query.before ? lt(internalMessages.seq, query.before) : undefined))
    .orderBy(desc(internalMessages.seq))
    .limit(query.limit + 1);
  const page = rows.slice(0, query.limit).reverse();
  return { items: page.map(toMessageDto), hasOlder: rows.length > query.limit };
};

/**
 * Stores a message once per clientId. Returns who should hear of it (the chat's members) so the
 * transport can deliver it in real time.
 */
export const sendInternalMessage = async (
  db: DatabaseOrTransaction,
  member: Member,
  channelId: string,
  input: { clientId: string; text: string },
): Promise<{ message: TInternalMessage; isDuplicate: boolean; recipientUserIds: string[] }> => {
  const channel = await findMyChannel(db, member, channelId);
  const [created] = await db
    .insert(internalMessages)
    .values({
      channelId: channel.id,
      workspaceId: member.workspaceId,
      senderId: member.userId,
      text: input.text,
      clientId: input.clientId,
    })
    .onConflictDoNothing({ target: [internalMessages.channelId, internalMessages.clientId] })
    .returning();
  const recipientUserIds = await participantIds(db, channel);
  if (created) {
    // The sender has read what they wrote.
    await db
      .update(internalChannelMembers)
      .set({ lastReadSeq: sql`greatest(${internalChannelMembers.lastReadSeq}, ${created.seq})` })
      .where(and(eq(internalChannelMembers.channelId, channel.id), eq(internalChannelMembers.userId, member.userId)));
    return { message: toMessageDto(created), isDuplicate: false, recipientUserIds };
  }
  const [existing] = await db
    .select()
    .from(internalMessages)
    .where(and(eq(internalMessages.channelId, channel.id), eq(internalMessages.clientId, input.clientId)));
  if (!existing) throw new Error("duplicate internal message vanished");
  return { message: toMessageDto(existing), isDuplicate: true, recipientUserIds };
};

/** Moves the caller's read mark forward (never back, never past the last message). */
export const markInternalChatRead = async (
  db: DatabaseOrTransaction,
  member: Member,
  channelId: string,
  upToSeq: number,
): Promise<{ lastReadSeq: number; unreadCount: number }> => {
  const channel = await findMyChannel(db, member, channelId);
  const [newest] = await db
    .select({ seq: sql<number>`coalesce(max(${internalMessages.seq}), 0)`.mapWith(Number) })
    .from(internalMessages)
    .where(eq(internalMessages.channelId, channel.id));
  const target = Math.min(upToSeq, newest?.seq ?? 0);
  const [updated] = await db
    .update(internalChannelMembers)
    .set({ lastReadSeq: sql`greatest(${internalChannelMembers.lastReadSeq}, ${target})` })
    .where(and(eq(internalChannelMembers.channelId, channel.id), eq(internalChannelMembers.userId, member.userId)))
    .returning({ lastReadSeq: internalChannelMembers.lastReadSeq });
  const lastReadSeq = updated?.lastReadSeq ?? 0;
  const [unread] = await db
    .select({ count: sql<number>`count(*)`.mapWith(Number) })
    .from(internalMessages)
    .where(
      and(
        eq(internalMessages.channelId, channel.id),
        ne(internalMessages.senderId, member.userId),
        sql`${internalMessages.seq} > ${lastReadSeq}`,
      ),
    );
  return { lastReadSeq, unreadCount: unread?.count ?? 0 };
};

/** Delivers a new internal message to its members' sockets (every node, through the adapter). */
export const publishInternalMessage = (
  services: Pick<AppServices, "realtime">,
  userIds: readonly string[],
  message: TInternalMessage,
): void => {
  if (userIds.length === 0) return;
  services.realtime.emitToAgents(
    userIds.map((userId) => rooms.user(userId)),
    "internal.message",
    { message },
  );
};
