/** Built-in workspace roles. The identity issue adds custom roles and the permission catalogue. */
export const WORKSPACE_ROLES = ["owner", "admin", "supervisor", "agent"] as const;
export type WorkspaceRole = (typeof WORKSPACE_ROLES)[number];

/** Roles allowed to administer a workspace (settings, dead-letter jobs). */
export const ADMIN_ROLES: readonly WorkspaceRole[] = ["owner", "admin"];

export const isAdminRole = (role: WorkspaceRole): boolean => ADMIN_ROLES.includes(role);
