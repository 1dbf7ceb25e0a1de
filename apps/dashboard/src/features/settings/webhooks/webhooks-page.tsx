import { Badge, Button, Group, Menu, Modal, Stack, Text } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import type { TWebhook } from "@parley/shared";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { useErrorMessage } from "../../../lib/use-error-message";
import { ConfirmItemModal, ConfirmModal } from "../components/confirm-modal";
import { SettingsPage } from "../components/settings-page";
import { SettingsTable } from "../components/settings-table";
import { ShownOnceSecret } from "../components/shown-once-secret";
import { useNotifySaved } from "../lib/use-notify";
import { DeliveriesDrawer } from "./deliveries-drawer";
import { WebhookModal } from "./webhook-modal";
import { useDeleteWebhook, useEnableWebhook, useRotateWebhookSecret, useWebhooks } from "./webhooks-api";

const WebhookStatus = ({ webhook }: { webhook: TWebhook }) => {
  const { t } = useTranslation();
  if (!webhook.isEnabled) {
    return (
      <Stack gap={2}>
        <Badge color="gray" variant="light" miw="fit-content">
          {t("settings.webhooks.statuses.disabled")}
        </Badge>
        {webhook.disabledReason && (
          <Text size="xs" c="dimmed">
            {t("settings.webhooks.disabledReason", { reason: webhook.disabledReason })}
          </Text>
        )}
      </Stack>
    );
  }
  return webhook.consecutiveFailures > 0 ? (
    <Badge color="orange" variant="light" miw="fit-content">
      {t("settings.webhooks.statuses.failing")}
    </Badge>
  ) : (
    <Badge color="teal" variant="light" miw="fit-content">
      {t("settings.webhooks.statuses.enabled")}
    </Badge>
  );
};

export const WebhooksPage = () => {
  const { t } = useTranslation();
  const notify = useNotifySaved();
  const describeError = useErrorMessage();
  const webhooks = useWebhooks();
  const enable = useEnableWebhook();
  const rotate = useRotateWebhookSecret();
  const remove = useDeleteWebhook();
  const [editing, setEditing] = useState<TWebhook | null | undefined>(undefined);
  const [viewing, setViewing] = useState<TWebhook | null>(null);
  const [deleting, setDeleting] = useState<TWebhook | null>(null);
  const [rotating, setRotating] = useState<TWebhook | null>(null);
  const [rotatedSecret, setRotatedSecret] = useState<string | null>(null);

  return (
    <SettingsPage
      title={t("settings.webhooks.pageTitle")}
      description={t("settings.webhooks.description")}
      actions={<Button onClick={() => setEditing(null)}>{t("settings.webhooks.add")}</Button>}
    >
      <SettingsTable
        query={webhooks}
        label={t("settings.webhooks.tableLabel")}
        empty={{ title: t("settings.webhooks.empty.title"), description: t("settings.webhooks.empty.description") }}
        minWidth={640}
        rowTestId="webhook-row"
        columns={[
          {
            header: t("settings.webhooks.columns.url"),
            maw: 280,
            cell: (webhook) => (
              <Text size="sm" dir="ltr" ta="start" style={{ wordBreak: "break-all" }}>
                {webhook.url}
              </Text>
            ),
          },
          {
            header: t("settings.webhooks.columns.events"),
            maw: 260,
            cell: (webhook) => (
              <Group gap={4}>
                {webhook.events.map((name) => (
                  <Badge miw="fit-content" key={name} size="xs" variant="outline" tt="none">
                    {name}
                  </Badge>
                ))}
              </Group>
            ),
          },
          { header: t("settings.webhooks.columns.status"), cell: (webhook) => <WebhookStatus webhook={webhook} /> },
          {
            header: t("settings.common.actions"),
            cell: (webhook) => (
              <Group gap={4} wrap="nowrap">
                <Button size="xs" variant="subtle" onClick={() => setViewing(webhook)}>
                  {t("settings.webhooks.deliveries")}
                </Button>
                <Menu position="bottom-end" withinPortal>
                  <Menu.Target>
                    <Button size="xs" variant="subtle" aria-label={t("settings.webhooks.moreActions", { url: webhook.url })}>
                      {t("settings.webhooks.more")}
                    </Button>
                  </Menu.Target>
                  <Menu.Dropdown>
                    {!webhook.isEnabled && (
                      <Menu.Item
                        color="teal"
                        onClick={() =>
                          enable.mutate(webhook.id, {
                            onSuccess: () => notify(t("settings.webhooks.enabledMessage")),
                            onError: (error) => notifications.show({ color: "red", message: describeError(error) }),
                          })
                        }
                      >
                        {t("settings.webhooks.enable")}
                      </Menu.Item>
                    )}
                    <Menu.Item onClick={() => setEditing(webhook)}>{t("settings.common.edit")}</Menu.Item>
                    <Menu.Item color="orange" onClick={() => setRotating(webhook)}>
                      {t("settings.webhooks.rotate")}
                    </Menu.Item>
                    <Menu.Item color="red" onClick={() => setDeleting(webhook)}>
                      {t("settings.common.delete")}
                    </Menu.Item>
                  </Menu.Dropdown>
                </Menu>
              </Group>
            ),
          },
        ]}
      />
      <WebhookModal webhook={editing} onClose={() => setEditing(undefined)} />
      <DeliveriesDrawer webhook={viewing} onClose={() => setViewing(null)} />
      <ConfirmModal
        opened={rotating !== null}
        title={t("settings.webhooks.rotateTitle")}
        body={t("settings.webhooks.rotateBody")}
        confirmLabel={t("settings.webhooks.rotate")}
        color="orange"
        onClose={() => {
          rotate.reset();
          setRotating(null);
        }}
        onConfirm={() =>
          rotating &&
          rotate.mutate(rotating.id, {
            onSuccess: (rotated) => {
              setRotating(null);
              setRotatedSecret(rotated.secret);
            },
          })
        }
        isPending={rotate.isPending}
        error={rotate.error}
      />
      <Modal
        opened={rotatedSecret !== null}
        onClose={() => setRotatedSecret(null)}
        title={t("settings.webhooks.secretTitle")}
        centered
      >
        <Stack gap="md">
          <ShownOnceSecret label={t("settings.webhooks.secretDescription")} value={rotatedSecret ?? ""} testId="webhook-secret" />
          <Group justify="flex-end">
            <Button onClick={() => setRotatedSecret(null)}>{t("settings.common.done")}</Button>
          </Group>
        </Stack>
      </Modal>
      <ConfirmItemModal
        item={deleting}
        title={t("settings.webhooks.deleteTitle")}
        body={t("settings.webhooks.deleteBody", { url: deleting?.url ?? "" })}
        confirmLabel={t("settings.common.confirmDelete")}
        mutation={remove}
        doneMessage={t("settings.webhooks.deleted")}
        onClose={() => setDeleting(null)}
      />
    </SettingsPage>
  );
};
