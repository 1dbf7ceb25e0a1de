import type { TAssignConversationRequest, TAssignmentEntry, TAuditEntry, TConversation } from "@parley/shared";
import { and, asc, eq, inArray, isNull, sql } from "drizzle-orm";
import type { DatabaseOrTransaction } from "../../platform/db.ts";
import type { DomainEvent } from "../../platform/domain-events.ts";
import { AppError } from "../../platform/errors.ts";
import type { RequestIdentity } from "../../platform/identity.ts";
import { type AuditActor, publishAudit, recordAudit } from "../audit/audit.service.ts";
import { users } from "../auth/auth.tables.ts";
import { type ConversationServices, commitConversationChange } from "../conversations/commit-change.ts";
import { loadConversationDtos } from "../conversations/conversation-dto.ts";
import { conversationAssignments, conversations } from "../conversations/conversations.tables.ts";
import { type ConversationRow, visibleConversationsCondition } from "../conversations/visibility.ts";
import { inboxMembers } from "../inboxes/inboxes.tables.ts";
import { appendMessage } from "../messages/append-message.ts";
import { teams } from "../teams/teams.tables.ts";
import { memberships, roles } from "../workspaces/workspaces.tables.ts";

export type AssignmentKind = "manual" | "transfer" | "auto" | "unassigned" | "claim" | "reply";

type AssignmentChange = {
  conversation: ConversationRow;
  toUserId: string | null;
  toTeamId: string | null;
  kind: AssignmentKind;
  reason: string | null;
  byUserId: string | null;
};

const namesOf = async (tx: DatabaseOrTransaction, userIds: readonly (string | null)[]): Promise<Map<string, string>> => {
  const ids = [...new Set(userIds.filter((id): id is string => id !== null))];
  if (ids.length === 0) return new Map();
  const rows = await tx.select({ id: users.id, name: users.name }).from(users).where(inArray(users.id, ids));
  return new Map(rows.map((row) => [row.id, row.name]));
};

const teamName = async (tx: DatabaseOrTransaction, teamId: string | null): Promise<string | null> => {
  if (!teamId) return null;
  const [row] = await tx.select({ name: teams.name }).from(teams).where(eq(teams.id, teamId));
  return row?.name ?? null;
};

/** "Assigned to Ada by Bob — reason: …", the line agents read in the conversation. */
const describeChange = (change: AssignmentChange, names: Map<string, string>, team: string | null): string => {
  const to = change.toUserId ? (names.get(change.toUserId) ?? "an agent") : null;
  const from = change.conversation.assigneeId ? (names.get(change.conversation.assigneeId) ?? "an agent") : null;
  const by = change.byUserId ? names.get(change.byUserId) : null;
  let line: string;
  if (change.kind === "claim") line = `${to ?? "An agent"} took the conversation`;
  else if (change.kind === "reply") line = `${to ?? "An agent"} took the conversation by replying`;
  else if (to && from && to !== from) line = `Transferred from ${from} to ${to}`;
  else if (to) line = `Assigned to ${to}`;
  else if (from && change.conversation.assigneeId !== change.toUserId) line = `Unassigned from ${from}`;
  else line = team ? `Assigned to team ${team}` : "Team cleared";
  if (to && team && change.toTeamId !== change.conversation.teamId) line += ` (team ${team})`;
  if (change.kind === "auto") line += " automatically";
  else if (by && change.kind !== "claim" && change.kind !== "reply") line += ` by ${by}`;
  if (change.reason) line += ` — reason: ${change.reason}`;
  return line;
};

/**
 * Writes one assignment change: the conversation's assignee and team, a history row, an internal
 * system message, and the domain events. The caller holds the conversation row lock.
 */
