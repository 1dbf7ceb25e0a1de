import { Badge, Button, Drawer, Stack, Table, Text } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import type { TWebhook, TWebhookDelivery } from "@parley/shared";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { QueryErrorAlert } from "../../../components/query-error-alert";
import { useErrorMessage } from "../../../lib/use-error-message";
import { useFormatDateTime } from "../../../lib/use-format-date-time";
import { ListSkeleton } from "../components/list-states";
import { LoadMore } from "../components/load-more";
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
  const items = deliveries.data?.pages.flatMap((page) => page.items) ?? [];

  if (deliveries.isPending) return <ListSkeleton />;
  if (deliveries.isError && !deliveries.isFetchNextPageError) {
    return (
      <QueryErrorAlert
        title={t("settings.common.loadFailed")}
        error={deliveries.error}
        onRetry={() => void deliveries.refetch()}
        isRetrying={deliveries.isFetching}
      />
    );
  }
  if (items.length === 0) {
    return (
      <Text c="dimmed" size="sm">
        {t("settings.webhooks.deliveriesEmpty")}
      </Text>
    );
  }
  return (
    <Stack gap="md">
      <Table.ScrollContainer minWidth={720}>
        <Table verticalSpacing="xs" aria-label={t("settings.webhooks.deliveriesLabel")}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t("settings.webhooks.deliveryColumns.event")}</Table.Th>
              <Table.Th>{t("settings.webhooks.deliveryColumns.status")}</Table.Th>
              <Table.Th>{t("settings.webhooks.deliveryColumns.response")}</Table.Th>
              <Table.Th>{t("settings.webhooks.deliveryColumns.latency")}</Table.Th>
              <Table.Th>{t("settings.webhooks.deliveryColumns.at")}</Table.Th>
              <Table.Th />
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {items.map((delivery) => (
              <Table.Tr key={delivery.id} data-testid="webhook-delivery">
                <Table.Td>
                  <Text size="sm" ff="monospace" dir="ltr">
                    {delivery.event}
                  </Text>
                </Table.Td>
                <Table.Td>
                  <Badge miw="fit-content" variant="light" color={STATUS_COLORS[delivery.status]}>
                    {t(`settings.webhooks.deliveryStatuses.${delivery.status}`)}
                  </Badge>
                </Table.Td>
                <Table.Td maw={240}>
                  <Text size="sm" dir="ltr" lineClamp={2} title={delivery.error ?? delivery.responseExcerpt ?? undefined}>
                    {delivery.responseStatus ?? "—"} {delivery.error ?? ""}
                  </Text>
                </Table.Td>
                <Table.Td>
                  {delivery.latencyMs === null ? "—" : t("settings.webhooks.latencyMs", { ms: delivery.latencyMs })}
                </Table.Td>
                <Table.Td>
                  <Text size="sm" style={{ whiteSpace: "nowrap" }}>
                    {formatDateTime(delivery.createdAt)}
                  </Text>
                </Table.Td>
                <Table.Td>
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
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      <LoadMore query={deliveries} />
    </Stack>
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
