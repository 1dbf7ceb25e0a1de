/**
 * Every permission Parley checks, by name. Roles are sets of these; every route and socket event
 * declares the one it needs. Labels are i18n keys' English defaults for the permission matrix.
 */
export const PERMISSIONS = {
  "conversations.view_all": "See conversations of every inbox, not only those assigned to you or your inboxes",
  "conversations.assign": "Assign and transfer conversations",
  "conversations.manage": "Change status, priority and labels of any conversation, and run bulk actions",
  "contacts.view": "See contacts",
  "contacts.manage": "Create, edit, merge and delete contacts",
  "contacts.export": "Export contacts",
  "contacts.manage_notes": "Edit and delete other members' notes on contacts",
  "inboxes.manage": "Create, configure and delete inboxes and channel connections",
  "members.view": "See the members list",
  "members.manage": "Invite, deactivate and remove members, and change their roles",
  "roles.manage": "Create and edit custom roles",
  "teams.manage": "Create, rename and delete teams and set their members",
  "settings.manage": "Change workspace settings and read the development mailbox",
  "security.manage": "Change security policies: 2FA requirement, sessions, IP allowlist, password policy, single sign-on",
  "billing.manage": "Manage plans, payment methods and invoices",
  "reports.view": "See reports",
  "audit.view": "See and export the audit log",
  "api_keys.manage": "Create and revoke API keys",
  "jobs.manage": "See and retry failed background jobs",
  "views.manage_shared": "Create and edit views shared with the whole workspace",
} as const;

export type Permission = keyof typeof PERMISSIONS;
export const PERMISSION_NAMES = Object.keys(PERMISSIONS) as Permission[];

export const isPermission = (value: unknown): value is Permission =>
  typeof value === "string" && Object.hasOwn(PERMISSIONS, value);

/** The four roles every workspace starts with; their permission sets cannot be edited. */
export const BUILT_IN_ROLES = {
  owner: { name: "Owner", permissions: PERMISSION_NAMES },
  admin: { name: "Admin", permissions: PERMISSION_NAMES.filter((permission) => permission !== "billing.manage") },
  supervisor: {
    name: "Supervisor",
    permissions: [
      "conversations.view_all",
      "conversations.assign",
      "conversations.manage",
      "contacts.view",
      "contacts.manage",
      "contacts.export",
      "members.view",
      "teams.manage",
      "reports.view",
    ] satisfies Permission[],
  },
  agent: { name: "Agent", permissions: ["contacts.view", "contacts.manage", "members.view"] satisfies Permission[] },
} as const satisfies Record<string, { name: string; permissions: readonly Permission[] }>;

export type BuiltInRoleKey = keyof typeof BUILT_IN_ROLES;
export const BUILT_IN_ROLE_KEYS = Object.keys(BUILT_IN_ROLES) as BuiltInRoleKey[];
