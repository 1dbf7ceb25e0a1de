import { and, asc, eq, inArray, isNull, sql } from "drizzle-orm";
import { z } from "zod";
import type { DatabaseOrTransaction } from "../../platform/db.ts";
import type { DomainEvent, DomainEventHandler } from "../../platform/domain-events.ts";
import { enqueueJob } from "../../platform/queue/enqueue.ts";
import { defineTask } from "../../platform/queue/tasks.ts";
import { recordAudit, SYSTEM_ACTOR } from "../audit/audit.service.ts";
import { commitConversationChange } from "../conversations/commit-change.ts";
import { conversations } from "../conversations/conversations.tables.ts";
import type { ConversationRow } from "../conversations/visibility.ts";
import { type AutoAssignment, inboxes, inboxMembers } from "../inboxes/inboxes.tables.ts";
import { teamMembers } from "../teams/teams.tables.ts";
import { memberships } from "../workspaces/workspaces.tables.ts";
import { applyAssignment } from "./assignment.service.ts";
import { agentPresence } from "./routing.tables.ts";

type InboxRouting = { id: string; autoAssignment: AutoAssignment; maxConcurrentPerAgent: number | null };

/** Conversations that count against an agent's capacity: waiting for or in a conversation with them. */
const ACTIVE_STATUSES = sql`('pending', 'open')`;

/**
 * Serialises automatic assignment within a workspace, so two conversations arriving at once see
 * each other's assignment when counting an agent's load (an agent's capacity spans inboxes).
 */