export const applyAssignment = async (tx: DatabaseOrTransaction, change: AssignmentChange): Promise<DomainEvent[]> => {
  const { conversation } = change;
  const now = new Date();
  await tx
    .update(conversations)
    .set({ assigneeId: change.toUserId, teamId: change.toTeamId, updatedAt: now })
    .where(eq(conversations.id, conversation.id));
  await tx.insert(conversationAssignments).values({
    workspaceId: conversation.workspaceId,
    conversationId: conversation.id,
    fromUserId: conversation.assigneeId,
    toUserId: change.toUserId,
    fromTeamId: conversation.teamId,
    toTeamId: change.toTeamId,
    reason: change.reason,
    kind: change.kind,
    byUserId: change.byUserId,
  });
  const names = await namesOf(tx, [change.toUserId, conversation.assigneeId, change.byUserId]);
  const team = await teamName(tx, change.toTeamId);
  // Internal: who handles a conversation (and why it moved) is for agents, not for the contact.
  const appended = await appendMessage(tx, {
    workspaceId: conversation.workspaceId,
    conversationId: conversation.id,
    senderType: "system",
    senderId: null,
    contentType: "system",
    text: describeChange(change, names, team),
    isPrivate: true,
    content: {
      event: "assigned",
      kind: change.kind,
      fromUserId: conversation.assigneeId,
      toUserId: change.toUserId,
      fromTeamId: conversation.teamId,
      toTeamId: change.toTeamId,
      byUserId: change.byUserId,
      reason: change.reason,
    },
  });
  return [
    {
      type: "conversation.assigned",
      workspaceId: conversation.workspaceId,
      conversationId: conversation.id,
      assigneeId: change.toUserId,
      teamId: change.toTeamId,
    },
    {
      type: "conversation.updated",
      workspaceId: conversation.workspaceId,
      conversationId: conversation.id,
      changes: ["assignee", "team"],
    },
    ...appended.events,
  ];
};

/** Whether a member may be given a conversation of this inbox: active, and working the inbox or seeing all. */
export const canTakeInbox = async (
  tx: DatabaseOrTransaction,
  input: { workspaceId: string; inboxId: string; userId: string },
): Promise<boolean> => {
  const [row] = await tx
    .select({
      permissions: roles.permissions,
      isInboxMember: sql<boolean>`exists (select 1 from ${inboxMembers} where ${inboxMembers.inboxId} = ${input.inboxId} and ${inboxMembers.userId} = ${input.userId})`,
    })
    .from(memberships)
    .innerJoin(roles, eq(roles.id, memberships.roleId))
    .where(
      and(eq(memberships.workspaceId, input.workspaceId), eq(memberships.userId, input.userId), eq(memberships.status, "active")),
    );
  if (!row) return false;
  return row.isInboxMember || row.permissions.includes("conversations.view_all");
};

const lockVisibleConversation = async (
  tx: DatabaseOrTransaction,
  identity: RequestIdentity,
  conversationId: string,
): Promise<ConversationRow> => {
  const [row] = await tx
    .select()
    .from(conversations)
    .where(and(eq(conversations.id, conversationId), visibleConversationsCondition(tx, identity)))
    .for("update", { of: conversations });
  if (!row) throw new AppError("not_found", "No conversation with this id that you can see.");
  return row;
};

const kindOf = (conversation: ConversationRow, toUserId: string | null, toTeamId: string | null): AssignmentKind => {
  if (toUserId === null && conversation.assigneeId !== null) return "unassigned";
  if (conversation.assigneeId !== null && toUserId !== conversation.assigneeId) return "transfer";
  if (conversation.teamId !== null && toTeamId !== conversation.teamId && toUserId === conversation.assigneeId) return "transfer";
  return "manual";
};

/** What an assignment asks, wherever it comes from (one request, a bulk action). */
type AssignmentRequest = {
  toUserId: string | null;
  toTeamId: string | null;
  reason: string | null;
  byUserId: string | null;
  actor: AuditActor;
};

/**
 * Assigns, unassigns or transfers a conversation whose row the caller's transaction holds: the
 * member must be able to take its inbox and the team must be the workspace's; the change is
 * written with its history row, timeline line and audit entry. Null when nothing changes.
 */
