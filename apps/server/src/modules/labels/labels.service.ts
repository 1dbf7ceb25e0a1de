import type { TAuditEntry, TCreateLabelRequest, TLabel, TUpdateLabelRequest } from "@parley/shared";
import { and, asc, eq, sql } from "drizzle-orm";
import type { DatabaseOrTransaction } from "../../platform/db.ts";
import { isUniqueViolation } from "../../platform/db.ts";
import type { DomainEvent } from "../../platform/domain-events.ts";
import { AppError } from "../../platform/errors.ts";
import { type AuditActor, changedFields, publishAudit, recordAudit } from "../audit/audit.service.ts";
import { type ConversationServices, commitConversationChange } from "../conversations/commit-change.ts";
import { conversations } from "../conversations/conversations.tables.ts";
import { labels } from "./labels.tables.ts";

type LabelRow = typeof labels.$inferSelect;

const LABEL_NOT_FOUND = "No label with this id in this workspace.";

const toLabelDto = (label: LabelRow): TLabel => ({
  id: label.id,
  name: label.name,
  color: label.color,
  description: label.description,
  createdAt: label.createdAt.toISOString(),
});

const withUniqueName = async <T>(name: string | undefined, work: () => Promise<T>): Promise<T> => {
  try {
    return await work();
  } catch (error) {
    if (isUniqueViolation(error, "labels_workspace_name_unique")) {
      throw new AppError(
        "conflict",
        `A label named "${name ?? ""}" already exists in this workspace; choose another name.`,
        [{ path: "body.name", message: "already used by another label" }],
        { reason: "label_name_taken", params: { name: name ?? "" } },
      );
    }
    throw error;
  }
};

export const listLabels = async (db: DatabaseOrTransaction, workspaceId: string): Promise<TLabel[]> => {
  const rows = await db
    .select()
    .from(labels)
    .where(eq(labels.workspaceId, workspaceId))
    .orderBy(sql`lower(${labels.name})`, asc(labels.id));
  return rows.map(toLabelDto);
};

const lockLabel = async (tx: DatabaseOrTransaction, workspaceId: string, labelId: string): Promise<LabelRow> => {
  const [label] = await tx
    .select()
    .from(labels)
    .where(and(eq(labels.workspaceId, workspaceId), eq(labels.id, labelId)))
    .for("update");
  if (!label) throw new AppError("not_found", LABEL_NOT_FOUND);
  return label;
};

/** Conversation events for every conversation whose labels a rename or delete touched, so sockets and webhooks see it. */
const labelsChanged = (workspaceId: string, rows: Array<{ id: string }>): DomainEvent[] =>
  rows.map((row) => ({ type: "conversation.updated", workspaceId, conversationId: row.id, changes: ["labels"] }));

export const createLabel = async (
  services: ConversationServices,
  workspaceId: string,
  input: TCreateLabelRequest,
  actor: AuditActor,
): Promise<TLabel> =>
  withUniqueName(input.name, async () => {
    const { label, entry } = await services.db.transaction(async (tx) => {
      const [label] = await tx
        .insert(labels)
        .values({ workspaceId, ...input })
        .returning();
      if (!label) throw new Error("label insert returned no row");
      const entry = await recordAudit(tx, {
        workspaceId,
        actor,
        action: "label.created",
        target: { type: "label", id: label.id, label: label.name },
        after: { name: label.name, color: label.color, description: label.description },
      });
      return { label, entry };
    });
    publishAudit(services.realtime, workspaceId, entry);
    return toLabelDto(label);
  });

/** A rename is applied to the workspace's conversations in the same transaction. */
export const updateLabel = async (
  services: ConversationServices,
  workspaceId: string,
  labelId: string,
  input: TUpdateLabelRequest,
  actor: AuditActor,
): Promise<TLabel> =>
  withUniqueName(input.name, async () => {
    const { label, entry } = await commitConversationChange<{ label: LabelRow; entry: TAuditEntry | null }>(
      services,
      async (tx) => {
        const before = await lockLabel(tx, workspaceId, labelId);
        const fields = (row: Pick<LabelRow, "name" | "color" | "description">) => ({
          name: row.name,
          color: row.color,
          description: row.description,
        });
        const next = {
          ...fields(before),
          ...Object.fromEntries(Object.entries(input).filter(([, value]) => value !== undefined)),
        };
        const diff = changedFields(fields(before), next);
        if (!diff) return { result: { label: before, entry: null }, events: [] };
        const [label] = await tx.update(labels).set(next).where(eq(labels.id, before.id)).returning();
        if (!label) throw new Error("label update returned no row");
        const renamed =
          label.name === before.name
            ? []
            : await tx
                .update(conversations)
                // Dropping the new name first keeps a conversation that somehow had both from carrying it twice.
                .set({
                  labels: sql`array_replace(array_remove(${conversations.labels}, ${label.name}), ${before.name}, ${label.name})`,
                })
                .where(
                  and(eq(conversations.workspaceId, workspaceId), sql`${conversations.labels} @> array[${before.name}]::text[]`),
                )
                .returning({ id: conversations.id });
        const entry = await recordAudit(tx, {
          workspaceId,
          actor,
          action: "label.updated",
          target: { type: "label", id: label.id, label: label.name },
          ...diff,
          ...(renamed.length > 0 ? { after: { ...diff.after, conversationsRelabelled: renamed.length } } : {}),
        });
        return { result: { label, entry }, events: labelsChanged(workspaceId, renamed) };
      },
    );
    if (entry) publishAudit(services.realtime, workspaceId, entry);
    return toLabelDto(label);
  });

/** Deleting a label takes it off every conversation of the workspace. */
export const deleteLabel = async (
  services: ConversationServices,
  workspaceId: string,
  labelId: string,
  actor: AuditActor,
): Promise<void> => {
  const entry = await commitConversationChange(services, async (tx) => {
    const label = await lockLabel(tx, workspaceId, labelId);
    await tx.delete(labels).where(eq(labels.id, label.id));
    const unlabelled = await tx
      .update(conversations)
      .set({ labels: sql`array_remove(${conversations.labels}, ${label.name})` })
      .where(and(eq(conversations.workspaceId, workspaceId), sql`${conversations.labels} @> array[${label.name}]::text[]`))
      .returning({ id: conversations.id });
    const entry = await recordAudit(tx, {
      workspaceId,
      actor,
      action: "label.deleted",
      target: { type: "label", id: label.id, label: label.name },
      before: { name: label.name, color: label.color, description: label.description },
      after: { conversationsUnlabelled: unlabelled.length },
    });
    return { result: entry, events: labelsChanged(workspaceId, unlabelled) };
  });
  publishAudit(services.realtime, workspaceId, entry);
};
