import { sql } from "drizzle-orm";
import { boolean, index, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { newId } from "../../platform/ids.ts";
import { users } from "../auth/auth.tables.ts";
import { inboxes } from "../inboxes/inboxes.tables.ts";
import { workspaces } from "../workspaces/workspaces.tables.ts";

/** A person the business talks to, across channels. */
export const contacts = pgTable(
  "contacts",
  {
    id: uuid("id").primaryKey().$defaultFn(newId),
    workspaceId: uuid("workspace_id")
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    name: text("name"),
    email: text("email"),
    phone: text("phone"),
    avatarUrl: text("avatar_url"),
    customAttributes: jsonb("custom_attributes").$type<Record<string, unknown>>().notNull().default({}),
    tags: text("tags").array().notNull().default(sql`'{}'::text[]`),
    /** Blocked contacts' messages are refused and the widget stays hidden for them. */
    blockedAt: timestamp("blocked_at", { withTimezone: true }),
    /** Set when merged into another contact; the row stays so old references resolve. */
    mergedIntoId: uuid("merged_into_id"),
    lastSeenAt: timestamp("last_seen_at", { withTimezone: true }),
    /**
     * A website visitor who has neither written nor given a name, email or phone: the widget
     * registers every visitor, and these are listed as visitors, apart from the people.
     */
    isAnonymous: boolean("is_anonymous").notNull().default(false),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    index("contacts_workspace_idx").on(table.workspaceId, table.id),
    // The contacts list's default page, which skips the visitors however many there are.
    index("contacts_workspace_people_idx")
      .on(table.workspaceId, table.id)
      .where(sql`${table.isAnonymous} = false and ${table.mergedIntoId} is null`),
    // The retention purge's scan: anonymous visitors by when they were last seen.
    index("contacts_workspace_anonymous_seen_idx")
      .on(table.workspaceId, sql`coalesce(${table.lastSeenAt}, ${table.createdAt})`)
      .where(sql`${table.isAnonymous} and ${table.mergedIntoId} is null`),
    // The few merged rows, by the contact they point to (the purge keeps contacts still pointed to).
    index("contacts_merged_into_idx").on(table.mergedIntoId).where(sql`${table.mergedIntoId} is not null`),
    index("contacts_workspace_email_idx").on(table.workspaceId, sql`lower(${table.email})`),
    index("contacts_workspace_phone_idx").on(table.workspaceId, table.phone),
    index("contacts_search_idx").using(
      "gin",
      sql`to_tsvector('simple', coalesce(${table.name}, '') || ' ' || coalesce(${table.email}, '') || ' ' || coalesce(${table.phone}, ''))`,
    ),
  ],
);

/** How a contact is known on one inbox: visitor id, PSID, IGSID, wa_id, chat id, email, phone. */
export const contactIdentities = pgTable(
  "contact_identities",
  {
    id: uuid("id").primaryKey().$defaultFn(newId),
    workspaceId: uuid("workspace_id")
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    contactId: uuid("contact_id")
      .notNull()
      .references(() => contacts.id, { onDelete: "cascade" }),
    inboxId: uuid("inbox_id")
      .notNull()
      .references(() => inboxes.id, { onDelete: "cascade" }),
    sourceId: text("source_id").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    uniqueIndex("contact_identities_source_unique").on(table.inboxId, table.sourceId),
    index("contact_identities_contact_idx").on(table.contactId),
  ],
);

/** Agents' notes on a contact, shown in the contact panel. */
export const contactNotes = pgTable(
  "contact_notes",
  {
    id: uuid("id").primaryKey().$defaultFn(newId),
    workspaceId: uuid("workspace_id")
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    contactId: uuid("contact_id")
      .notNull()
      .references(() => contacts.id, { onDelete: "cascade" }),
    authorUserId: uuid("author_user_id").references(() => users.id, { onDelete: "set null" }),
    body: text("body").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [index("contact_notes_contact_idx").on(table.contactId, table.createdAt)],
);
