import { type TBulkAction, type TBulkProgress, type TBulkRequest, ZBulkAction } from "@parley/shared";
import { and, eq, inArray, sql } from "drizzle-orm";
import type { FastifyRequest } from "fastify";
import { z } from "zod";
import type { DatabaseOrTransaction } from "../../platform/db.ts";
import { AppError } from "../../platform/errors.ts";
import { hasPermission, type RequestIdentity } from "../../platform/identity.ts";
import { enqueueJob } from "../../platform/queue/enqueue.ts";
import { defineTask } from "../../platform/queue/tasks.ts";
import { rooms } from "../../platform/realtime.ts";
import { actorOf, publishAudit, recordAudit } from "../audit/audit.service.ts";
import { users } from "../auth/auth.tables.ts";
import { assignLocked } from "../routing/assignment.service.ts";
import { type ConversationServices, commitConversationChange } from "./commit-change.ts";
import { selectConversationIds } from "./conversation-list.ts";
import { publishOutcomes } from "./conversations.service.ts";
import { bulkOperations, conversations } from "./conversations.tables.ts";
import { applyChange, type ChangeActor, type ChangeOutcome, type LifecycleChange, resolveLabels } from "./lifecycle.ts";
import { type ConversationRow, visibleConversationsCondition } from "./visibility.ts";

/** A bulk action covers at most this many conversations; narrow the filter for more. */
export const BULK_LIMIT = 10_000;
const BATCH_SIZE = 25;

const ZStoredSelection = z.object({ conversationIds: z.array(z.uuid()) });

type AssignmentAction = Extract<TBulkAction, { type: "assign" | "unassign" }>;

const isAssignment = (action: TBulkAction): action is AssignmentAction => action.type === "assign" || action.type === "unassign";

const toLifecycleChange = (action: Exclude<TBulkAction, AssignmentAction>): LifecycleChange => {
  switch (action.type) {
    case "label_add":
      return { type: "label_add", label: action.label };
    case "label_remove":
      return { type: "label_remove", label: action.label };
    case "status":
      return { type: "status", status: action.status };
    case "priority":
      return { type: "priority", priority: action.priority };
  }
};

/** The conversations a selection covers, limited to those the requester may see, resolved now. */
const resolveSelection = async (
  db: DatabaseOrTransaction,
  identity: RequestIdentity,
  selection: TBulkRequest["selection"],
): Promise<string[]> => {
  if ("filter" in selection) return selectConversationIds(db, identity, selection.filter, BULK_LIMIT);
  const rows = await db
    .select({ id: conversations.id })
    .from(conversations)
    .where(and(inArray(conversations.id, [...new Set(selection.ids)]), visibleConversationsCondition(db, identity)));
  const visible = new Set(rows.map((row) => row.id));
  return [...new Set(selection.ids)].filter((id) => visible.has(id));
};

export const runBulkOperationTask = defineTask({
  name: "conversations.bulk_operation",
  payload: z.object({ operationId: z.uuid() }),
  maxAttempts: 3,
  run: async (payload, context) => {
    await runBulkOperation(context, payload.operationId);
  },
});

/**
 * Accepts a bulk action: resolves the selection within what the requester may see and queues the
 * job that applies it conversation by conversation.
 */
export const requestBulkOperation = async (
  services: ConversationServices,
  caller: { identity: RequestIdentity; request: Pick<FastifyRequest, "ip" | "headers"> },
  body: TBulkRequest,
): Promise<{ operationId: string }> => {
  const { identity } = caller;
  if (body.action.type === "assign" || body.action.type === "unassign") {
    if (!hasPermission(identity, "conversations.assign")) {
      throw new AppError("forbidden", "Assigning conversations needs the conversations.assign permission.", undefined, {
        reason: "permission_required",
        params: { permission: "conversations.assign" },
      });
    }
  }
  const action =
    body.action.type === "label_add" || body.action.type === "label_remove"
      ? { ...body.action, label: (await resolveLabels(services.db, identity.workspaceId, [body.action.label]))[0] ?? "" }
      : body.action;
  const { operationId, entry } = await services.db.transaction(async (tx) => {
    const conversationIds = await resolveSelection(tx, identity, body.selection);
    const [operation] = await tx
      .insert(bulkOperations)
      .values({
        workspaceId: identity.workspaceId,
        requestedByUserId: identity.userId,
        action,
        selection: { ...body.selection, conversationIds },
        total: conversationIds.length,
      })
      .returning({ id: bulkOperations.id });
    if (!operation) throw new Error("bulk operation insert returned no row");
    await enqueueJob(tx, runBulkOperationTask, { operationId: operation.id });
    const entry = await recordAudit(tx, {
      workspaceId: identity.workspaceId,
      actor: actorOf(identity, caller.request),
      action: "conversation.bulk_requested",
      target: { type: "bulk_operation", id: operation.id },
      after: { action, total: conversationIds.length },
    });
    return { operationId: operation.id, entry };
  });
  publishAudit(services.realtime, identity.workspaceId, entry);
  return { operationId };
};

