import { Button, Tabs } from "@mantine/core";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { useHasPermission } from "../../auth/hooks/use-permissions";
import { SettingsPage } from "../components/settings-page";
import { InvitationsTable } from "./invitations-table";
import { InviteMemberModal } from "./invite-member-modal";
import { MembersTable } from "./members-table";

export const MembersPage = () => {
  const { t } = useTranslation();
  const canManage = useHasPermission()("members.manage");
  const [isInviting, setIsInviting] = useState(false);
  const [tab, setTab] = useState<string | null>("members");

  return (
    <SettingsPage
      title={t("settings.members.pageTitle")}
      description={t("settings.members.description")}
      actions={canManage && <Button onClick={() => setIsInviting(true)}>{t("settings.members.invite")}</Button>}
    >
      {canManage ? (
        <Tabs value={tab} onChange={setTab} keepMounted={false}>
          <Tabs.List mb="md">
            <Tabs.Tab value="members">{t("settings.members.tabs.members")}</Tabs.Tab>
            <Tabs.Tab value="invitations">{t("settings.members.tabs.invitations")}</Tabs.Tab>
          </Tabs.List>
          <Tabs.Panel value="members">
            <MembersTable />
          </Tabs.Panel>
          <Tabs.Panel value="invitations">
            <InvitationsTable />
          </Tabs.Panel>
        </Tabs>
      ) : (
        <MembersTable />
      )}
      <InviteMemberModal
        opened={isInviting}
        onClose={() => {
          setIsInviting(false);
        }}
      />
    </SettingsPage>
  );
};
