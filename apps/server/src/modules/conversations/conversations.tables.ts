import { sql } from "drizzle-orm";
import {
  bigint,
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
import { contactIdentities, contacts } from "../contacts/contacts.tables.ts";
import { inboxes } from "../inboxes/inboxes.tables.ts";
import { teams } from "../teams/teams.tables.ts";
import { workspaces } from "../workspaces/workspaces.tables.ts";

export type ConversationStatus = "pending" | "open" | "snoozed" | "resolved" | "closed";
export type ConversationPriority = "low" | "medium" | "high" | "urgent";

export const conversations = pgTable(
  "conversations",
  {
    id: uuid("id").primaryKey().$defaultFn(newId),
    workspaceId: uuid("workspace_id")
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    number: integer("number").notNull(),
    inboxId: uuid("inbox_id")
      .notNull()
      .references(() => inboxes.id, { onDelete: "cascade" }),
    contactId: uuid("contact_id")
      .notNull()
      .references(() => contacts.id, { onDelete: "cascade" }),
    contactIdentityId: uuid("contact_identity_id").references(() => contactIdentities.id, { onDelete: "set null" }),
    status: text("status").$type<ConversationStatus>().notNull().default("pending"),
    priority: text("priority").$type<ConversationPriority>().notNull().default("medium"),
    assigneeId: uuid("assignee_id").references(() => users.id, { onDelete: "set null" }),
    teamId: uuid("team_id").references(() => teams.id, { onDelete: "set null" }),
    labels: text("labels").array().notNull().default(sql`'{}'::text[]`),
    /** Snoozed until this time; null with status snoozed = until the contact replies. */
    snoozedUntil: timestamp("snoozed_until", { withTimezone: true }),
    /** The visitor left before any agent answered. */
    isMissed: boolean("is_missed").notNull().default(false),
    archivedAt: timestamp("archived_at", { withTimezone: true }),
    /** Set when the contact's oldest unanswered message arrived; null once an agent replied. */
    waitingSince: timestamp("waiting_since", { withTimezone: true }),
    firstReplyAt: timestamp("first_reply_at", { withTimezone: true }),
    lastMessageAt: timestamp("last_message_at", { withTimezone: true }),
    /** Highest message seq in the conversation: the resync cursor. */
    lastMessageSeq: bigint("last_message_seq", { mode: "number" }).notNull().default(0),
    lastActivityAt: timestamp("last_activity_at", { withTimezone: true }).notNull().defaultNow(),
    /** What the contact has read (seq), for read receipts toward agents. */
    contactLastReadSeq: bigint("contact_last_read_seq", { mode: "number" }).notNull().default(0),
    /** Messages from the contact not yet read by an agent. */
    unreadByAgentsCount: integer("unread_by_agents_count").notNull().default(0),
    /** Agent messages the contact has not read yet. */
    unreadByContactCount: integer("unread_by_contact_count").notNull().default(0),
    /** Channel-specific facts (email thread ids, the 24-hour window start, …). */
    channelState: jsonb("channel_state").$type<Record<string, unknown>>().notNull().default({}),
    resolvedAt: timestamp("resolved_at", { withTimezone: true }),
    closedAt: timestamp("closed_at", { withTimezone: true }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    uniqueIndex("conversations_workspace_number_unique").on(table.workspaceId, table.number),
    index("conversations_list_idx").on(table.workspaceId, table.status, table.lastActivityAt),
    // The list's default page (every status, latest activity first): read backwards, it gives the
    // page's rows in order, where the status-led index made PostgreSQL sort the whole workspace.
    index("conversations_latest_idx")
      .on(table.workspaceId, table.lastActivityAt, table.id)
      .where(sql`${table.archivedAt} is null`),
    index("conversations_inbox_idx").on(table.workspaceId, table.inboxId, table.lastActivityAt),
    index("conversations_assignee_idx").on(table.workspaceId, table.assigneeId, table.status),
    index("conversations_team_idx").on(table.workspaceId, table.teamId, table.status),
    // A contact's conversation in an inbox, newest first: what every incoming message looks up.
    // Led by the contact, so the lookup reads that contact's few rows, never the inbox's many.
    index("conversations_contact_inbox_idx").on(table.contactId, table.inboxId, table.createdAt),
    index("conversations_labels_idx").using("gin", table.labels),
  ],
);

/** Where each agent has read up to in a conversation (unread counts, mark-unread). */
export const conversationReads = pgTable(
  "conversation_reads",
  {
    conversationId: uuid("conversation_id")
      .notNull()
      .references(() => conversations.id, { onDelete: "cascade" }),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    workspaceId: uuid("workspace_id").notNull(),
    lastReadSeq: bigint("last_read_seq", { mode: "number" }).notNull().default(0),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    primaryKey({ columns: [table.conversationId, table.userId] }),
    index("conversation_reads_user_idx").on(table.workspaceId, table.userId),
  ],
);

/** Assignment and transfer history with reasons. */
export const conversationAssignments = pgTable(
  "conversation_assignments",
  {
    id: uuid("id").primaryKey().$defaultFn(newId),
    workspaceId: uuid("workspace_id").notNull(),
    conversationId: uuid("conversation_id")
      .notNull()
      .references(() => conversations.id, { onDelete: "cascade" }),
    fromUserId: uuid("from_user_id"),
    toUserId: uuid("to_user_id"),
    fromTeamId: uuid("from_team_id"),
    toTeamId: uuid("to_team_id"),
    reason: text("reason"),
    /** manual, transfer, auto (routing), unassigned (member removed, agent offline) */
    kind: text("kind").notNull(),
    byUserId: uuid("by_user_id"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [index("conversation_assignments_conversation_idx").on(table.conversationId, table.createdAt)],
);

/** Long-running changes over many conversations, with progress. */
export const bulkOperations = pgTable(
  "bulk_operations",
  {
    id: uuid("id").primaryKey().$defaultFn(newId),
    workspaceId: uuid("workspace_id")
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    requestedByUserId: uuid("requested_by_user_id"),
    action: jsonb("action").$type<Record<string, unknown>>().notNull(),
    /** Either explicit ids or a list filter, resolved when the job runs. */
    selection: jsonb("selection").$type<Record<string, unknown>>().notNull(),
    status: text("status").$type<"queued" | "running" | "done" | "failed">().notNull().default("queued"),
    total: integer("total").notNull().default(0),
    processed: integer("processed").notNull().default(0),
    failed: integer("failed").notNull().default(0),
    error: text("error"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    finishedAt: timestamp("finished_at", { withTimezone: true }),
  },
  (table) => [index("bulk_operations_workspace_idx").on(table.workspaceId, table.id)],
);
