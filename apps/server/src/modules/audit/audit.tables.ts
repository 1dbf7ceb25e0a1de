import { index, jsonb, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { newId } from "../../platform/ids.ts";

/**
 * Who did what to which target, with a minimal before/after. Append-only; ids are UUIDv7, so the
 * id orders entries by time and serves as the pagination cursor.
 */
export const auditLog = pgTable(
  "audit_log",
  {
    id: uuid("id").primaryKey().$defaultFn(newId),
    /** Null for platform-operator actions that belong to no workspace. */
    workspaceId: uuid("workspace_id"),
    actorType: text("actor_type").$type<"user" | "api_key" | "system">().notNull(),
    actorId: uuid("actor_id"),
    actorLabel: text("actor_label").notNull(),
    action: text("action").notNull(),
    targetType: text("target_type").notNull(),
    targetId: text("target_id"),
    targetLabel: text("target_label"),
    before: jsonb("before"),
    after: jsonb("after"),
    ip: text("ip"),
    userAgent: text("user_agent"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    index("audit_log_workspace_idx").on(table.workspaceId, table.id),
    index("audit_log_workspace_action_idx").on(table.workspaceId, table.action, table.id),
    index("audit_log_workspace_actor_idx").on(table.workspaceId, table.actorId, table.id),
    index("audit_log_workspace_target_idx").on(table.workspaceId, table.targetType, table.targetId),
  ],
);
