import { and, asc, eq, inArray } from "drizzle-orm";
import type { DatabaseOrTransaction } from "../../platform/db.ts";
import { defineTask } from "../../platform/queue/tasks.ts";
import { publishAudit, SYSTEM_ACTOR } from "../audit/audit.service.ts";
import { type ConversationServices, commitConversationChange } from "../conversations/commit-change.ts";
import { conversations } from "../conversations/conversations.tables.ts";
import { memberships } from "../workspaces/workspaces.tables.ts";
import { assignLocked } from "./assignment.service.ts";
import { type MemberRelease, memberReleaseJob } from "./member-release-job.ts";

/** Work still in progress: resolved and closed conversations keep whoever handled them, for history and reports. */
const UNFINISHED_STATUSES = ["pending", "open", "snoozed"] as const;

const BATCH = 200;

const REASONS: Record<MemberRelease["cause"], string> = {
  removed: "the member was removed from the workspace",
  deactivated: "the member was deactivated",
};

/**
 * Conversations a member held when they left the workspace (removed or deactivated) go back to
 * their team and the queue, each with a line in its timeline, a history row and an audit entry,
 * so none waits on someone who can no longer answer. A job, queued in the transaction that ends
 * the membership: a member may hold thousands, and the admin's request should not wait for them.
 */
export const releaseMemberConversationsTask = defineTask({
  ...memberReleaseJob,
  run: async (payload, services) => {
    await releaseMemberConversations(services, payload);
  },
});

const isActiveMember = async (db: DatabaseOrTransaction, workspaceId: string, userId: string): Promise<boolean> => {
  const [row] = await db
    .select({ status: memberships.status })
    .from(memberships)
    .where(and(eq(memberships.workspaceId, workspaceId), eq(memberships.userId, userId)));
  return row?.status === "active";
};

const heldCondition = (workspaceId: string, userId: string) =>
  and(
    eq(conversations.workspaceId, workspaceId),
    eq(conversations.assigneeId, userId),
    inArray(conversations.status, [...UNFINISHED_STATUSES]),
  );

/** Unassigns, one transaction each, every unfinished conversation the member still holds; safe to run again. */
export const releaseMemberConversations = async (services: ConversationServices, release: MemberRelease): Promise<number> => {
  const { workspaceId, userId } = release;
  let released = 0;
  for (;;) {
    // Reactivated before the job ran: they can answer again, so their conversations stay theirs.
    if (await isActiveMember(services.db, workspaceId, userId)) break;
    const held = await services.db
      .select({ id: conversations.id })
      .from(conversations)
      .where(heldCondition(workspaceId, userId))
      .orderBy(asc(conversations.createdAt), asc(conversations.id))
      .limit(BATCH);
    for (const { id } of held) {
      const entry = await commitConversationChange(services, async (tx) => {
        const [conversation] = await tx
          .select()
          .from(conversations)
          .where(and(eq(conversations.id, id), heldCondition(workspaceId, userId)))
          .for("update");
        // Reassigned or finished meanwhile.
        if (!conversation) return { result: null, events: [] };
        const done = await assignLocked(tx, conversation, {
          toUserId: null,
          toTeamId: conversation.teamId,
          reason: REASONS[release.cause],
          byUserId: release.byUserId,
          actor: SYSTEM_ACTOR,
        });
        return { result: done?.entry ?? null, events: done?.events ?? [] };
      });
      if (!entry) continue;
      released += 1;
      publishAudit(services.realtime, workspaceId, entry);
    }
    if (held.length < BATCH) break;
  }
  // Each release is a conversation.assigned event with no assignee: auto-assignment queues it (autoAssignHandler).
  return released;
};