export const assignLocked = async (
  tx: DatabaseOrTransaction,
  conversation: ConversationRow,
  request: AssignmentRequest,
): Promise<{ events: DomainEvent[]; entry: TAuditEntry } | null> => {
  const { toUserId, toTeamId } = request;
  const { workspaceId } = conversation;
  if (toUserId && toUserId !== conversation.assigneeId) {
    const isEligible = await canTakeInbox(tx, { workspaceId, inboxId: conversation.inboxId, userId: toUserId });
    if (!isEligible)
      throw new AppError("validation_failed", "This member is not active here or does not work this conversation's inbox.", [
        { path: "assigneeId", message: "not an eligible member" },
      ]);
  }
  if (toTeamId && toTeamId !== conversation.teamId) {
    const [team] = await tx
      .select({ id: teams.id })
      .from(teams)
      .where(and(eq(teams.id, toTeamId), eq(teams.workspaceId, workspaceId)));
    if (!team)
      throw new AppError("validation_failed", "No team with this id in this workspace.", [
        { path: "teamId", message: "unknown team" },
      ]);
  }
  if (toUserId === conversation.assigneeId && toTeamId === conversation.teamId) return null;
  const kind = kindOf(conversation, toUserId, toTeamId);
  const events = await applyAssignment(tx, {
    conversation,
    toUserId,
    toTeamId,
    kind,
    reason: request.reason,
    byUserId: request.byUserId,
  });
  const entry = await recordAudit(tx, {
    workspaceId,
    actor: request.actor,
    action:
      kind === "transfer"
        ? "conversation.transferred"
        : kind === "unassigned"
          ? "conversation.unassigned"
          : "conversation.assigned",
    target: { type: "conversation", id: conversation.id, label: `#${conversation.number}` },
    before: { assigneeId: conversation.assigneeId, teamId: conversation.teamId },
    after: { assigneeId: toUserId, teamId: toTeamId, ...(request.reason ? { reason: request.reason } : {}) },
  });
  return { events, entry };
};

/** Assigns, unassigns or transfers a conversation to an agent and/or a team, with a reason. */
export const assignConversation = async (
  services: ConversationServices,
  identity: RequestIdentity,
  conversationId: string,
  request: TAssignConversationRequest,
  actor: AuditActor,
): Promise<TConversation> => {
  const entry = await commitConversationChange(services, async (tx) => {
    const conversation = await lockVisibleConversation(tx, identity, conversationId);
    const done = await assignLocked(tx, conversation, {
      toUserId: request.assigneeId === undefined ? conversation.assigneeId : request.assigneeId,
      toTeamId: request.teamId === undefined ? conversation.teamId : request.teamId,
      reason: request.reason || null,
      byUserId: identity.userId,
      actor,
    });
    return { result: done?.entry ?? null, events: done?.events ?? [] };
  });
  if (entry) publishAudit(services.realtime, identity.workspaceId, entry);
  return loadOne(services.db, conversationId, identity.userId);
};

const loadOne = async (
  db: DatabaseOrTransaction,
  conversationId: string,
  viewerUserId: string | null,
): Promise<TConversation> => {
  const [dto] = await loadConversationDtos(db, [conversationId], viewerUserId);
  if (!dto) throw new AppError("not_found", "No conversation with this id that you can see.");
  return dto;
};

/**
 * Gives an unassigned conversation whose row the transaction holds to the member taking it: the
 * history row, timeline line and events of the assignment, and the "conversation.claimed" audit entry.
 */
const takeLocked = async (
  tx: DatabaseOrTransaction,
  conversation: ConversationRow,
  userId: string,
  kind: "claim" | "reply",
  actor: AuditActor,
): Promise<{ events: DomainEvent[]; entry: TAuditEntry }> => {
  const events = await applyAssignment(tx, {
    conversation,
    toUserId: userId,
    toTeamId: conversation.teamId,
    kind,
    reason: null,
    byUserId: userId,
  });
  const entry = await recordAudit(tx, {
    workspaceId: conversation.workspaceId,
    actor,
    action: "conversation.claimed",
    target: { type: "conversation", id: conversation.id, label: `#${conversation.number}` },
    before: { assigneeId: null },
    after: { assigneeId: userId, ...(kind === "reply" ? { by: "reply" } : {}) },
  });
  return { events, entry };
};

