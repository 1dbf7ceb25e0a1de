import { ActionIcon, Badge, Button, Card, Group, Stack, Switch, Table, Text } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import type { TProactiveTrigger } from "@parley/shared";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { QueryErrorAlert } from "../../../components/query-error-alert";
import { useErrorMessage } from "../../../lib/use-error-message";
import { ListPagination, usePagedItems } from "../components/client-pagination";
import { ConfirmModal } from "../components/confirm-modal";
import { EmptyList, ListSkeleton } from "../components/list-states";
import { SettingsPage } from "../components/settings-page";
import { useInboxes } from "../inboxes/inboxes-api";
import { useNotifySaved } from "../lib/use-notify";
import { TriggerModal } from "./trigger-modal";
import { useDeleteTrigger, useReorderTriggers, useSaveTrigger, useTriggers } from "./triggers-api";

export const TriggersPage = () => {
  const { t } = useTranslation();
  const p = "settings.triggers" as const;
  const notify = useNotifySaved();
  const describeError = useErrorMessage();
  const triggers = useTriggers();
  const inboxes = useInboxes();
  const save = useSaveTrigger();
  const reorder = useReorderTriggers();
  const remove = useDeleteTrigger();
  const [editing, setEditing] = useState<TProactiveTrigger | null | undefined>(undefined);
  const [deleting, setDeleting] = useState<TProactiveTrigger | null>(null);
  const items = triggers.data?.items ?? [];
  const paged = usePagedItems(items);
  const inboxName = (id: string | null) =>
    id === null ? t(`${p}.allInboxes`) : (inboxes.data?.items.find((inbox) => inbox.id === id)?.name ?? "—");
  const showError = (error: unknown) => notifications.show({ color: "red", message: describeError(error) });

  const move = (index: number, by: -1 | 1) => {
    const ids = items.map((item) => item.id);
    const target = index + by;
    const [moved] = ids.splice(index, 1);
    if (moved === undefined || target < 0 || target > ids.length) return;
    ids.splice(target, 0, moved);
    reorder.mutate(ids, { onError: showError });
  };

  return (
    <SettingsPage
      title={t(`${p}.pageTitle`)}
      description={t(`${p}.description`)}
      actions={<Button onClick={() => setEditing(null)}>{t(`${p}.add`)}</Button>}
    >
      <Card withBorder radius="md" padding="lg">
        {triggers.isPending && <ListSkeleton />}
        {triggers.isError && (
          <QueryErrorAlert
            title={t("settings.common.loadFailed")}
            error={triggers.error}
            onRetry={() => void triggers.refetch()}
            isRetrying={triggers.isFetching}
          />
        )}
        {triggers.isSuccess && items.length === 0 && (
          <EmptyList title={t(`${p}.empty.title`)} description={t(`${p}.empty.description`)} />
        )}
        {items.length > 0 && (
          <Stack gap="md">
            <Table.ScrollContainer minWidth={720}>
              <Table verticalSpacing="sm" highlightOnHover aria-label={t(`${p}.tableLabel`)}>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>{t(`${p}.columns.order`)}</Table.Th>
                    <Table.Th>{t(`${p}.columns.name`)}</Table.Th>
                    <Table.Th>{t(`${p}.columns.inbox`)}</Table.Th>
                    <Table.Th>{t(`${p}.columns.stats`)}</Table.Th>
                    <Table.Th>{t(`${p}.columns.enabled`)}</Table.Th>
                    <Table.Th>{t("settings.common.actions")}</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {paged.pageItems.map((trigger) => {
                    const index = items.indexOf(trigger);
                    return (
                      <Table.Tr key={trigger.id} data-testid="trigger-row">
                        <Table.Td>
                          <Group gap={2} wrap="nowrap">
                            <ActionIcon
                              variant="subtle"
                              aria-label={t(`${p}.moveUp`, { name: trigger.name })}
                              disabled={index === 0 || reorder.isPending}
                              onClick={() => move(index, -1)}
                            >
                              ↑
                            </ActionIcon>
                            <ActionIcon
                              variant="subtle"
                              aria-label={t(`${p}.moveDown`, { name: trigger.name })}
                              disabled={index === items.length - 1 || reorder.isPending}
                              onClick={() => move(index, 1)}
                            >
                              ↓
                            </ActionIcon>
                          </Group>
                        </Table.Td>
                        <Table.Td>
                          <Text size="sm" fw={600}>
                            {trigger.name}
                          </Text>
                          <Text size="xs" c="dimmed">
                            {t(`${p}.frequencies.${trigger.frequency}`)}
                          </Text>
                        </Table.Td>
                        <Table.Td>
                          <Text size="sm">{inboxName(trigger.inboxId)}</Text>
                        </Table.Td>
                        <Table.Td>
                          <Badge variant="light" miw="fit-content">
                            {t(`${p}.stats`, { fired: trigger.stats.fired, engaged: trigger.stats.engaged })}
                          </Badge>
                        </Table.Td>
                        <Table.Td>
                          <Switch
                            aria-label={t(`${p}.enabledFor`, { name: trigger.name })}
                            checked={trigger.isEnabled}
                            onChange={(event) =>
                              save.mutate(
                                { id: trigger.id, input: { isEnabled: event.currentTarget.checked } },
                                { onError: showError },
                              )
                            }
                          />
                        </Table.Td>
                        <Table.Td>
                          <Group gap="xs" wrap="nowrap">
                            <Button size="xs" variant="subtle" onClick={() => setEditing(trigger)}>
                              {t("settings.common.edit")}
                            </Button>
                            <Button size="xs" variant="subtle" color="red" onClick={() => setDeleting(trigger)}>
                              {t("settings.common.delete")}
                            </Button>
                          </Group>
                        </Table.Td>
                      </Table.Tr>
                    );
                  })}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
            <ListPagination page={paged.page} pageCount={paged.pageCount} onChange={paged.setPage} />
          </Stack>
        )}
      </Card>
      <TriggerModal trigger={editing} onClose={() => setEditing(undefined)} />
      <ConfirmModal
        opened={deleting !== null}
        title={t(`${p}.deleteTitle`, { name: deleting?.name ?? "" })}
        body={t(`${p}.deleteBody`)}
        confirmLabel={t("settings.common.confirmDelete")}
        onClose={() => {
          remove.reset();
          setDeleting(null);
        }}
        onConfirm={() =>
          deleting &&
          remove.mutate(deleting.id, {
            onSuccess: () => {
              notify(t(`${p}.deleted`));
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
