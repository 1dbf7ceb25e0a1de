import { sql } from "drizzle-orm";
import { boolean, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { newId } from "../../platform/ids.ts";
import { workspaces } from "../workspaces/workspaces.tables.ts";

export const users = pgTable(
  "users",
  {
    id: uuid("id").primaryKey().$defaultFn(newId),
    name: text("name").notNull(),
    /** Stored lower-cased; the unique index makes signup races safe. */
    email: text("email").notNull(),
    emailVerifiedAt: timestamp("email_verified_at", { withTimezone: true }),
    /** Null for users who only sign in with SSO or a one-time code. */
    passwordHash: text("password_hash"),
    passwordChangedAt: timestamp("password_changed_at", { withTimezone: true }),
    /** TOTP secret, encrypted at rest (platform/crypto.ts); set at enrolment, active once confirmed. */
    totpSecret: text("totp_secret"),
    totpEnabledAt: timestamp("totp_enabled_at", { withTimezone: true }),
    /** Storage key of the profile picture shown to colleagues and, on the widget, to visitors. */
    avatarKey: text("avatar_key"),
    /** Per-person settings that follow the user across devices (language, notifications). */
    preferences: jsonb("preferences").$type<Record<string, unknown>>().notNull().default({}),
    isPlatformAdmin: boolean("is_platform_admin").notNull().default(false),
    lastLoginAt: timestamp("last_login_at", { withTimezone: true }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [uniqueIndex("users_email_unique").on(sql`lower(${table.email})`)],
);

/** One row per signed-in device; only the SHA-256 of the opaque token is kept. */
export const sessions = pgTable(
  "sessions",
  {
    id: uuid("id").primaryKey().$defaultFn(newId),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    workspaceId: uuid("workspace_id")
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    tokenHash: text("token_hash").notNull().unique(),
    userAgent: text("user_agent"),
    ip: text("ip"),
    /** How the session was opened: password, login_code, sso, invitation, signup. */
    method: text("method").notNull().default("password"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    lastSeenAt: timestamp("last_seen_at", { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    revokedAt: timestamp("revoked_at", { withTimezone: true }),
    /** Why it ended: logout, revoked, password_reset, deactivated, idle_timeout, absolute_timeout. */
    revokedReason: text("revoked_reason"),
  },
  (table) => [index("sessions_user_idx").on(table.userId)],
);

/** Earlier password hashes, for the workspace policy that forbids reusing the last N. */
export const passwordHistory = pgTable(
  "password_history",
  {
    id: uuid("id").primaryKey().$defaultFn(newId),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    passwordHash: text("password_hash").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [index("password_history_user_idx").on(table.userId, table.createdAt)],
);

/** `totp_replay_guard`: one long-lived row per user holding the last accepted TOTP time step. */
export type OneTimeTokenPurpose =
  | "email_verification"
  | "password_reset"
  | "login_code"
  | "two_factor_challenge"
  | "totp_replay_guard";

/**
 * Single-use secrets sent by mail or handed out mid-login. The link token and the 6-digit code are
 * stored hashed; attempts count wrong codes so a code cannot be guessed.
 */
export const oneTimeTokens = pgTable(
  "one_time_tokens",
  {
    id: uuid("id").primaryKey().$defaultFn(newId),
    purpose: text("purpose").$type<OneTimeTokenPurpose>().notNull(),
    userId: uuid("user_id").references(() => users.id, { onDelete: "cascade" }),
    workspaceId: uuid("workspace_id").references(() => workspaces.id, { onDelete: "cascade" }),
    email: text("email"),
    tokenHash: text("token_hash").notNull().unique(),
    codeHash: text("code_hash"),
    attempts: integer("attempts").notNull().default(0),
    maxAttempts: integer("max_attempts").notNull().default(5),
    metadata: jsonb("metadata").$type<Record<string, unknown>>().notNull().default({}),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    usedAt: timestamp("used_at", { withTimezone: true }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [index("one_time_tokens_user_purpose_idx").on(table.userId, table.purpose)],
);

/** Ten single-use backup codes per user with TOTP, hashed. */
export const backupCodes = pgTable(
  "backup_codes",
  {
    id: uuid("id").primaryKey().$defaultFn(newId),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    codeHash: text("code_hash").notNull(),
    usedAt: timestamp("used_at", { withTimezone: true }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [index("backup_codes_user_idx").on(table.userId)],
);
