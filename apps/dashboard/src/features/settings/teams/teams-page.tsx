import { Button, Card, Stack, Table, Text } from "@mantine/core";
import type { TTeam } from "@parley/shared";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { QueryErrorAlert } from "../../../components/query-error-alert";
import { ListPagination, usePagedItems } from "../components/client-pagination";
import { ConfirmModal } from "../components/confirm-modal";
import { EmptyList, ListSkeleton } from "../components/list-states";
import { RowActions } from "../components/row-actions";
import { SettingsPage } from "../components/settings-page";
import { useTeams } from "../lib/directory-api";
import { useNotifySaved } from "../lib/use-notify";
import { TeamModal } from "./team-modal";
import { useDeleteTeam } from "./teams-api";

export const TeamsPage = () => {
  const { t } = useTranslation();
  const notify = useNotifySaved();
  const teams = useTeams();
  const remove = useDeleteTeam();
  const [editing, setEditing] = useState<TTeam | null | undefined>(undefined);
  const [deleting, setDeleting] = useState<TTeam | null>(null);
  const items = teams.data?.items ?? [];
  const paged = usePagedItems(items);

  return (
    <SettingsPage
      title={t("settings.teams.pageTitle")}
      description={t("settings.teams.description")}
      actions={<Button onClick={() => setEditing(null)}>{t("settings.teams.add")}</Button>}
    >
      <Card withBorder radius="md" padding="lg">
        {teams.isPending && <ListSkeleton />}
        {teams.isError && (
          <QueryErrorAlert
            title={t("settings.common.loadFailed")}
            error={teams.error}
            onRetry={() => void teams.refetch()}
            isRetrying={teams.isFetching}
          />
        )}
        {teams.isSuccess && items.length === 0 && (
          <EmptyList title={t("settings.teams.empty.title")} description={t("settings.teams.empty.description")} />
        )}
        {items.length > 0 && (
          <Stack gap="md">
            <Table.ScrollContainer minWidth={600}>
              <Table verticalSpacing="sm" highlightOnHover aria-label={t("settings.teams.tableLabel")}>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>{t("settings.teams.columns.name")}</Table.Th>
                    <Table.Th>{t("settings.teams.columns.lead")}</Table.Th>
                    <Table.Th>{t("settings.teams.columns.members")}</Table.Th>
                    <Table.Th>{t("settings.common.actions")}</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {paged.pageItems.map((team) => (
                    <Table.Tr key={team.id}>
                      <Table.Td>
                        <Text fw={600} size="sm">
                          {team.name}
                        </Text>
                        {team.description && (
                          <Text size="xs" c="dimmed" lineClamp={1}>
                            {team.description}
                          </Text>
                        )}
                      </Table.Td>
                      <Table.Td>
                        <Text size="sm">{team.lead?.name ?? t("settings.teams.noLead")}</Text>
                      </Table.Td>
                      <Table.Td>{team.memberCount}</Table.Td>
                      <Table.Td>
                        <RowActions
                          itemLabel={`${team.name}`}
                          onEdit={() => setEditing(team)}
                          onDelete={() => setDeleting(team)}
                        />
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
            <ListPagination page={paged.page} pageCount={paged.pageCount} onChange={paged.setPage} />
          </Stack>
        )}
      </Card>
      <TeamModal team={editing} onClose={() => setEditing(undefined)} />
      <ConfirmModal
        opened={deleting !== null}
        title={t("settings.teams.deleteTitle", { name: deleting?.name ?? "" })}
        body={t("settings.teams.deleteBody")}
        confirmLabel={t("settings.common.confirmDelete")}
        onClose={() => {
          remove.reset();
          setDeleting(null);
        }}
        onConfirm={() =>
          deleting &&
          remove.mutate(deleting.id, {
            onSuccess: () => {
              notify(t("settings.teams.deleted"));
              setDeleting(null);
            },
          })
        }
        isPending={remove.isPending}
        error={remove.error}
      />
    </SettingsPage>
  );
};
