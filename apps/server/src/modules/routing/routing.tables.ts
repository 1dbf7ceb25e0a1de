import { boolean, index, integer, pgTable, primaryKey, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { users } from "../auth/auth.tables.ts";
import { workspaces } from "../workspaces/workspaces.tables.ts";

export type PresenceStatus = "online" | "away" | "busy" | "offline";

/** An agent's chosen availability and capacity in one workspace. */
export const agentPresence = pgTable(
  "agent_presence",
  {
    workspaceId: uuid("workspace_id")
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    /** What the agent chose; "online" turns into "away" after their sockets drop (grace period). */
    status: text("status").$type<PresenceStatus>().notNull().default("offline"),
    /** Open conversations the agent takes at most across inboxes; null = the inbox's limit only. */
    maxConcurrent: integer("max_concurrent"),
    /** Last round-robin pick, so the next goes to someone else. */
    lastAssignedAt: timestamp("last_assigned_at", { withTimezone: true }),
    connectedSockets: integer("connected_sockets").notNull().default(0),
    /** "away" came from the grace period, not the agent: their next connection brings them back online. */
    isAutoAway: boolean("is_auto_away").notNull().default(false),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    primaryKey({ columns: [table.workspaceId, table.userId] }),
    index("agent_presence_status_idx").on(table.workspaceId, table.status),
  ],
);
