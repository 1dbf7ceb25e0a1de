import type { Permission } from "@parley/shared";
import { sql } from "drizzle-orm";
import { boolean, index, integer, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { newId } from "../../platform/ids.ts";
import { users } from "../auth/auth.tables.ts";

export const workspaces = pgTable("workspaces", {
  id: uuid("id").primaryKey().$defaultFn(newId),
  name: text("name").notNull(),
  slug: text("slug").notNull().unique(),
  logoUrl: text("logo_url"),
  timezone: text("timezone").notNull().default("UTC"),
  defaultLanguage: text("default_language").notNull().default("en"),
  dateFormat: text("date_format").notNull().default("YYYY-MM-DD"),
  timeFormat: text("time_format").$type<"12h" | "24h">().notNull().default("24h"),
  /** 0 = Sunday … 6 = Saturday. */
  weekStart: integer("week_start").notNull().default(1),
  requireTwoFactor: boolean("require_two_factor").notNull().default(false),
  /** Null: no idle timeout. */
  sessionIdleMinutes: integer("session_idle_minutes"),
  /** Null: sessions last SESSION_TTL_DAYS. */
  sessionAbsoluteHours: integer("session_absolute_hours"),
  /** CIDR ranges (IPv4 or IPv6); empty allows every address. */
  ipAllowlist: text("ip_allowlist").array().notNull().default(sql`'{}'::text[]`),
  passwordMinLength: integer("password_min_length").notNull().default(10),
  passwordExpiryDays: integer("password_expiry_days"),
  passwordHistoryCount: integer("password_history_count").notNull().default(0),
  /**
   * Days after which anonymous website visitors not seen since are deleted with their visits;
   * null keeps them. 270 (nine months) by default, as personal data kept with no use.
   */
  anonymousVisitorRetentionDays: integer("anonymous_visitor_retention_days").default(270),
  /** Lets the workspace's website widgets hide "Powered by Parley". */
  allowBrandingRemoval: boolean("allow_branding_removal").notNull().default(false),
  suspendedAt: timestamp("suspended_at", { withTimezone: true }),
  suspendedReason: text("suspended_reason"),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
});

/** Built-in roles carry their key (owner, admin, supervisor, agent); custom roles have none. */
export const roles = pgTable(
  "roles",
  {
    id: uuid("id").primaryKey().$defaultFn(newId),
    workspaceId: uuid("workspace_id")
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    key: text("key"),
    name: text("name").notNull(),
    description: text("description").notNull().default(""),
    permissions: text("permissions").array().$type<Permission[]>().notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    uniqueIndex("roles_workspace_key_unique").on(table.workspaceId, table.key),
    uniqueIndex("roles_workspace_name_unique").on(table.workspaceId, sql`lower(${table.name})`),
  ],
);

export const memberships = pgTable(
  "memberships",
  {
    workspaceId: uuid("workspace_id")
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    roleId: uuid("role_id")
      .notNull()
      .references(() => roles.id),
    status: text("status").$type<"active" | "deactivated">().notNull().default("active"),
    deactivatedAt: timestamp("deactivated_at", { withTimezone: true }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    primaryKey({ columns: [table.workspaceId, table.userId] }),
    index("memberships_user_idx").on(table.userId),
    index("memberships_role_idx").on(table.roleId),
  ],
);
