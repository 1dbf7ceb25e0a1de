import { boolean, index, integer, jsonb, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { newId } from "../../platform/ids.ts";
import { users } from "../auth/auth.tables.ts";
import { contacts } from "../contacts/contacts.tables.ts";
import { inboxes } from "../inboxes/inboxes.tables.ts";
import { workspaces } from "../workspaces/workspaces.tables.ts";

export type VisitedPage = { url: string; title: string; enteredAt: string; leftAt?: string | null };
export type TrackedEvent = { event: string; data: unknown; at: string };

/** One browsing session of a visitor on a website inbox's site, as agents see it live. */
export const visitorVisits = pgTable(
  "visitor_visits",
  {
    id: uuid("id").primaryKey().$defaultFn(newId),
    workspaceId: uuid("workspace_id")
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    inboxId: uuid("inbox_id")
      .notNull()
      .references(() => inboxes.id, { onDelete: "cascade" }),
    contactId: uuid("contact_id")
      .notNull()
      .references(() => contacts.id, { onDelete: "cascade" }),
    /** This visitor's nth visit to the site. */
    visitNumber: integer("visit_number").notNull().default(1),
    ip: text("ip"),
    country: text("country"),
    region: text("region"),
    city: text("city"),
    geoTimezone: text("geo_timezone"),
    userAgent: text("user_agent"),
    browser: text("browser"),
    browserVersion: text("browser_version"),
    os: text("os"),
    deviceType: text("device_type"),
    screen: text("screen"),
    timezone: text("timezone"),
    language: text("language"),
    referrer: text("referrer"),
    landingUrl: text("landing_url"),
    utm: jsonb("utm").$type<Record<string, string>>().notNull().default({}),
    currentUrl: text("current_url"),
    currentTitle: text("current_title"),
    pages: jsonb("pages").$type<VisitedPage[]>().notNull().default([]),
    /** What the site reported with `Parley.track`, newest last, capped. */
    events: jsonb("events").$type<TrackedEvent[]>().notNull().default([]),
    startedAt: timestamp("started_at", { withTimezone: true }).notNull().defaultNow(),
    lastSeenAt: timestamp("last_seen_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    index("visitor_visits_contact_idx").on(table.contactId, table.startedAt),
    index("visitor_visits_live_idx").on(table.workspaceId, table.lastSeenAt),
  ],
);

/** A banned visitor or IP range: the widget stays hidden for them and their messages are refused. */
export const visitorBans = pgTable(
  "visitor_bans",
  {
    id: uuid("id").primaryKey().$defaultFn(newId),
    workspaceId: uuid("workspace_id")
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    contactId: uuid("contact_id").references(() => contacts.id, { onDelete: "cascade" }),
    /** An address or CIDR range (IPv4 or IPv6). */
    ipRange: text("ip_range"),
    reason: text("reason").notNull().default(""),
    createdByUserId: uuid("created_by_user_id").references(() => users.id, { onDelete: "set null" }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp("expires_at", { withTimezone: true }),
  },
  (table) => [index("visitor_bans_workspace_idx").on(table.workspaceId)],
);

/** A proactive-chat rule: when its conditions hold for a visitor, the widget runs its actions. */
export const proactiveTriggers = pgTable(
  "proactive_triggers",
  {
    id: uuid("id").primaryKey().$defaultFn(newId),
    workspaceId: uuid("workspace_id")
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    /** Null: every website inbox of the workspace. */
    inboxId: uuid("inbox_id").references(() => inboxes.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    isEnabled: boolean("is_enabled").notNull().default(true),
    match: text("match").$type<"all" | "any">().notNull().default("all"),
    conditions: jsonb("conditions").$type<unknown[]>().notNull().default([]),
    actions: jsonb("actions").$type<unknown[]>().notNull().default([]),
    frequency: text("frequency")
      .$type<"once_per_visitor" | "once_per_session" | "always">()
      .notNull()
      .default("once_per_visitor"),
    /** Lower runs first. */
    position: integer("position").notNull().default(0),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [index("proactive_triggers_workspace_idx").on(table.workspaceId, table.position)],
);

/** Each time a trigger fired for a visitor, for frequency limits and reports. */
export const proactiveTriggerFirings = pgTable(
  "proactive_trigger_firings",
  {
    id: uuid("id").primaryKey().$defaultFn(newId),
    workspaceId: uuid("workspace_id")
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    triggerId: uuid("trigger_id")
      .notNull()
      .references(() => proactiveTriggers.id, { onDelete: "cascade" }),
    contactId: uuid("contact_id")
      .notNull()
      .references(() => contacts.id, { onDelete: "cascade" }),
    visitId: uuid("visit_id").references(() => visitorVisits.id, { onDelete: "set null" }),
    conversationId: uuid("conversation_id"),
    firedAt: timestamp("fired_at", { withTimezone: true }).notNull().defaultNow(),
    /** When the visitor answered the greeting; null while they have not. */
    engagedAt: timestamp("engaged_at", { withTimezone: true }),
  },
  (table) => [
    index("proactive_trigger_firings_trigger_idx").on(table.triggerId, table.firedAt),
    index("proactive_trigger_firings_contact_idx").on(table.contactId, table.triggerId),
  ],
);
