import { Badge, Button, Drawer, Text } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import type { TWebhook, TWebhookDelivery } from "@parley/shared";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { useErrorMessage } from "../../../lib/use-error-message";
import { useFormatDateTime } from "../../../lib/use-format-date-time";
import { SettingsTable } from "../components/settings-table";
import { useNotifySaved } from "../lib/use-notify";
import { useRedeliver, useWebhookDeliveries } from "./webhooks-api";

const STATUS_COLORS: Record<TWebhookDelivery["status"], string> = { pending: "blue", succeeded: "teal", failed: "red" };

const DeliveriesTable = ({ webhook }: { webhook: TWebhook }) => {
  const { t } = useTranslation();
  const notify = useNotifySaved();
  const describeError = useErrorMessage();
  const formatDateTime = useFormatDateTime();
  const deliveries = useWebhookDeliveries(webhook.id);
  const redeliver = useRedeliver(webhook.id);

  return (
    <SettingsTable
      query={deliveries}
      label={t("settings.webhooks.deliveriesLabel")}
      empty={{
        title: t("settings.webhooks.deliveriesEmpty.title"),
        description: t("settings.webhooks.deliveriesEmpty.description"),
      }}
      minWidth={720}
      rowTestId="webhook-delivery"
      withCard={false}
      columns={[
        {
          header: t("settings.webhooks.deliveryColumns.event"),
          cell: (delivery) => (
            <Text size="sm" ff="monospace" dir="ltr">
              {delivery.event}
            </Text>
          ),
        },
        {
          header: t("settings.webhooks.deliveryColumns.status"),
          cell: (delivery) => (
            <Badge miw="fit-content" variant="light" color={STATUS_COLORS[delivery.status]}>
              {t(`settings.webhooks.deliveryStatuses.${delivery.status}`)}
            </Badge>
          ),
        },
        {
          header: t("settings.webhooks.deliveryColumns.response"),
          maw: 240,
          cell: (delivery) => (
            <Text size="sm" dir="ltr" lineClamp={2} title={delivery.error ?? delivery.responseExcerpt ?? undefined}>
              {delivery.responseStatus ?? "—"} {delivery.error ?? ""}
            </Text>
          ),
        },
        {
          header: t("settings.webhooks.deliveryColumns.latency"),
          cell: (delivery) => (delivery.latencyMs === null ? "—" : t("settings.webhooks.latencyMs", { ms: delivery.latencyMs })),
        },
        {
          header: t("settings.webhooks.deliveryColumns.at"),
          cell: (delivery) => (
            <Text size="sm" style={{ whiteSpace: "nowrap" }}>
              {formatDateTime(delivery.createdAt)}
            </Text>
          ),
        },
        {
          header: t("settings.common.actions"),
          cell: (delivery) => (
            <Button
              size="xs"
              variant="subtle"
              loading={redeliver.isPending && redeliver.variables === delivery.id}
              onClick={() =>
                redeliver.mutate(delivery.id, {
                  onSuccess: () => notify(t("settings.webhooks.redelivered")),
                  onError: (error) => notifications.show({ color: "red", message: describeError(error) }),
                })
              }
            >
              {t("settings.webhooks.redeliver")}
            </Button>
          ),
        },
      ]}
    />
  );
};

export const DeliveriesDrawer = ({ webhook, onClose }: { webhook: TWebhook | null; onClose: () => void }) => {
  const { t } = useTranslation();
  // The last webhook stays rendered while the drawer slides closed.
  const [shown, setShown] = useState(webhook);
  if (webhook !== null && webhook !== shown) setShown(webhook);
  return (
    <Drawer
      opened={webhook !== null}
      onClose={onClose}
      position="right"
      size="xl"
      title={t("settings.webhooks.deliveriesTitle", { url: shown?.url ?? "" })}
    >
      {shown && <DeliveriesTable key={shown.id} webhook={shown} />}
    </Drawer>
  );
};
