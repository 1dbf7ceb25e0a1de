import { sql } from "drizzle-orm";
import { index, integer, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { newId } from "../../platform/ids.ts";
import { inboxes } from "../inboxes/inboxes.tables.ts";
import { workspaces } from "../workspaces/workspaces.tables.ts";

/**
 * A platform webhook delivery as it arrived, stored before we answer so nothing is lost; a job
 * turns it into messages and statuses. `dedupeKey` (the platform's delivery or message id) makes
 * a redelivered webhook a no-op.
 */
export const channelEvents = pgTable(
  "channel_events",
  {
    id: uuid("id").primaryKey().$defaultFn(newId),
    workspaceId: uuid("workspace_id")
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    inboxId: uuid("inbox_id")
      .notNull()
      .references(() => inboxes.id, { onDelete: "cascade" }),
    platform: text("platform").notNull(),
    dedupeKey: text("dedupe_key"),
    /** The request body as the platform sent it (JSON, form fields or raw MIME as text). */
    payload: jsonb("payload").notNull(),
    receivedAt: timestamp("received_at", { withTimezone: true }).notNull().defaultNow(),
    processedAt: timestamp("processed_at", { withTimezone: true }),
    attempts: integer("attempts").notNull().default(0),
    lastError: text("last_error"),
  },
  (table) => [
    uniqueIndex("channel_events_dedupe_unique").on(table.inboxId, table.dedupeKey),
    index("channel_events_unprocessed_idx").on(table.receivedAt).where(sql`${table.processedAt} is null`),
  ],
);

/** Pre-approved message templates a platform requires outside its reply window (WhatsApp). */
export const channelTemplates = pgTable(
  "channel_templates",
  {
    id: uuid("id").primaryKey().$defaultFn(newId),
    workspaceId: uuid("workspace_id")
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    inboxId: uuid("inbox_id")
      .notNull()
      .references(() => inboxes.id, { onDelete: "cascade" }),
    externalId: text("external_id"),
    name: text("name").notNull(),
    language: text("language").notNull(),
    category: text("category").notNull().default(""),
    /** approved | pending | rejected | paused | disabled, as the platform reports it. */
    status: text("status").notNull(),
    /** The platform's component definitions (header, body with {{n}} parameters, footer, buttons). */
    components: jsonb("components").$type<unknown[]>().notNull().default([]),
    syncedAt: timestamp("synced_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [uniqueIndex("channel_templates_unique").on(table.inboxId, table.name, table.language)],
);
