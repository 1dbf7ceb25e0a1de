import { Badge, Button, Code, CopyButton, Group, Skeleton, Stack, Text, Title } from "@mantine/core";
import type { TChannelConnection, TInboxDetail } from "@parley/shared";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { QueryErrorAlert } from "../../../components/query-error-alert";
import { ConfirmModal } from "../components/confirm-modal";
import { ShownOnceSecret } from "../components/shown-once-secret";
import { useNotifySaved } from "../lib/use-notify";
import { useChannelConnection, useDisconnectChannel } from "./channel-connection-api";
import { ChannelCredentialsForm } from "./channel-credentials-form";

const STATUS_COLORS: Record<TChannelConnection["status"], string> = {
  connected: "teal",
  expiring: "yellow",
  error: "red",
  disconnected: "gray",
  not_connected: "gray",
};

type PanelProps = {
  inbox: TInboxDetail;
  /** From Facebook Login's return (`?channelSelection=`), to pick the page to connect. */
  selectionToken: string | null;
  /** From Facebook Login's return (`?channelError=`). */
  loginError: string | null;
};

/** The inbox's platform connection: its state, where the platform delivers, and how to (re)connect. */
export const ChannelConnectionPanel = ({ inbox, selectionToken, loginError }: PanelProps) => {
  const { t } = useTranslation();
  const c = "settings.inboxes.channel" as const;
  const notify = useNotifySaved();
  const connection = useChannelConnection(inbox.id);
  const disconnect = useDisconnectChannel(inbox.id);
  const [isConfirming, setIsConfirming] = useState(false);
  const [issued, setIssued] = useState<Record<string, string> | null>(null);
  const data = connection.data;
  const isLive = data?.status === "connected" || data?.status === "expiring" || data?.status === "error";

  return (
    <Stack gap="lg">
      {connection.isPending && <Skeleton height={120} />}
      {connection.isError && (
        <QueryErrorAlert
          title={t(`${c}.loadFailed`)}
          error={connection.error}
          onRetry={() => void connection.refetch()}
          isRetrying={connection.isFetching}
        />
      )}
      {data && (
        <Stack gap="sm">
          <Group gap="sm">
            <Title order={2} fz="h4">
              {t(`${c}.title`)}
            </Title>
            <Badge miw="fit-content" color={STATUS_COLORS[data.status]} variant="light" data-testid="channel-status">
              {t(`${c}.statuses.${data.status}`)}
            </Badge>
          </Group>
          {data.displayName && <Text size="sm">{t(`${c}.connectedAs`, { name: data.displayName })}</Text>}
          {data.error && (
            <Text size="sm" c="red" role="alert">
              {t(`${c}.platformError`, { error: data.error })}
            </Text>
          )}
          {loginError && (
            <Text size="sm" c="red" role="alert">
              {t(`${c}.loginError`, { code: loginError })}
            </Text>
          )}
          <Stack gap={2}>
            <Text size="xs" c="dimmed">
              {t(`${c}.webhookUrl`)}
            </Text>
            <Group gap="xs">
              <Code dir="ltr" style={{ wordBreak: "break-all" }}>
                {data.webhookUrl}
              </Code>
              <CopyButton value={data.webhookUrl}>
                {({ copied, copy }) => (
                  <Button size="compact-xs" variant="subtle" onClick={copy}>
                    {copied ? t("settings.common.copied") : t("settings.common.copy")}
                  </Button>
                )}
              </CopyButton>
            </Group>
          </Stack>
          {issued &&
            Object.entries(issued).map(([name, value]) => (
              <ShownOnceSecret key={name} label={name} value={value} testId={`issued-${name}`} />
            ))}
          {isLive && (
            <Group>
              <Button color="red" variant="light" onClick={() => setIsConfirming(true)}>
                {t(`${c}.disconnect`)}
              </Button>
            </Group>
          )}
        </Stack>
      )}
      {data && (
        <Stack gap="sm">
          <Title order={3} fz="h5">
            {isLive ? t(`${c}.reconnectTitle`) : t(`${c}.connectTitle`)}
          </Title>
          <ChannelCredentialsForm
            inbox={inbox}
            selectionToken={selectionToken}
            onConnected={(credentials) => {
              setIssued(credentials ?? null);
              notify(t(`${c}.connected`));
            }}
          />
        </Stack>
      )}
      <ConfirmModal
        opened={isConfirming}
        title={t(`${c}.disconnectTitle`)}
        body={t(`${c}.disconnectBody`)}
        confirmLabel={t(`${c}.disconnect`)}
        onClose={() => {
          disconnect.reset();
          setIsConfirming(false);
        }}
        onConfirm={() =>
          disconnect.mutate(undefined, {
            onSuccess: () => {
              notify(t(`${c}.disconnected`));
              setIsConfirming(false);
            },
          })
        }
        isPending={disconnect.isPending}
        error={disconnect.error}
      />
    </Stack>
  );
};
