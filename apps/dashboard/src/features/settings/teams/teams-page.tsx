import { Button, Text } from "@mantine/core";
import type { TTeam } from "@parley/shared";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { ConfirmItemModal } from "../components/confirm-modal";
import { RowActions } from "../components/row-actions";
import { SettingsPage } from "../components/settings-page";
import { SettingsTable } from "../components/settings-table";
import { useTeams } from "../lib/directory-api";
import { TeamModal } from "./team-modal";
import { useDeleteTeam } from "./teams-api";

export const TeamsPage = () => {
  const { t } = useTranslation();
  const teams = useTeams();
  const remove = useDeleteTeam();
  const [editing, setEditing] = useState<TTeam | null | undefined>(undefined);
  const [deleting, setDeleting] = useState<TTeam | null>(null);

  return (
    <SettingsPage
      title={t("settings.teams.pageTitle")}
      description={t("settings.teams.description")}
      actions={<Button onClick={() => setEditing(null)}>{t("settings.teams.add")}</Button>}
    >
      <SettingsTable
        query={teams}
        label={t("settings.teams.tableLabel")}
        empty={{ title: t("settings.teams.empty.title"), description: t("settings.teams.empty.description") }}
        minWidth={600}
        columns={[
          {
            header: t("settings.teams.columns.name"),
            cell: (team) => (
              <>
                <Text fw={600} size="sm">
                  {team.name}
                </Text>
                {team.description && (
                  <Text size="xs" c="dimmed" lineClamp={1}>
                    {team.description}
                  </Text>
                )}
              </>
            ),
          },
          {
            header: t("settings.teams.columns.lead"),
            cell: (team) => <Text size="sm">{team.lead?.name ?? t("settings.teams.noLead")}</Text>,
          },
          { header: t("settings.teams.columns.members"), cell: (team) => team.memberCount },
          {
            header: t("settings.common.actions"),
            cell: (team) => (
              <RowActions itemLabel={team.name} onEdit={() => setEditing(team)} onDelete={() => setDeleting(team)} />
            ),
          },
        ]}
      />
      <TeamModal team={editing} onClose={() => setEditing(undefined)} />
      <ConfirmItemModal
        item={deleting}
        title={t("settings.teams.deleteTitle", { name: deleting?.name ?? "" })}
        body={t("settings.teams.deleteBody")}
        confirmLabel={t("settings.common.confirmDelete")}
        mutation={remove}
        doneMessage={t("settings.teams.deleted")}
        onClose={() => setDeleting(null)}
      />
    </SettingsPage>
  );
};
