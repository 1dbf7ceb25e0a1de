import type { TAgentPresence, TPresenceStatus, TSetPresenceRequest } from "@parley/shared";
import { and, asc, eq, sql } from "drizzle-orm";
import { z } from "zod";
import type { Database, DatabaseOrTransaction } from "../../platform/db.ts";
import { AppError } from "../../platform/errors.ts";
import type { RequestIdentity } from "../../platform/identity.ts";
import { enqueueJob } from "../../platform/queue/enqueue.ts";
import { defineTask } from "../../platform/queue/tasks.ts";
import type { RealtimePublisher } from "../../platform/realtime.ts";
import { rooms } from "../../platform/realtime.ts";
import { type AuditActor, publishAudit, recordAudit } from "../audit/audit.service.ts";
import { users } from "../auth/auth.tables.ts";
import { avatarUrlOf } from "../auth/avatar-urls.ts";
import { memberships } from "../workspaces/workspaces.tables.ts";
import { enqueueQueueDrains } from "./auto-assign.ts";
import { presenceTiming } from "./presence-timing.ts";
import { agentPresence } from "./routing.tables.ts";

const awayJobKey = (workspaceId: string, userId: string) => `routing:away:${workspaceId}:${userId}`;

const toDto = (row: {
  userId: string;
  name: string;
  avatarKey: string | null;
  status: TPresenceStatus | null;
  maxConcurrent: number | null;
  connectedSockets: number | null;
  lastAssignedAt: Date | null;
  updatedAt: Date | null;
}): TAgentPresence => ({
  userId: row.userId,
  name: row.name,
  avatarUrl: avatarUrlOf(row.avatarKey),
  status: row.status ?? "offline",
  maxConcurrent: row.maxConcurrent,
  connectedSockets: row.connectedSockets ?? 0,
  lastAssignedAt: row.lastAssignedAt?.toISOString() ?? null,
  updatedAt: row.updatedAt?.toISOString() ?? null,
});

/** Every active member's presence; members who never connected are offline. */
export const listPresence = async (db: DatabaseOrTransaction, workspaceId: string): Promise<TAgentPresence[]> => {
  const rows = await db
    .select({
      userId: memberships.userId,
      name: users.name,
      avatarKey: users.avatarKey,
      status: agentPresence.status,
      maxConcurrent: agentPresence.maxConcurrent,
      connectedSockets: agentPresence.connectedSockets,
      lastAssignedAt: agentPresence.lastAssignedAt,
      updatedAt: agentPresence.updatedAt,
    })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .leftJoin(
      agentPresence,
      and(eq(agentPresence.workspaceId, memberships.workspaceId), eq(agentPresence.userId, memberships.userId)),
    )
    .where(and(eq(memberships.workspaceId, workspaceId), eq(memberships.status, "active")))
    .orderBy(asc(users.name), asc(memberships.userId));
  return rows.map(toDto);
};

const presenceOf = async (db: DatabaseOrTransaction, workspaceId: string, userId: string): Promise<TAgentPresence> => {
  const found = (await listPresence(db, workspaceId)).find((row) => row.userId === userId);
  if (!found) throw new AppError("not_found", "You are not an active member of this workspace.");
  return found;
};

/**
 * An agent chooses their status (and optionally their capacity). Coming online lets routing hand
 * them the conversations waiting in the queue.
 */
export const setPresence = async (
  services: { db: Database; realtime: RealtimePublisher },
  identity: RequestIdentity,
  request: TSetPresenceRequest,
  actor: AuditActor,
): Promise<TAgentPresence> => {
  const userId = identity.userId;
  if (!userId) throw new AppError("forbidden", "Presence belongs to members; API keys have none.");
  const { entry, presence } = await services.db.transaction(async (tx) => {
    const [before] = await tx
      .select()
      .from(agentPresence)
      .where(and(eq(agentPresence.workspaceId, identity.workspaceId), eq(agentPresence.userId, userId)))
      .for("update");
    const now = new Date();
    const maxConcurrent = request.maxConcurrent === undefined ? (before?.maxConcurrent ?? null) : request.maxConcurrent;
    await tx
      .insert(agentPresence)
      .values({ workspaceId: identity.workspaceId, userId, status: request.status, maxConcurrent, updatedAt: now })
      .onConflictDoUpdate({
        target: [agentPresence.workspaceId, agentPresence.userId],
        set: { status: request.status, maxConcurrent, isAutoAway: false, updatedAt: now },
      });
    const capacityGrew =
      before?.maxConcurrent !== null &&
      before?.maxConcurrent !== undefined &&
      (maxConcurrent === null || maxConcurrent > before.maxConcurrent);
    if (request.status === "online" && (before?.status !== "online" || capacityGrew)) {
      await enqueueQueueDrains(tx, identity.workspaceId);
    }
    const audited =
      before?.status === request.status && before?.maxConcurrent === maxConcurrent
        ? null
        : await recordAudit(tx, {
            workspaceId: identity.workspaceId,
            actor,
            action: "presence.updated",
            target: { type: "member", id: userId, label: identity.actorLabel },
            before: { status: before?.status ?? "offline", maxConcurrent: before?.maxConcurrent ?? null },
            after: { status: request.status, maxConcurrent },
          });
    return { entry: audited, presence: await presenceOf(tx, identity.workspaceId, userId) };
  });
  if (entry) publishAudit(services.realtime, identity.workspaceId, entry);
  services.realtime.emitToAgents(rooms.workspace(identity.workspaceId), "presence.updated", { presence });
  return presence;
};

