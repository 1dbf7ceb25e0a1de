import { ActionIcon, Badge, Button, Group, Switch, Text } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import type { TProactiveTrigger } from "@parley/shared";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { useErrorMessage } from "../../../lib/use-error-message";
import { ConfirmItemModal } from "../components/confirm-modal";
import { SettingsPage } from "../components/settings-page";
import { SettingsTable } from "../components/settings-table";
import { useInboxes } from "../inboxes/inboxes-api";
import { TriggerModal } from "./trigger-modal";
import { useDeleteTrigger, useReorderTriggers, useSaveTrigger, useTriggers } from "./triggers-api";

export const TriggersPage = () => {
  const { t } = useTranslation();
  const p = "settings.triggers" as const;
  const describeError = useErrorMessage();
  const triggers = useTriggers();
  const inboxes = useInboxes();
  const save = useSaveTrigger();
  const reorder = useReorderTriggers();
  const remove = useDeleteTrigger();
  const [editing, setEditing] = useState<TProactiveTrigger | null | undefined>(undefined);
  const [deleting, setDeleting] = useState<TProactiveTrigger | null>(null);
  const items = triggers.data?.items ?? [];
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
      <SettingsTable
        query={triggers}
        label={t(`${p}.tableLabel`)}
        empty={{ title: t(`${p}.empty.title`), description: t(`${p}.empty.description`) }}
        minWidth={720}
        rowTestId="trigger-row"
        columns={[
          {
            header: t(`${p}.columns.order`),
            cell: (trigger) => {
              const index = items.indexOf(trigger);
              return (
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
              );
            },
          },
          {
            header: t(`${p}.columns.name`),
            cell: (trigger) => (
              <>
                <Text size="sm" fw={600}>
                  {trigger.name}
                </Text>
                <Text size="xs" c="dimmed">
                  {t(`${p}.frequencies.${trigger.frequency}`)}
                </Text>
              </>
            ),
          },
          { header: t(`${p}.columns.inbox`), cell: (trigger) => <Text size="sm">{inboxName(trigger.inboxId)}</Text> },
          {
            header: t(`${p}.columns.stats`),
            cell: (trigger) => (
              <Badge variant="light" miw="fit-content">
                {t(`${p}.stats`, { fired: trigger.stats.fired, engaged: trigger.stats.engaged })}
              </Badge>
            ),
          },
          {
            header: t(`${p}.columns.enabled`),
            cell: (trigger) => (
              <Switch
                aria-label={t(`${p}.enabledFor`, { name: trigger.name })}
                checked={trigger.isEnabled}
                onChange={(event) =>
                  save.mutate({ id: trigger.id, input: { isEnabled: event.currentTarget.checked } }, { onError: showError })
                }
              />
            ),
          },
          {
            header: t("settings.common.actions"),
            cell: (trigger) => (
              <Group gap="xs" wrap="nowrap">
                <Button size="xs" variant="subtle" onClick={() => setEditing(trigger)}>
                  {t("settings.common.edit")}
                </Button>
                <Button size="xs" variant="subtle" color="red" onClick={() => setDeleting(trigger)}>
                  {t("settings.common.delete")}
                </Button>
              </Group>
            ),
          },
        ]}
      />
      <TriggerModal trigger={editing} onClose={() => setEditing(undefined)} />
      <ConfirmItemModal
        item={deleting}
        title={t(`${p}.deleteTitle`, { name: deleting?.name ?? "" })}
        body={t(`${p}.deleteBody`)}
        confirmLabel={t("settings.common.confirmDelete")}
        mutation={remove}
        doneMessage={t(`${p}.deleted`)}
        onClose={() => setDeleting(null)}
      />
    </SettingsPage>
  );
};