/** A bulk operation's progress, for its workspace only. */
export const getBulkOperation = async (
  db: DatabaseOrTransaction,
  identity: RequestIdentity,
  operationId: string,
): Promise<TBulkProgress> => {
  const [row] = await db
    .select()
    .from(bulkOperations)
    .where(and(eq(bulkOperations.id, operationId), eq(bulkOperations.workspaceId, identity.workspaceId)));
  if (!row) throw new AppError("not_found", "No bulk operation with this id.");
  return { operationId: row.id, status: row.status, total: row.total, processed: row.processed, failed: row.failed };
};

/**
 * Applies a bulk action in batches, each conversation in its own transaction through the same
 * lifecycle change as the single-conversation routes (system message, events, audit per
 * conversation). A retried job starts over; changes already made are no-ops the second time.
 */
export const runBulkOperation = async (services: ConversationServices, operationId: string): Promise<void> => {
  const { db } = services;
  const [operation] = await db.select().from(bulkOperations).where(eq(bulkOperations.id, operationId));
  if (!operation || operation.status === "done") return;
  const action = ZBulkAction.safeParse(operation.action);
  const selection = ZStoredSelection.safeParse(operation.selection);
  if (!action.success || !selection.success) {
    await db
      .update(bulkOperations)
      .set({ status: "failed", error: "unreadable action or selection", finishedAt: new Date() })
      .where(eq(bulkOperations.id, operationId));
    return;
  }
  const [requester] = operation.requestedByUserId
    ? await db.select({ name: users.name, email: users.email }).from(users).where(eq(users.id, operation.requestedByUserId))
    : [];
  const name = requester?.name || requester?.email || "API";
  const actor: ChangeActor = {
    author: { type: operation.requestedByUserId ? "user" : "api_key", id: operation.requestedByUserId, name },
    audit: {
      type: operation.requestedByUserId ? "user" : "api_key",
      id: operation.requestedByUserId,
      label: name,
      ip: null,
      userAgent: null,
    },
  };
  const bulkAction = action.data;
  /** One conversation's share of the action; assignment goes the way a single assignment does, with its checks and history. */
  const applyTo = async (tx: DatabaseOrTransaction, conversation: ConversationRow): Promise<ChangeOutcome> => {
    if (!isAssignment(bulkAction)) return applyChange(tx, actor, conversation, toLifecycleChange(bulkAction));
    const assigned = await assignLocked(tx, conversation, {
      toUserId: bulkAction.type === "assign" ? bulkAction.assigneeId : null,
      toTeamId: conversation.teamId,
      reason: null,
      byUserId: operation.requestedByUserId,
      actor: actor.audit,
    });
    return {
      workspaceId: conversation.workspaceId,
      conversationId: conversation.id,
      events: assigned?.events ?? [],
      auditEntries: assigned ? [assigned.entry] : [],
    };
  };
  await db.update(bulkOperations).set({ status: "running", processed: 0, failed: 0 }).where(eq(bulkOperations.id, operationId));

  const ids = selection.data.conversationIds;
  let processed = 0;
  let failed = 0;
  const requesterId = operation.requestedByUserId;
  const reportProgress = (status: "running" | "done") => {
    if (requesterId) {
      services.realtime.emitToAgents(rooms.user(requesterId), "bulk.progress", {
        operationId,
        status,
        total: ids.length,
        processed,
        failed,
      });
    }
  };
  for (let start = 0; start < ids.length; start += BATCH_SIZE) {
    for (const conversationId of ids.slice(start, start + BATCH_SIZE)) {
      try {
        const outcome = await commitConversationChange(services, async (tx) => {
          const [conversation] = await tx
            .select()
            .from(conversations)
            .where(and(eq(conversations.id, conversationId), eq(conversations.workspaceId, operation.workspaceId)))
            .for("update");
          if (!conversation) throw new AppError("not_found", "The conversation was deleted.");
          const done = await applyTo(tx, conversation);
          return { result: done, events: done.events };
        });
        publishOutcomes(services, [outcome]);
      } catch {
        failed += 1;
      }
      processed += 1;
    }
    await db.update(bulkOperations).set({ processed, failed }).where(eq(bulkOperations.id, operationId));
    reportProgress("running");
  }
  await db
    .update(bulkOperations)
    .set({ status: "done", processed, failed, finishedAt: sql`now()` })
    .where(eq(bulkOperations.id, operationId));
  reportProgress("done");
};
