import { index, integer, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { newId } from "../../platform/ids.ts";
import { conversations } from "../conversations/conversations.tables.ts";

/** A contact's 1–5 rating after resolution; one per conversation resolution. */
export const csatResponses = pgTable(
  "csat_responses",
  {
    id: uuid("id").primaryKey().$defaultFn(newId),
    workspaceId: uuid("workspace_id").notNull(),
    conversationId: uuid("conversation_id")
      .notNull()
      .references(() => conversations.id, { onDelete: "cascade" }),
    assigneeId: uuid("assignee_id"),
    rating: integer("rating").notNull(),
    comment: text("comment").notNull().default(""),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    index("csat_responses_workspace_idx").on(table.workspaceId, table.createdAt),
    index("csat_responses_conversation_idx").on(table.conversationId),
  ],
);
