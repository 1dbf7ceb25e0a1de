import { sql } from "drizzle-orm";
import {
  bigserial,
  boolean,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
import { newId } from "../../platform/ids.ts";
import { users } from "../auth/auth.tables.ts";
import { conversations } from "../conversations/conversations.tables.ts";
import { workspaces } from "../workspaces/workspaces.tables.ts";

export type SenderType = "contact" | "agent" | "bot" | "system";
export type ContentType =
  | "text"
  | "image"
  | "file"
  | "audio"
  | "video"
  | "location"
  | "contact_card"
  | "buttons"
  | "cards"
  | "form"
  | "system";
export type DeliveryStatus = "pending" | "sent" | "delivered" | "read" | "failed";

/**
 * One message in a conversation, stored once and rendered per channel. `seq` orders messages in
 * commit order within a conversation (inserts lock the conversation row), and is the resync cursor.
 */
export const messages = pgTable(
  "messages",
  {
    id: uuid("id").primaryKey().$defaultFn(newId),
    seq: bigserial("seq", { mode: "number" }).notNull().unique(),
    workspaceId: uuid("workspace_id")
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    conversationId: uuid("conversation_id")
      .notNull()
      .references(() => conversations.id, { onDelete: "cascade" }),
    inboxId: uuid("inbox_id").notNull(),
    senderType: text("sender_type").$type<SenderType>().notNull(),
    /** The agent's user id or the contact's id; null for bot and system messages. */
    senderId: uuid("sender_id"),
    contentType: text("content_type").$type<ContentType>().notNull().default("text"),
    /** Plain text of the message (markdown subset for agents); what search indexes. */
    text: text("text").notNull().default(""),
    /** Structured content: buttons, cards, form fields, location, contact card, system event. */
    content: jsonb("content").$type<Record<string, unknown>>().notNull().default({}),
    isPrivate: boolean("is_private").notNull().default(false),
    replyToId: uuid("reply_to_id"),
    /** The platform's message id; unique per inbox so webhook retries store a message once. */
    externalId: text("external_id"),
    /** The sender's own id for an idempotent send; unique per conversation. */
    clientId: text("client_id"),
    deliveryStatus: text("delivery_status").$type<DeliveryStatus>().notNull().default("sent"),
    deliveryError: text("delivery_error"),
    editedAt: timestamp("edited_at", { withTimezone: true }),
    deletedAt: timestamp("deleted_at", { withTimezone: true }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    index("messages_conversation_seq_idx").on(table.conversationId, table.seq),
    uniqueIndex("messages_client_id_unique").on(table.conversationId, table.clientId),
    uniqueIndex("messages_external_id_unique").on(table.inboxId, table.externalId),
    index("messages_search_idx").using("gin", sql`to_tsvector('simple', ${table.text})`),
    index("messages_workspace_created_idx").on(table.workspaceId, table.createdAt),
  ],
);

/** Earlier versions of an edited message. */
export const messageEdits = pgTable(
  "message_edits",
  {
    id: uuid("id").primaryKey().$defaultFn(newId),
    messageId: uuid("message_id")
      .notNull()
      .references(() => messages.id, { onDelete: "cascade" }),
    previousText: text("previous_text").notNull(),
    previousContent: jsonb("previous_content").notNull(),
    editedByUserId: uuid("edited_by_user_id"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [index("message_edits_message_idx").on(table.messageId)],
);

/** One emoji per person per message kind; a person may add several different emojis. */
export const messageReactions = pgTable(
  "message_reactions",
  {
    messageId: uuid("message_id")
      .notNull()
      .references(() => messages.id, { onDelete: "cascade" }),
    reactorType: text("reactor_type").$type<"agent" | "contact">().notNull(),
    reactorId: uuid("reactor_id").notNull(),
    emoji: text("emoji").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [primaryKey({ columns: [table.messageId, table.reactorType, table.reactorId, table.emoji] })],
);

/** @mentions of agents in private notes; unread ones make the "mentions" view. */
export const mentions = pgTable(
  "mentions",
  {
    id: uuid("id").primaryKey().$defaultFn(newId),
    workspaceId: uuid("workspace_id").notNull(),
    messageId: uuid("message_id")
      .notNull()
      .references(() => messages.id, { onDelete: "cascade" }),
    conversationId: uuid("conversation_id")
      .notNull()
      .references(() => conversations.id, { onDelete: "cascade" }),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    readAt: timestamp("read_at", { withTimezone: true }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [index("mentions_user_idx").on(table.workspaceId, table.userId, table.readAt)],
);

/** Uploaded files; attached to a message when it is sent. */
export const attachments = pgTable(
  "attachments",
  {
    id: uuid("id").primaryKey().$defaultFn(newId),
    workspaceId: uuid("workspace_id")
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    messageId: uuid("message_id").references(() => messages.id, { onDelete: "cascade" }),
    uploadedByType: text("uploaded_by_type").$type<"agent" | "contact" | "channel">().notNull(),
    uploadedById: uuid("uploaded_by_id"),
    storageKey: text("storage_key").notNull(),
    fileName: text("file_name").notNull(),
    /** Sniffed from the bytes, not taken from the client. */
    contentType: text("content_type").notNull(),
    byteSize: integer("byte_size").notNull(),
    width: integer("width"),
    height: integer("height"),
    thumbnailKey: text("thumbnail_key"),
    /** clean, infected, or pending when a scanner is configured. */
    scanStatus: text("scan_status").notNull().default("clean"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    index("attachments_message_idx").on(table.messageId),
    index("attachments_workspace_idx").on(table.workspaceId, table.createdAt),
  ],
);
