import { sql } from "drizzle-orm";
import { index, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { newId } from "../../platform/ids.ts";
import { users } from "../auth/auth.tables.ts";
import { workspaces } from "../workspaces/workspaces.tables.ts";

/** Saved replies: shared by the workspace, or personal to one agent (owner set). */
export const cannedResponses = pgTable(
  "canned_responses",
  {
    id: uuid("id").primaryKey().$defaultFn(newId),
    workspaceId: uuid("workspace_id")
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    ownerUserId: uuid("owner_user_id").references(() => users.id, { onDelete: "cascade" }),
    /** Typed after "/" in the composer. */
    shortcut: text("shortcut").notNull(),
    /** May use {{contact.name}}, {{agent.name}}, {{contact.custom.<key>}}… */
    content: text("content").notNull(),
    attachmentIds: uuid("attachment_ids").array().notNull().default(sql`'{}'::uuid[]`),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    uniqueIndex("canned_responses_shortcut_unique").on(
      table.workspaceId,
      sql`coalesce(${table.ownerUserId}, '00000000-0000-0000-0000-000000000000'::uuid)`,
      sql`lower(${table.shortcut})`,
    ),
    index("canned_responses_workspace_idx").on(table.workspaceId),
  ],
);
