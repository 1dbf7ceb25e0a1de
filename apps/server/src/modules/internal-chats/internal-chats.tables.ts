import { bigint, bigserial, index, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { newId } from "../../platform/ids.ts";
import { users } from "../auth/auth.tables.ts";
import { teams } from "../teams/teams.tables.ts";
import { workspaces } from "../workspaces/workspaces.tables.ts";

/** Agent-to-agent direct chats and team group chats; never visible to contacts. */
export const internalChannels = pgTable(
  "internal_channels",
  {
    id: uuid("id").primaryKey().$defaultFn(newId),
    workspaceId: uuid("workspace_id")
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    kind: text("kind").$type<"direct" | "team">().notNull(),
    /** For team chats. */
    teamId: uuid("team_id").references(() => teams.id, { onDelete: "cascade" }),
    /** For direct chats: the two user ids sorted and joined, so one pair has one channel. */
    directKey: text("direct_key"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    uniqueIndex("internal_channels_direct_unique").on(table.workspaceId, table.directKey),
    uniqueIndex("internal_channels_team_unique").on(table.workspaceId, table.teamId),
  ],
);

export const internalChannelMembers = pgTable(
  "internal_channel_members",
  {
    channelId: uuid("channel_id")
      .notNull()
      .references(() => internalChannels.id, { onDelete: "cascade" }),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    lastReadSeq: bigint("last_read_seq", { mode: "number" }).notNull().default(0),
  },
  (table) => [primaryKey({ columns: [table.channelId, table.userId] })],
);

export const internalMessages = pgTable(
  "internal_messages",
  {
    id: uuid("id").primaryKey().$defaultFn(newId),
    seq: bigserial("seq", { mode: "number" }).notNull().unique(),
    channelId: uuid("channel_id")
      .notNull()
      .references(() => internalChannels.id, { onDelete: "cascade" }),
    workspaceId: uuid("workspace_id").notNull(),
    senderId: uuid("sender_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    text: text("text").notNull(),
    clientId: text("client_id"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    index("internal_messages_channel_idx").on(table.channelId, table.seq),
    uniqueIndex("internal_messages_client_unique").on(table.channelId, table.clientId),
  ],
);