/**
 * Counts a member's sockets in a workspace. A member who never chose a status comes online with
 * their first connection: someone who opens the dashboard is there to answer. The first socket
 * also cancels a pending auto-away, and brings back online an agent the grace period had turned
 * away (one who chose "away" or "offline" keeps that).
 */
export const recordAgentConnected = async (
  services: { db: Database; realtime: RealtimePublisher },
  workspaceId: string,
  userId: string,
): Promise<void> => {
  const cameOnline = await services.db.transaction(async (tx) => {
    const back = await tx
      .update(agentPresence)
      .set({ status: "online", isAutoAway: false, updatedAt: new Date() })
      .where(
        and(eq(agentPresence.workspaceId, workspaceId), eq(agentPresence.userId, userId), eq(agentPresence.isAutoAway, true)),
      )
      .returning({ userId: agentPresence.userId });
    const [counted] = await tx
      .insert(agentPresence)
      .values({ workspaceId, userId, status: "online", connectedSockets: 1 })
      .onConflictDoUpdate({
        target: [agentPresence.workspaceId, agentPresence.userId],
        set: { connectedSockets: sql`${agentPresence.connectedSockets} + 1` },
      })
      // xmax is 0 only on a row this statement inserted: the member's first connection.
      .returning({ isFirstConnection: sql<boolean>`xmax = 0` });
    if (back.length === 0 && !counted?.isFirstConnection) return null;
    // Online: routing may hand them the conversations that waited meanwhile.
    await enqueueQueueDrains(tx, workspaceId);
    return presenceOf(tx, workspaceId, userId);
  });
  if (cameOnline) services.realtime.emitToAgents(rooms.workspace(workspaceId), "presence.updated", { presence: cameOnline });
};

/**
 * One of a member's sockets closed. When it was the last one and they are "online", a job turns
 * them "away" after the grace period unless they reconnect before it runs.
 */
export const recordAgentDisconnected = async (db: Database, workspaceId: string, userId: string): Promise<void> => {
  await db.transaction(async (tx) => {
    const [row] = await tx
      .update(agentPresence)
      .set({ connectedSockets: sql`greatest(${agentPresence.connectedSockets} - 1, 0)` })
      .where(and(eq(agentPresence.workspaceId, workspaceId), eq(agentPresence.userId, userId)))
      .returning({ status: agentPresence.status, connectedSockets: agentPresence.connectedSockets });
    if (!row || row.connectedSockets > 0 || row.status !== "online") return;
    await enqueueJob(
      tx,
      markAwayTask,
      { workspaceId, userId },
      { runAt: new Date(Date.now() + presenceTiming.awayAfterDisconnectMs), jobKey: awayJobKey(workspaceId, userId) },
    );
  });
};

/** Auto-away: a no-op when the agent reconnected or chose another status meanwhile. */
export const markAwayTask = defineTask({
  name: "routing.mark_away",
  payload: z.object({ workspaceId: z.uuid(), userId: z.uuid() }),
  maxAttempts: 5,
  run: async ({ workspaceId, userId }, { db, realtime }) => {
    const changed = await db
      .update(agentPresence)
      .set({ status: "away", isAutoAway: true, updatedAt: new Date() })
      .where(
        and(
          eq(agentPresence.workspaceId, workspaceId),
          eq(agentPresence.userId, userId),
          eq(agentPresence.status, "online"),
          eq(agentPresence.connectedSockets, 0),
        ),
      )
      .returning({ userId: agentPresence.userId });
    if (changed.length > 0) {
      realtime.emitToAgents(rooms.workspace(workspaceId), "presence.updated", {
        presence: await presenceOf(db, workspaceId, userId),
      });
    }
  },
});
