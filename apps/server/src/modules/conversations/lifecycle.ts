import type { TAuditEntry } from "@parley/shared";
import { and, eq, sql } from "drizzle-orm";
import type { DatabaseOrTransaction } from "../../platform/db.ts";
import type { DomainEvent } from "../../platform/domain-events.ts";
import { AppError } from "../../platform/errors.ts";
import { hasPermission, type RequestIdentity } from "../../platform/identity.ts";
import { type AuditActor, recordAudit } from "../audit/audit.service.ts";
import { users } from "../auth/auth.tables.ts";
import { labels as labelCatalogue } from "../labels/labels.tables.ts";
import { type ConversationPriority, type ConversationStatus, conversations } from "./conversations.tables.ts";
import {
  appendSystemMessage,
  archivedNote,
  autoClosedNote,
  type ChangeAuthor,
  labelsChangedNote,
  priorityChangedNote,
  type SystemNote,
  snoozedNote,
  snoozeEndedNote,
  statusChangedNote,
} from "./system-messages.ts";
import { type ConversationRow, visibleConversationsCondition } from "./visibility.ts";

/** Who changes a conversation: shown in the timeline, recorded in the audit log. */
export type ChangeActor = { author: ChangeAuthor; audit: AuditActor };

/** What a change produced, for commitConversationChange and the after-commit audit stream. */
export type ChangeOutcome = { workspaceId: string; conversationId: string; events: DomainEvent[]; auditEntries: TAuditEntry[] };

/**
 * The ways a conversation's lifecycle changes; every entry point (HTTP, bulk, jobs) goes through
 * `applyChange`. Who handles it is routing's (`assignLocked`).
 */
export type LifecycleChange =
  | { type: "status"; status: "open" | "pending" | "resolved" | "closed" }
  | { type: "snooze"; until: Date | null }
  | { type: "snooze_ended" }
  | { type: "auto_close"; minutes: number }
  | { type: "priority"; priority: ConversationPriority }
  | { type: "labels"; labels: readonly string[] }
  | { type: "label_add"; label: string }
  | { type: "label_remove"; label: string }
  | { type: "archive" }
  | { type: "unarchive" };

/** The author's display name: the member's name, or the API key's label. */
export const authorOf = async (db: DatabaseOrTransaction, identity: RequestIdentity): Promise<ChangeAuthor> => {
  if (identity.userId === null) return { type: "api_key", id: identity.apiKeyId, name: identity.actorLabel };
  const [user] = await db.select({ name: users.name }).from(users).where(eq(users.id, identity.userId));
  return { type: "user", id: identity.userId, name: user?.name || identity.actorLabel };
};

/** The conversation locked for the change, if the caller may see it (else 404). */
export const lockVisibleConversation = async (
  tx: DatabaseOrTransaction,
  identity: RequestIdentity,
  conversationId: string,
): Promise<ConversationRow> => {
  const [row] = await tx
    .select()
    .from(conversations)
    .where(and(eq(conversations.id, conversationId), visibleConversationsCondition(tx, identity)))
    .for("update");
  if (!row) throw new AppError("not_found", "No conversation with this id that you can see.");
  return row;
};

/** Lifecycle changes need `conversations.manage`, except on the conversations assigned to you. */
export const assertMayChange = (identity: RequestIdentity, conversation: ConversationRow): void => {
  if (hasPermission(identity, "conversations.manage")) return;
  if (identity.userId !== null && conversation.assigneeId === identity.userId) return;
  throw new AppError("forbidden", "You may change only the conversations assigned to you.", undefined, {
    reason: "own_conversations_only",
  });
};

/** Labels must be in the workspace's catalogue; answers with the catalogue's spelling. */
export const resolveLabels = async (
  db: DatabaseOrTransaction,
  workspaceId: string,
  names: readonly string[],
): Promise<string[]> => {
  const wanted = [...new Set(names.map((name) => name.trim()))];
  if (wanted.length === 0) return [];
  const rows = await db
    .select({ name: labelCatalogue.name })
    .from(labelCatalogue)
    .where(
      and(
        eq(labelCatalogue.workspaceId, workspaceId),
        sql`lower(${labelCatalogue.name}) in (${sql.join(
          wanted.map((name) => sql`${name.toLowerCase()}`),
          sql`, `,
        )})`,
      ),
    );
  const known = new Map(rows.map((row) => [row.name.toLowerCase(), row.name]));
  const unknown = wanted.filter((name) => !known.has(name.toLowerCase()));
  if (unknown.length > 0) {
    throw new AppError("validation_failed", `Unknown labels: ${unknown.join(", ")}.`, [
      { path: "labels", message: `not in the label catalogue: ${unknown.join(", ")}` },
    ]);
  }
  return wanted.map((name) => known.get(name.toLowerCase()) ?? name);
};

type Patch = Partial<
  Pick<ConversationRow, "status" | "priority" | "labels" | "snoozedUntil" | "archivedAt" | "resolvedAt" | "closedAt">
>;

type Plan = { patch: Patch; note: SystemNote; auditAction: string; changes: string[]; cause?: "agent" | "system" };

