import type {
  TCreateProactiveTriggerRequest,
  TProactiveTrigger,
  TTriggerAction,
  TTriggerCondition,
  TUpdateProactiveTriggerRequest,
} from "@parley/shared";
import { ZTriggerAction, ZTriggerCondition } from "@parley/shared";
import { and, asc, count, eq, inArray, isNull, sql } from "drizzle-orm";
import type { DatabaseOrTransaction } from "../../platform/db.ts";
import { AppError } from "../../platform/errors.ts";
import type { AppServices } from "../../platform/services.ts";
import { type AuditActor, changedFields, publishAudit, recordAudit } from "../audit/audit.service.ts";
import { inboxes } from "../inboxes/inboxes.tables.ts";
import { memberships } from "../workspaces/workspaces.tables.ts";
import { proactiveTriggerFirings, proactiveTriggers } from "./visitors.tables.ts";

type TriggerRow = typeof proactiveTriggers.$inferSelect;
type TriggerServices = Pick<AppServices, "db" | "realtime">;

const TRIGGER_NOT_FOUND = "No proactive trigger with this id.";

/** Stored JSON read back through the same schemas it was written with; anything out of shape is skipped. */
export const storedConditions = (row: TriggerRow): TTriggerCondition[] =>
  row.conditions.flatMap((condition) => {
    const parsed = ZTriggerCondition.safeParse(condition);
    return parsed.success ? [parsed.data] : [];
  });

export const storedActions = (row: TriggerRow): TTriggerAction[] =>
  row.actions.flatMap((action) => {
    const parsed = ZTriggerAction.safeParse(action);
    return parsed.success ? [parsed.data] : [];
  });

const statsOf = async (db: DatabaseOrTransaction, triggerIds: string[]) => {
  if (triggerIds.length === 0) return new Map<string, { fired: number; engaged: number }>();
  const rows = await db
    .select({
      triggerId: proactiveTriggerFirings.triggerId,
      fired: count(),
      engaged: sql<number>`count(${proactiveTriggerFirings.engagedAt})::int`,
    })
    .from(proactiveTriggerFirings)
    .where(inArray(proactiveTriggerFirings.triggerId, triggerIds))
    .groupBy(proactiveTriggerFirings.triggerId);
  return new Map(rows.map((row) => [row.triggerId, { fired: row.fired, engaged: row.engaged }]));
};

const toTriggerDto = (row: TriggerRow, stats: { fired: number; engaged: number } | undefined): TProactiveTrigger => ({
  id: row.id,
  name: row.name,
  inboxId: row.inboxId,
  isEnabled: row.isEnabled,
  match: row.match,
  conditions: storedConditions(row),
  actions: storedActions(row),
  frequency: row.frequency,
  position: row.position,
  stats: stats ?? { fired: 0, engaged: 0 },
  createdAt: row.createdAt.toISOString(),
  updatedAt: row.updatedAt.toISOString(),
});

export const listProactiveTriggers = async (db: DatabaseOrTransaction, workspaceId: string) => {
  const rows = await db
    .select()
    .from(proactiveTriggers)
    .where(eq(proactiveTriggers.workspaceId, workspaceId))
    .orderBy(asc(proactiveTriggers.position), asc(proactiveTriggers.createdAt));
  const stats = await statsOf(
    db,
    rows.map((row) => row.id),
  );
  return { items: rows.map((row) => toTriggerDto(row, stats.get(row.id))) };
};

/** A greeting sent as an agent needs an active member of the workspace; the inbox, a live website inbox. */
const assertReferences = async (
  db: DatabaseOrTransaction,
  workspaceId: string,
  input: { inboxId?: string | null | undefined; actions?: TTriggerAction[] | undefined },
) => {
  if (input.inboxId) {
    const [inbox] = await db
      .select({ type: inboxes.type })
      .from(inboxes)
      .where(and(eq(inboxes.id, input.inboxId), eq(inboxes.workspaceId, workspaceId), isNull(inboxes.deletedAt)));
    if (inbox?.type !== "website") {
      throw new AppError("validation_failed", "Choose one of your website inboxes.", [
        { path: "body.inboxId", message: "not a website inbox" },
      ]);
    }
  }
  for (const [index, action] of (input.actions ?? []).entries()) {
    if (action.type !== "greeting") continue;
    if (action.senderType === "agent") {
      if (!action.agentId) {
        throw new AppError("validation_failed", "Choose the member the greeting comes from.", [
          { path: `body.actions.${index}.agentId`, message: "required for an agent greeting" },
        ]);
      }
      const [member] = await db
        .select({ userId: memberships.userId })
        .from(memberships)
        .where(
          and(eq(memberships.workspaceId, workspaceId), eq(memberships.userId, action.agentId), eq(memberships.status, "active")),
        );
      if (!member) {
        throw new AppError("validation_failed", "The greeting's sender is not an active member of this workspace.", [
          { path: `body.actions.${index}.agentId`, message: "not a member" },
        ]);
      }
    }
  }
};

