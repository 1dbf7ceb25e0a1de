export * from "./audit.schemas.ts";
export * from "./auth.schemas.ts";
export * from "./errors.ts";
export * from "./jobs.schemas.ts";
export * from "./permissions.ts";
export * from "./realtime.ts";
export * from "./text.schemas.ts";
export * from "./workspaces.schemas.ts";
