import { index, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { newId } from "../ids.ts";

/**
 * Every message Parley sends. With SMTP configured it is delivered and kept as a log; without, it
 * stays here as the development mailbox that workspace admins can read, so every flow works offline.
 */
export const mailMessages = pgTable(
  "mail_messages",
  {
    id: uuid("id").primaryKey().$defaultFn(newId),
    workspaceId: uuid("workspace_id"),
    toAddress: text("to_address").notNull(),
    subject: text("subject").notNull(),
    textBody: text("text_body").notNull(),
    htmlBody: text("html_body").notNull(),
    transport: text("transport").$type<"smtp" | "dev_mailbox">().notNull(),
    status: text("status").$type<"queued" | "sent" | "failed">().notNull().default("queued"),
    error: text("error"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    sentAt: timestamp("sent_at", { withTimezone: true }),
  },
  (table) => [index("mail_messages_workspace_idx").on(table.workspaceId, table.id)],
);