const auditedTrigger = (row: TriggerRow) => ({
  name: row.name,
  inboxId: row.inboxId,
  isEnabled: row.isEnabled,
  match: row.match,
  conditions: row.conditions,
  actions: row.actions,
  frequency: row.frequency,
});

export const createProactiveTrigger = async (
  services: TriggerServices,
  workspaceId: string,
  input: TCreateProactiveTriggerRequest,
  actor: AuditActor,
): Promise<TProactiveTrigger> => {
  const { row, entry } = await services.db.transaction(async (tx) => {
    await assertReferences(tx, workspaceId, input);
    const [last] = await tx
      .select({ position: sql<number>`coalesce(max(${proactiveTriggers.position}), -1)::int` })
      .from(proactiveTriggers)
      .where(eq(proactiveTriggers.workspaceId, workspaceId));
    const [row] = await tx
      .insert(proactiveTriggers)
      .values({ workspaceId, ...input, position: (last?.position ?? -1) + 1 })
      .returning();
    if (!row) throw new Error("trigger insert returned no row");
    const entry = await recordAudit(tx, {
      workspaceId,
      actor,
      action: "proactive_trigger.created",
      target: { type: "proactive_trigger", id: row.id, label: row.name },
      after: auditedTrigger(row),
    });
    return { row, entry };
  });
  publishAudit(services.realtime, workspaceId, entry);
  return toTriggerDto(row, undefined);
};

export const updateProactiveTrigger = async (
  services: TriggerServices,
  workspaceId: string,
  triggerId: string,
  input: TUpdateProactiveTriggerRequest,
  actor: AuditActor,
): Promise<TProactiveTrigger> => {
  const { row, entry } = await services.db.transaction(async (tx) => {
    const [before] = await tx
      .select()
      .from(proactiveTriggers)
      .where(and(eq(proactiveTriggers.id, triggerId), eq(proactiveTriggers.workspaceId, workspaceId)))
      .for("update");
    if (!before) throw new AppError("not_found", TRIGGER_NOT_FOUND);
    await assertReferences(tx, workspaceId, input);
    const changes = Object.fromEntries(Object.entries(input).filter(([, value]) => value !== undefined));
    const diff = changedFields(auditedTrigger(before), { ...auditedTrigger(before), ...changes });
    if (!diff) return { row: before, entry: null };
    const [row] = await tx
      .update(proactiveTriggers)
      .set({ ...changes, updatedAt: new Date() })
      .where(eq(proactiveTriggers.id, before.id))
      .returning();
    if (!row) throw new Error("trigger update returned no row");
    const entry = await recordAudit(tx, {
      workspaceId,
      actor,
      action: "proactive_trigger.updated",
      target: { type: "proactive_trigger", id: row.id, label: row.name },
      ...diff,
    });
    return { row, entry };
  });
  if (entry) publishAudit(services.realtime, workspaceId, entry);
  return toTriggerDto(row, (await statsOf(services.db, [row.id])).get(row.id));
};

export const deleteProactiveTrigger = async (
  services: TriggerServices,
  workspaceId: string,
  triggerId: string,
  actor: AuditActor,
) => {
  const entry = await services.db.transaction(async (tx) => {
    const [row] = await tx
      .delete(proactiveTriggers)
      .where(and(eq(proactiveTriggers.id, triggerId), eq(proactiveTriggers.workspaceId, workspaceId)))
      .returning();
    if (!row) throw new AppError("not_found", TRIGGER_NOT_FOUND);
    return recordAudit(tx, {
      workspaceId,
      actor,
      action: "proactive_trigger.deleted",
      target: { type: "proactive_trigger", id: row.id, label: row.name },
      before: auditedTrigger(row),
    });
  });
  publishAudit(services.realtime, workspaceId, entry);
};

/** Sets the run order: `ids` must list every trigger of the workspace exactly once. */
export const reorderProactiveTriggers = async (
  services: TriggerServices,
  workspaceId: string,
  ids: string[],
  actor: AuditActor,
) => {
  const entry = await services.db.transaction(async (tx) => {
    const rows = await tx
      .select({ id: proactiveTriggers.id, position: proactiveTriggers.position })
      .from(proactiveTriggers)
      .where(eq(proactiveTriggers.workspaceId, workspaceId))
      .orderBy(asc(proactiveTriggers.position), asc(proactiveTriggers.createdAt))
      .for("update");
    const known = new Set(rows.map((row) => row.id));
    if (ids.length !== rows.length || ids.some((id) => !known.has(id))) {
      throw new AppError("validation_failed", "List every trigger of the workspace exactly once.", [
        { path: "body.ids", message: "must be all trigger ids" },
      ]);
    }
    for (const [position, id] of ids.entries()) {
      await tx.update(proactiveTriggers).set({ position, updatedAt: new Date() }).where(eq(proactiveTriggers.id, id));
    }
    return recordAudit(tx, {
      workspaceId,
      actor,
      action: "proactive_trigger.reordered",
      target: { type: "workspace", id: workspaceId },
      before: { ids: rows.map((row) => row.id) },
      after: { ids },
    });
  });
  publishAudit(services.realtime, workspaceId, entry);
  return listProactiveTriggers(services.db, workspaceId);
};
