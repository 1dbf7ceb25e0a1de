import type { TConversationListFilter } from "@parley/shared";
import { sql } from "drizzle-orm";
import { boolean, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { newId } from "../../platform/ids.ts";
import { users } from "../auth/auth.tables.ts";
import { workspaces } from "../workspaces/workspaces.tables.ts";

/**
 * A saved conversation filter ("custom view") in the inbox's views pane. Private to its owner,
 * or shared with the whole workspace; either way it only ever narrows what the viewer may see.
 */
export const savedViews = pgTable(
  "saved_views",
  {
    id: uuid("id").primaryKey().$defaultFn(newId),
    workspaceId: uuid("workspace_id")
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    ownerId: uuid("owner_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    filter: jsonb("filter").$type<TConversationListFilter>().notNull(),
    sort: text("sort").notNull().default("latest"),
    shared: boolean("shared").notNull().default(false),
    position: integer("position").notNull().default(0),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    index("saved_views_workspace_idx").on(table.workspaceId, table.position),
    uniqueIndex("saved_views_owner_name_unique").on(table.workspaceId, table.ownerId, sql`lower(${table.name})`),
  ],
);