const statusPatch = (status: ConversationStatus, now: Date): Patch => ({
  status,
  snoozedUntil: null,
  ...(status === "resolved" ? { resolvedAt: now } : {}),
  ...(status === "closed" ? { closedAt: now } : {}),
  ...(status === "open" || status === "pending" ? { resolvedAt: null, closedAt: null } : {}),
});

/** The patch, note and audit action of a change; null when it would change nothing. */
const planChange = async (
  _tx: DatabaseOrTransaction,
  conversation: ConversationRow,
  change: LifecycleChange,
  author: ChangeAuthor,
): Promise<Plan | null> => {
  const now = new Date();
  const { status } = conversation;
  switch (change.type) {
    case "status":
      if (status === change.status) return null;
      return {
        patch: statusPatch(change.status, now),
        note: statusChangedNote(status, change.status, author),
        auditAction: "conversation.status_changed",
        changes: ["status"],
      };
    case "snooze":
      return {
        patch: { status: "snoozed", snoozedUntil: change.until },
        note: snoozedNote(status, change.until, author),
        auditAction: "conversation.snoozed",
        changes: ["status", "snoozedUntil"],
      };
    case "snooze_ended":
      if (status !== "snoozed") return null;
      return {
        patch: statusPatch("open", now),
        note: snoozeEndedNote(),
        auditAction: "conversation.snooze_ended",
        changes: ["status", "snoozedUntil"],
        cause: "system",
      };
    case "auto_close":
      if (status !== "open" && status !== "pending") return null;
      return {
        patch: statusPatch("closed", now),
        note: autoClosedNote(status, change.minutes),
        auditAction: "conversation.auto_closed",
        changes: ["status"],
        cause: "system",
      };
    case "priority":
      if (conversation.priority === change.priority) return null;
      return {
        patch: { priority: change.priority },
        note: priorityChangedNote(conversation.priority, change.priority, author),
        auditAction: "conversation.priority_changed",
        changes: ["priority"],
      };
    case "labels":
    case "label_add":
    case "label_remove": {
      const next =
        change.type === "labels"
          ? [...change.labels]
          : change.type === "label_add"
            ? [...new Set([...conversation.labels, change.label])]
            : conversation.labels.filter((label) => label.toLowerCase() !== change.label.toLowerCase());
      const added = next.filter((label) => !conversation.labels.includes(label));
      const removed = conversation.labels.filter((label) => !next.includes(label));
      if (added.length === 0 && removed.length === 0) return null;
      return {
        patch: { labels: next },
        note: labelsChangedNote(added, removed, author),
        auditAction: "conversation.labels_changed",
        changes: ["labels"],
      };
    }
    case "archive":
    case "unarchive": {
      const isArchived = change.type === "archive";
      if ((conversation.archivedAt !== null) === isArchived) return null;
      return {
        patch: { archivedAt: isArchived ? now : null },
        note: archivedNote(isArchived, author),
        auditAction: isArchived ? "conversation.archived" : "conversation.unarchived",
        changes: ["isArchived"],
      };
    }
  }
};

const auditView = (patch: Patch, from: ConversationRow): { before: Record<string, unknown>; after: Record<string, unknown> } => {
  const keys = Object.keys(patch) as Array<keyof Patch>;
  return {
    before: Object.fromEntries(keys.map((key) => [key, from[key]])),
    after: Object.fromEntries(keys.map((key) => [key, patch[key]])),
  };
};

/**
 * Applies one change to a conversation locked by the caller's transaction: updates the row,
 * writes the system message, records the audit entry and returns the domain events.
 */
export const applyChange = async (
  tx: DatabaseOrTransaction,
  actor: ChangeActor,
  conversation: ConversationRow,
  change: LifecycleChange,
): Promise<ChangeOutcome> => {
  const plan = await planChange(tx, conversation, change, actor.author);
  if (!plan) return { workspaceId: conversation.workspaceId, conversationId: conversation.id, events: [], auditEntries: [] };
  await tx
    .update(conversations)
    .set({ ...plan.patch, updatedAt: new Date() })
    .where(eq(conversations.id, conversation.id));
  const base = { workspaceId: conversation.workspaceId, conversationId: conversation.id };
  const events: DomainEvent[] = [];
  if (plan.patch.status !== undefined && plan.patch.status !== conversation.status) {
    events.push({
      type: "conversation.status_changed",
      ...base,
      from: conversation.status,
      to: plan.patch.status,
      cause: plan.cause ?? "agent",
    });
  }
  events.push({ type: "conversation.updated", ...base, changes: plan.changes });
  events.push(...(await appendSystemMessage(tx, conversation, plan.note)));
  const entry = await recordAudit(tx, {
    workspaceId: conversation.workspaceId,
    actor: actor.audit,
    action: plan.auditAction,
    target: { type: "conversation", id: conversation.id, label: `#${conversation.number}` },
    ...auditView(plan.patch, conversation),
  });
  return { workspaceId: conversation.workspaceId, conversationId: conversation.id, events, auditEntries: [entry] };
};
