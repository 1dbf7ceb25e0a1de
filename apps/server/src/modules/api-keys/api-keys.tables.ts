import type { Permission } from "@parley/shared";
import { index, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { newId } from "../../platform/ids.ts";
import { users } from "../auth/auth.tables.ts";
import { workspaces } from "../workspaces/workspaces.tables.ts";

/** Workspace API keys: shown once, stored as a SHA-256 hash, scoped to a set of permissions. */
export const apiKeys = pgTable(
  "api_keys",
  {
    id: uuid("id").primaryKey().$defaultFn(newId),
    workspaceId: uuid("workspace_id")
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    /** The first characters of the key, shown in lists so people can tell keys apart. */
    prefix: text("prefix").notNull(),
    keyHash: text("key_hash").notNull().unique(),
    permissions: text("permissions").array().$type<Permission[]>().notNull(),
    createdByUserId: uuid("created_by_user_id").references(() => users.id, { onDelete: "set null" }),
    expiresAt: timestamp("expires_at", { withTimezone: true }),
    lastUsedAt: timestamp("last_used_at", { withTimezone: true }),
    lastUsedIp: text("last_used_ip"),
    revokedAt: timestamp("revoked_at", { withTimezone: true }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [index("api_keys_workspace_idx").on(table.workspaceId, table.id)],
);
