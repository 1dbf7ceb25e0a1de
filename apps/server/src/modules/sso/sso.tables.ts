import { boolean, index, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { newId } from "../../platform/ids.ts";
import { users } from "../auth/auth.tables.ts";
import { roles, workspaces } from "../workspaces/workspaces.tables.ts";

/**
 * A workspace's single sign-on: OpenID Connect (Google or any issuer) or SAML 2.0.
 * `config` holds the public settings; secrets (client secret) are encrypted in `secret`.
 */
export const ssoConnections = pgTable(
  "sso_connections",
  {
    id: uuid("id").primaryKey().$defaultFn(newId),
    workspaceId: uuid("workspace_id")
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    protocol: text("protocol").$type<"oidc" | "saml">().notNull(),
    /** google | generic: Google is OIDC with its issuer filled in. */
    provider: text("provider").$type<"google" | "generic">().notNull().default("generic"),
    name: text("name").notNull(),
    config: jsonb("config").$type<Record<string, unknown>>().notNull(),
    secret: text("secret"),
    defaultRoleId: uuid("default_role_id")
      .notNull()
      .references(() => roles.id),
    isEnabled: boolean("is_enabled").notNull().default(true),
    /** Members whose email is in the connection's domains may not sign in with a password. */
    isPasswordLoginForbidden: boolean("is_password_login_forbidden").notNull().default(false),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [index("sso_connections_workspace_idx").on(table.workspaceId)],
);

/** Email domains (lower-case) routed to a connection by "continue with SSO"; a domain belongs to one connection. */
export const ssoDomains = pgTable(
  "sso_domains",
  {
    domain: text("domain").primaryKey(),
    connectionId: uuid("connection_id")
      .notNull()
      .references(() => ssoConnections.id, { onDelete: "cascade" }),
    workspaceId: uuid("workspace_id")
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
  },
  (table) => [index("sso_domains_connection_idx").on(table.connectionId)],
);

/** Links a Parley user to the identity provider's subject (OIDC `sub`, SAML NameID). */
export const ssoIdentities = pgTable(
  "sso_identities",
  {
    id: uuid("id").primaryKey().$defaultFn(newId),
    connectionId: uuid("connection_id")
      .notNull()
      .references(() => ssoConnections.id, { onDelete: "cascade" }),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    subject: text("subject").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [uniqueIndex("sso_identities_subject_unique").on(table.connectionId, table.subject)],
);

/** In-flight sign-ins: OIDC state, nonce and PKCE verifier, or the SAML request id. */
export const ssoLoginStates = pgTable("sso_login_states", {
  id: uuid("id").primaryKey().$defaultFn(newId),
  connectionId: uuid("connection_id")
    .notNull()
    .references(() => ssoConnections.id, { onDelete: "cascade" }),
  stateHash: text("state_hash").notNull().unique(),
  nonce: text("nonce"),
  codeVerifier: text("code_verifier"),
  requestId: text("request_id"),
  redirectTo: text("redirect_to"),
  expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
  usedAt: timestamp("used_at", { withTimezone: true }),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
});

/** SAML assertion ids already accepted, kept until they expire, so a replayed assertion is refused. */
export const samlAssertionsSeen = pgTable(
  "saml_assertions_seen",
  {
    connectionId: uuid("connection_id")
      .notNull()
      .references(() => ssoConnections.id, { onDelete: "cascade" }),
    assertionId: text("assertion_id").notNull(),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
  },
  (table) => [
    primaryKey({ columns: [table.connectionId, table.assertionId] }),
    index("saml_assertions_seen_expiry_idx").on(table.expiresAt),
  ],
);
