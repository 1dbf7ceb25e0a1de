/** Every module's tables, for the Drizzle client and drizzle-kit. */
export * from "../modules/auth/auth.tables.ts";
export * from "../modules/workspaces/workspaces.tables.ts";
export * from "./queue/dead-letter.tables.ts";