const lockRouting = async (tx: DatabaseOrTransaction, workspaceId: string): Promise<void> => {
  await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`parley:routing:${workspaceId}`}))`);
};

/** Who the inbox's strategy considers, before presence and capacity. */
const candidateIds = async (tx: DatabaseOrTransaction, conversation: ConversationRow, inbox: InboxRouting): Promise<string[]> => {
  const routing = inbox.autoAssignment;
  switch (routing.strategy) {
    case "none":
      return [];
    case "round_robin":
    case "least_busy": {
      const rows = await tx.select({ userId: inboxMembers.userId }).from(inboxMembers).where(eq(inboxMembers.inboxId, inbox.id));
      return rows.map((row) => row.userId);
    }
    case "team": {
      if (!routing.teamId) return [];
      const rows = await tx
        .select({ userId: teamMembers.userId })
        .from(teamMembers)
        .where(and(eq(teamMembers.teamId, routing.teamId), eq(teamMembers.workspaceId, conversation.workspaceId)));
      return rows.map((row) => row.userId);
    }
    case "skills": {
      const skills = routing.skills ?? {};
      return [...new Set(conversation.labels.flatMap((label) => skills[label] ?? []))];
    }
    default: {
      const unknown: never = routing.strategy;
      return unknown;
    }
  }
};

/**
 * The agent who takes a conversation now, or null when nobody can (it then waits in the queue):
 * online (not away, busy or offline), active in the workspace, and under both the inbox's and
 * their own limit of active conversations.
 */
export const pickAgent = async (
  tx: DatabaseOrTransaction,
  conversation: ConversationRow,
  inbox: InboxRouting,
): Promise<string | null> => {
  const ids = await candidateIds(tx, conversation, inbox);
  if (ids.length === 0) return null;
  const rows = await tx
    .select({
      userId: agentPresence.userId,
      lastAssignedAt: agentPresence.lastAssignedAt,
      maxConcurrent: agentPresence.maxConcurrent,
      totalLoad: sql<number>`(select count(*)::int from conversations c where c.workspace_id = ${agentPresence.workspaceId} and c.assignee_id = ${agentPresence.userId} and c.status in ${ACTIVE_STATUSES})`,
      inboxLoad: sql<number>`(select count(*)::int from conversations c where c.inbox_id = ${inbox.id} and c.assignee_id = ${agentPresence.userId} and c.status in ${ACTIVE_STATUSES})`,
    })
    .from(agentPresence)
    .innerJoin(
      memberships,
      and(
        eq(memberships.workspaceId, agentPresence.workspaceId),
        eq(memberships.userId, agentPresence.userId),
        eq(memberships.status, "active"),
      ),
    )
    .where(
      and(
        eq(agentPresence.workspaceId, conversation.workspaceId),
        eq(agentPresence.status, "online"),
        inArray(agentPresence.userId, ids),
      ),
    );
  const available = rows.filter(
    (row) =>
      (inbox.maxConcurrentPerAgent === null || row.inboxLoad < inbox.maxConcurrentPerAgent) &&
      (row.maxConcurrent === null || row.totalLoad < row.maxConcurrent),
  );
  const assignedAt = (row: (typeof rows)[number]) => row.lastAssignedAt?.getTime() ?? 0;
  const byRotation = (a: (typeof rows)[number], b: (typeof rows)[number]) =>
    assignedAt(a) - assignedAt(b) || a.userId.localeCompare(b.userId);
  available.sort(
    inbox.autoAssignment.strategy === "round_robin" ? byRotation : (a, b) => a.totalLoad - b.totalLoad || byRotation(a, b),
  );
  return available[0]?.userId ?? null;
};

/**
 * Gives an unassigned, waiting conversation to an agent by its inbox's strategy. The caller holds
 * (or may take) the conversation's row lock. Returns no events when it stays in the queue.
 */
export const autoAssignConversation = async (
  tx: DatabaseOrTransaction,
  conversation: ConversationRow,
): Promise<{ isAssigned: boolean; events: DomainEvent[] }> => {
  const unassigned = { isAssigned: false, events: [] };
  if (conversation.assigneeId !== null || conversation.archivedAt !== null) return unassigned;
  if (conversation.status !== "pending" && conversation.status !== "open") return unassigned;
  const [inbox] = await tx
    .select({ id: inboxes.id, autoAssignment: inboxes.autoAssignment, maxConcurrentPerAgent: inboxes.maxConcurrentPerAgent })
    .from(inboxes)
    .where(and(eq(inboxes.id, conversation.inboxId), isNull(inboxes.deletedAt)));
  if (!inbox || inbox.autoAssignment.strategy === "none") return unassigned;
  await lockRouting(tx, conversation.workspaceId);
  const agentId = await pickAgent(tx, conversation, inbox);
  if (!agentId) return unassigned;
  const teamId = inbox.autoAssignment.strategy === "team" ? (inbox.autoAssignment.teamId ?? null) : conversation.teamId;
  const events = await applyAssignment(tx, {
    conversation,
    toUserId: agentId,
    toTeamId: teamId,
    kind: "auto",
    reason: null,
    byUserId: null,
  });
  await tx
    .update(agentPresence)
    .set({ lastAssignedAt: new Date() })
    .where(and(eq(agentPresence.workspaceId, conversation.workspaceId), eq(agentPresence.userId, agentId)));
  await recordAudit(tx, {
    workspaceId: conversation.workspaceId,
    actor: SYSTEM_ACTOR,
    action: "conversation.auto_assigned",
    target: { type: "conversation", id: conversation.id, label: `#${conversation.number}` },
    before: { assigneeId: null },
    after: { assigneeId: agentId, teamId, strategy: inbox.autoAssignment.strategy },
  });
  return { isAssigned: true, events };
};

/** Schedules a queue drain for every inbox of the workspace that assigns automatically (debounced per inbox). */
export const enqueueQueueDrains = async (tx: DatabaseOrTransaction, workspaceId: string, inboxId?: string): Promise<void> => {
  const rows = await tx
    .select({ id: inboxes.id })
    .from(inboxes)
    .where(
      and(
        eq(inboxes.workspaceId, workspaceId),
        isNull(inboxes.deletedAt),
        sql`${inboxes.autoAssignment}->>'strategy' <> 'none'`,
        inboxId ? eq(inboxes.id, inboxId) : undefined,
      ),
    );
  for (const row of rows) {
    await enqueueJob(
      tx,
      drainQueueTask,
      { workspaceId, inboxId: row.id },
      // Debounced by key while pending; no runAt, so the queue's NOTIFY starts it right after commit.
      { jobKey: `routing:drain:${row.id}` },
    );
  }
};

