import { Badge, Button, Card, ColorSwatch, Group, Stack, Table, Text } from "@mantine/core";
import type { TLabel } from "@parley/shared";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { QueryErrorAlert } from "../../../components/query-error-alert";
import { ListPagination, usePagedItems } from "../components/client-pagination";
import { ConfirmModal } from "../components/confirm-modal";
import { EmptyList, ListSkeleton } from "../components/list-states";
import { RowActions } from "../components/row-actions";
import { SettingsPage } from "../components/settings-page";
import { useNotifySaved } from "../lib/use-notify";
import { LabelModal } from "./label-modal";
import { useDeleteLabel, useLabels } from "./labels-api";

export const LabelsPage = () => {
  const { t } = useTranslation();
  const notify = useNotifySaved();
  const labels = useLabels();
  const remove = useDeleteLabel();
  const [editing, setEditing] = useState<TLabel | null | undefined>(undefined);
  const [deleting, setDeleting] = useState<TLabel | null>(null);
  const items = labels.data?.items ?? [];
  const paged = usePagedItems(items);

  return (
    <SettingsPage
      title={t("settings.labels.pageTitle")}
      description={t("settings.labels.description")}
      actions={<Button onClick={() => setEditing(null)}>{t("settings.labels.add")}</Button>}
    >
      <Card withBorder radius="md" padding="lg">
        {labels.isPending && <ListSkeleton />}
        {labels.isError && (
          <QueryErrorAlert
            title={t("settings.common.loadFailed")}
            error={labels.error}
            onRetry={() => void labels.refetch()}
            isRetrying={labels.isFetching}
          />
        )}
        {labels.isSuccess && items.length === 0 && (
          <EmptyList title={t("settings.labels.empty.title")} description={t("settings.labels.empty.description")} />
        )}
        {items.length > 0 && (
          <Stack gap="md">
            <Table.ScrollContainer minWidth={560}>
              <Table verticalSpacing="sm" highlightOnHover aria-label={t("settings.labels.tableLabel")}>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>{t("settings.labels.columns.name")}</Table.Th>
                    <Table.Th>{t("settings.labels.columns.description")}</Table.Th>
                    <Table.Th>{t("settings.common.actions")}</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {paged.pageItems.map((label) => (
                    <Table.Tr key={label.id}>
                      <Table.Td>
                        <Group gap="xs" wrap="nowrap">
                          <ColorSwatch color={label.color} size={14} aria-hidden="true" />
                          <Badge miw="fit-content" variant="light" color={label.color} tt="none">
                            {label.name}
                          </Badge>
                        </Group>
                      </Table.Td>
                      <Table.Td>
                        <Text size="sm" c={label.description ? undefined : "dimmed"} lineClamp={2}>
                          {label.description || "—"}
                        </Text>
                      </Table.Td>
                      <Table.Td>
                        <RowActions
                          itemLabel={`${label.name}`}
                          onEdit={() => setEditing(label)}
                          onDelete={() => setDeleting(label)}
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
      <LabelModal label={editing} onClose={() => setEditing(undefined)} />
      <ConfirmModal
        opened={deleting !== null}
        title={t("settings.labels.deleteTitle", { name: deleting?.name ?? "" })}
        body={t("settings.labels.deleteBody")}
        confirmLabel={t("settings.common.confirmDelete")}
        onClose={() => {
          remove.reset();
          setDeleting(null);
        }}
        onConfirm={() =>
          deleting &&
          remove.mutate(deleting.id, {
            onSuccess: () => {
              notify(t("settings.labels.deleted"));
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