/**
 * An agent takes an unassigned conversation they can see. Of simultaneous claims exactly one wins:
 * the update is conditional on "still unassigned" and runs under the row lock, so the loser sees
 * the winner's assignee and gets a conflict.
 */
export const claimConversation = async (
  services: ConversationServices,
  identity: RequestIdentity,
  conversationId: string,
  actor: AuditActor,
): Promise<TConversation> => {
  const userId = identity.userId;
  if (!userId) throw new AppError("forbidden", "Only a member can take a conversation; API keys cannot.");
  const entry = await commitConversationChange(services, async (tx) => {
    const conversation = await lockVisibleConversation(tx, identity, conversationId);
    const [taken] = await tx
      .update(conversations)
      .set({ assigneeId: userId, updatedAt: new Date() })
      .where(and(eq(conversations.id, conversation.id), isNull(conversations.assigneeId)))
      .returning({ id: conversations.id });
    if (!taken) {
      throw new AppError("conflict", "Someone else already took this conversation.", undefined, {
        reason: "conversation_already_taken",
      });
    }
    const { events, entry: audited } = await takeLocked(tx, conversation, userId, "claim", actor);
    return { result: audited, events };
  });
  publishAudit(services.realtime, identity.workspaceId, entry);
  return loadOne(services.db, conversationId, userId);
};

/**
 * A member who replies to an unassigned conversation takes it (kind "reply"): the contact has their
 * answer from someone, and the queue and the other agents move on. Nothing happens for API keys,
 * for conversations someone has, or for a member who could not be given this inbox's conversations.
 */
export const takeOnReply = async (
  tx: DatabaseOrTransaction,
  identity: RequestIdentity,
  conversationId: string,
  actor: AuditActor,
): Promise<{ events: DomainEvent[]; entry: TAuditEntry } | null> => {
  const userId = identity.kind === "session" ? identity.userId : null;
  if (!userId) return null;
  const [conversation] = await tx
    .select()
    .from(conversations)
    .where(and(eq(conversations.id, conversationId), isNull(conversations.assigneeId)))
    .for("update");
  if (!conversation) return null;
  if (!(await canTakeInbox(tx, { workspaceId: conversation.workspaceId, inboxId: conversation.inboxId, userId }))) return null;
  return takeLocked(tx, conversation, userId, "reply", actor);
};

/** Who handled a conversation, oldest first. */
export const listAssignments = async (
  db: DatabaseOrTransaction,
  identity: RequestIdentity,
  conversationId: string,
): Promise<TAssignmentEntry[]> => {
  const [visible] = await db
    .select({ id: conversations.id })
    .from(conversations)
    .where(and(eq(conversations.id, conversationId), visibleConversationsCondition(db, identity)));
  if (!visible) throw new AppError("not_found", "No conversation with this id that you can see.");
  const rows = await db
    .select()
    .from(conversationAssignments)
    .where(
      and(
        eq(conversationAssignments.conversationId, conversationId),
        eq(conversationAssignments.workspaceId, identity.workspaceId),
      ),
    )
    .orderBy(asc(conversationAssignments.createdAt), asc(conversationAssignments.id));
  return rows.map((row) => ({
    id: row.id,
    conversationId: row.conversationId,
    kind: row.kind,
    fromUserId: row.fromUserId,
    toUserId: row.toUserId,
    fromTeamId: row.fromTeamId,
    toTeamId: row.toTeamId,
    reason: row.reason,
    byUserId: row.byUserId,
    createdAt: row.createdAt.toISOString(),
  }));
};
