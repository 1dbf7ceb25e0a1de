/** Every module's tables, for the Drizzle client and drizzle-kit. */
export * from "../modules/api-keys/api-keys.tables.ts";
export * from "../modules/audit/audit.tables.ts";
export * from "../modules/auth/auth.tables.ts";
export * from "../modules/members/invitations.tables.ts";
export * from "../modules/sso/sso.tables.ts";
export * from "../modules/teams/teams.tables.ts";
export * from "../modules/workspaces/workspaces.tables.ts";
export * from "./mail/mail.tables.ts";
export * from "./queue/dead-letter.tables.ts";
