import type { Permission } from "@parley/shared";
import type { SettingsTranslation } from "../i18n/settings.en";

export type SettingsSection = {
  path: string;
  labelKey: keyof SettingsTranslation["nav"];
  group: "account" | "workspace";
  /** Shown only to members whose role grants it; the server checks the same on every route. */
  permission?: Permission;
};

/** The settings side menu, in order; `/settings` opens the first one the member may see. */
export const SETTINGS_SECTIONS: readonly SettingsSection[] = [
  { path: "/settings/workspace", labelKey: "general", group: "workspace", permission: "settings.manage" },
  { path: "/settings/inboxes", labelKey: "inboxes", group: "workspace", permission: "inboxes.manage" },
  { path: "/settings/triggers", labelKey: "triggers", group: "workspace", permission: "inboxes.manage" },
  { path: "/settings/members", labelKey: "members", group: "workspace", permission: "members.view" },
  { path: "/settings/teams", labelKey: "teams", group: "workspace", permission: "teams.manage" },
  { path: "/settings/roles", labelKey: "roles", group: "workspace", permission: "members.view" },
  { path: "/settings/canned-responses", labelKey: "cannedResponses", group: "workspace" },
  { path: "/settings/labels", labelKey: "labels", group: "workspace", permission: "conversations.manage" },
  { path: "/settings/visitor-bans", labelKey: "visitorBans", group: "workspace", permission: "contacts.manage" },
  { path: "/settings/webhooks", labelKey: "webhooks", group: "workspace", permission: "settings.manage" },
  { path: "/settings/api-keys", labelKey: "apiKeys", group: "workspace", permission: "api_keys.manage" },
  { path: "/settings/security", labelKey: "security", group: "workspace", permission: "security.manage" },
  { path: "/settings/audit-log", labelKey: "auditLog", group: "workspace", permission: "audit.view" },
  { path: "/settings/dev-mailbox", labelKey: "devMailbox", group: "workspace", permission: "settings.manage" },
  { path: "/settings/profile", labelKey: "profile", group: "account" },
  { path: "/settings/account-security", labelKey: "accountSecurity", group: "account" },
];