const DRAIN_BATCH = 200;

/**
 * Hands waiting conversations of one inbox to agents, oldest first, until nobody can take more.
 * Each assignment commits on its own so a busy queue never holds one long transaction.
 */
export const drainQueueTask = defineTask({
  name: "routing.drain_queue",
  payload: z.object({ workspaceId: z.uuid(), inboxId: z.uuid() }),
  maxAttempts: 5,
  run: async ({ workspaceId, inboxId }, services) => {
    const [inbox] = await services.db
      .select({ autoAssignment: inboxes.autoAssignment })
      .from(inboxes)
      .where(and(eq(inboxes.id, inboxId), eq(inboxes.workspaceId, workspaceId)));
    if (!inbox || inbox.autoAssignment.strategy === "none") return;
    const waiting = await services.db
      .select({ id: conversations.id })
      .from(conversations)
      .where(queuedCondition(workspaceId, inboxId))
      .orderBy(asc(conversations.createdAt), asc(conversations.id))
      .limit(DRAIN_BATCH);
    for (const { id } of waiting) {
      const isAssigned = await commitConversationChange(services, async (tx) => {
        const [conversation] = await tx
          .select()
          .from(conversations)
          .where(and(eq(conversations.id, id), queuedCondition(workspaceId, inboxId)))
          .for("update", { skipLocked: true });
        // Taken meanwhile, or being written to right now (its own transaction routes it).
        if (!conversation) return { result: true, events: [] };
        const outcome = await autoAssignConversation(tx, conversation);
        return { result: outcome.isAssigned, events: outcome.events };
      });
      // Everyone is full or away: later conversations would not fit either, except by skills.
      if (!isAssigned && inbox.autoAssignment.strategy !== "skills") return;
    }
  },
});

/** Conversations of an inbox waiting for an agent. */
export const queuedCondition = (workspaceId: string, inboxId: string) =>
  and(
    eq(conversations.workspaceId, workspaceId),
    eq(conversations.inboxId, inboxId),
    isNull(conversations.assigneeId),
    isNull(conversations.archivedAt),
    inArray(conversations.status, ["pending", "open"]),
  );

const lockConversation = async (tx: DatabaseOrTransaction, conversationId: string): Promise<ConversationRow | null> => {
  const [row] = await tx.select().from(conversations).where(eq(conversations.id, conversationId)).for("update");
  return row ?? null;
};

/**
 * Routing's reactions to the conversation model: new and reopened conversations are assigned (or
 * queue), a conversation leaving an agent's plate lets the queue move, and an unassigned one joins
 * it (an agent putting it back, a member who left).
 */
export const autoAssignHandler: DomainEventHandler = async (tx, event) => {
  if (event.type === "conversation.assigned") {
    if (event.assigneeId === null) await enqueueQueueDrains(tx, event.workspaceId);
    return undefined;
  }
  if (event.type === "conversation.created") {
    const conversation = await lockConversation(tx, event.conversationId);
    return conversation ? (await autoAssignConversation(tx, conversation)).events : undefined;
  }
  if (event.type !== "conversation.status_changed") return undefined;
  if ((event.to === "pending" || event.to === "open") && event.cause === "contact") {
    const conversation = await lockConversation(tx, event.conversationId);
    return conversation ? (await autoAssignConversation(tx, conversation)).events : undefined;
  }
  if (event.to === "resolved" || event.to === "closed" || event.to === "snoozed") {
    await enqueueQueueDrains(tx, event.workspaceId);
  }
  return undefined;
};
