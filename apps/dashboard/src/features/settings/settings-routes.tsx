import { type ComponentType, lazy } from "react";
import type { RouteObject } from "react-router";
import { addEnglishStrings } from "../../i18n/i18n";
import { RequirePermission } from "../auth/components/require-permission";

const page = <Name extends string>(load: () => Promise<Record<Name, ComponentType>>, name: Name) =>
  lazy(() => load().then((module) => ({ default: module[name] })));

/** The settings menu arrives with the English strings of every settings screen, so none renders before them. */
const loadSettingsLayout = async () => {
  const [layout, { settingsEn }] = await Promise.all([import("./components/settings-layout"), import("./i18n/settings.en")]);
  addEnglishStrings({ settings: settingsEn });
  return layout;
};

const SettingsLayout = page(loadSettingsLayout, "SettingsLayout");
const SettingsIndexRedirect = page(loadSettingsLayout, "SettingsIndexRedirect");
const WorkspaceSettingsPage = page(() => import("../workspaces/components/workspace-settings-page"), "WorkspaceSettingsPage");
const InboxesPage = page(() => import("./inboxes/inboxes-page"), "InboxesPage");
const InboxPage = page(() => import("./inboxes/inbox-page"), "InboxPage");
const TriggersPage = page(() => import("./triggers/triggers-page"), "TriggersPage");
const VisitorBansPage = page(() => import("./visitor-bans/visitor-bans-page"), "VisitorBansPage");
const TeamsPage = page(() => import("./teams/teams-page"), "TeamsPage");
const MembersPage = page(() => import("./members/members-page"), "MembersPage");
const RolesPage = page(() => import("./roles/roles-page"), "RolesPage");
const CannedResponsesPage = page(() => import("./canned/canned-responses-page"), "CannedResponsesPage");
const LabelsPage = page(() => import("./labels/labels-page"), "LabelsPage");
const WebhooksPage = page(() => import("./webhooks/webhooks-page"), "WebhooksPage");
const ApiKeysPage = page(() => import("./api-keys/api-keys-page"), "ApiKeysPage");
const SecurityPage = page(() => import("./security/security-page"), "SecurityPage");
const AuditLogPage = page(() => import("./audit-log/audit-log-page"), "AuditLogPage");
const DevMailboxPage = page(() => import("./dev-mailbox/dev-mailbox-page"), "DevMailboxPage");
const ProfilePage = page(() => import("./account/profile-page"), "ProfilePage");
const AccountSecurityPage = page(() => import("./account/account-security-page"), "AccountSecurityPage");

const guarded = (permission: Parameters<typeof RequirePermission>[0]["permission"], children: RouteObject[]): RouteObject => ({
  element: <RequirePermission permission={permission} />,
  children,
});

/** `/settings/...`: the side menu and every settings screen, each behind the permission its API needs. */
export const settingsRoute: RouteObject = {
  path: "/settings",
  element: <SettingsLayout />,
  children: [
    { index: true, element: <SettingsIndexRedirect /> },
    { path: "profile", element: <ProfilePage /> },
    { path: "account-security", element: <AccountSecurityPage /> },
    { path: "canned-responses", element: <CannedResponsesPage /> },
    guarded("settings.manage", [
      { path: "workspace", element: <WorkspaceSettingsPage /> },
      { path: "webhooks", element: <WebhooksPage /> },
      { path: "dev-mailbox", element: <DevMailboxPage /> },
    ]),
    guarded("inboxes.manage", [
      { path: "inboxes", element: <InboxesPage /> },
      { path: "inboxes/:inboxId", element: <InboxPage /> },
      { path: "triggers", element: <TriggersPage /> },
    ]),
    guarded("contacts.manage", [{ path: "visitor-bans", element: <VisitorBansPage /> }]),
    guarded("members.view", [
      { path: "members", element: <MembersPage /> },
      { path: "roles", element: <RolesPage /> },
    ]),
    guarded("teams.manage", [{ path: "teams", element: <TeamsPage /> }]),
    guarded("conversations.manage", [{ path: "labels", element: <LabelsPage /> }]),
    guarded("api_keys.manage", [{ path: "api-keys", element: <ApiKeysPage /> }]),
    guarded("security.manage", [{ path: "security", element: <SecurityPage /> }]),
    guarded("audit.view", [{ path: "audit-log", element: <AuditLogPage /> }]),
  ],
};
