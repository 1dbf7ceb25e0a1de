import { sql } from "drizzle-orm";
import { boolean, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { newId } from "../../platform/ids.ts";
import { users } from "../auth/auth.tables.ts";
import { teams } from "../teams/teams.tables.ts";
import { workspaces } from "../workspaces/workspaces.tables.ts";

export type InboxType = "website" | "messenger" | "instagram" | "whatsapp" | "telegram" | "email" | "sms" | "api";

export type AutoAssignment = {
  /** none: conversations wait in the unassigned view. */
  strategy: "none" | "round_robin" | "least_busy" | "team" | "skills";
  /** For "team": the team whose members take conversations. */
  teamId?: string | null;
  /** For "skills": conversation label → members who handle it. */
  skills?: Record<string, string[]>;
};

export type BusinessHours = {
  isEnabled: boolean;
  timezone: string;
  /** 0 = Sunday … 6 = Saturday; minutes from midnight, end exclusive. Several ranges per day allowed. */
  weekly: Array<{ day: number; startMinute: number; endMinute: number }>;
  /** ISO dates (YYYY-MM-DD) in the inbox's time zone when the inbox is closed all day. */
  holidays: string[];
};

/** One connected channel instance: a website widget, a Facebook page, a WhatsApp number, a mailbox… */
export const inboxes = pgTable(
  "inboxes",
  {
    id: uuid("id").primaryKey().$defaultFn(newId),
    workspaceId: uuid("workspace_id")
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    type: text("type").$type<InboxType>().notNull(),
    name: text("name").notNull(),
    /** Public token a website widget embeds (`data-inbox`); null for other channels. */
    websiteToken: text("website_token").unique(),
    /** HMAC key for the widget's identity verification and API-channel callbacks, encrypted at rest. */
    secret: text("secret"),
    /** Channel settings without secrets (page id, phone number id, address, widget look…). */
    channelConfig: jsonb("channel_config").$type<Record<string, unknown>>().notNull().default({}),
    /**
     * The platform's own id for this channel (phone number id, page id, bot id, address…), which
     * routes a shared webhook to its inbox; unique per channel type among live inboxes.
     */
    channelKey: text("channel_key"),
    /** connected | expiring | error | disconnected; null for inboxes without a platform connection. */
    channelStatus: text("channel_status"),
    /** The platform's words when the connection last failed, shown to admins as is. */
    channelError: text("channel_error"),
    /** Channel credentials (tokens), encrypted at rest; adapters decrypt them. */
    channelSecrets: text("channel_secrets"),
    greetingEnabled: boolean("greeting_enabled").notNull().default(false),
    greetingMessage: text("greeting_message").notNull().default(""),
    awayMessage: text("away_message").notNull().default(""),
    isCsatEnabled: boolean("is_csat_enabled").notNull().default(false),
    autoAssignment: jsonb("auto_assignment").$type<AutoAssignment>().notNull().default({ strategy: "none" }),
    /** Open conversations one agent takes from this inbox at most; null = no limit. */
    maxConcurrentPerAgent: integer("max_concurrent_per_agent"),
    businessHours: jsonb("business_hours").$type<BusinessHours>(),
    /** Inactive conversations close after this many minutes; null = never. */
    autoCloseMinutes: integer("auto_close_minutes"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
    deletedAt: timestamp("deleted_at", { withTimezone: true }),
  },
  (table) => [
    index("inboxes_workspace_idx").on(table.workspaceId),
    uniqueIndex("inboxes_channel_key_unique").on(table.type, table.channelKey).where(sql`${table.deletedAt} is null`),
  ],
);

/** Agents who work an inbox; without `conversations.view_all` an agent sees only these inboxes. */
export const inboxMembers = pgTable(
  "inbox_members",
  {
    inboxId: uuid("inbox_id")
      .notNull()
      .references(() => inboxes.id, { onDelete: "cascade" }),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    workspaceId: uuid("workspace_id")
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    primaryKey({ columns: [table.inboxId, table.userId] }),
    index("inbox_members_user_idx").on(table.workspaceId, table.userId),
  ],
);

export const inboxTeams = pgTable(
  "inbox_teams",
  {
    inboxId: uuid("inbox_id")
      .notNull()
      .references(() => inboxes.id, { onDelete: "cascade" }),
    teamId: uuid("team_id")
      .notNull()
      .references(() => teams.id, { onDelete: "cascade" }),
  },
  (table) => [primaryKey({ columns: [table.inboxId, table.teamId] })],
);
