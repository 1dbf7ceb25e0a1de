import { Anchor, Badge, Button, Card, Group, Skeleton, Stack, Tabs, Text } from "@mantine/core";
import type { TInboxDetail } from "@parley/shared";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useNavigate, useParams, useSearchParams } from "react-router";
import { QueryErrorAlert } from "../../../components/query-error-alert";
import { ConfirmModal } from "../components/confirm-modal";
import { SettingsPage } from "../components/settings-page";
import { useNotifySaved } from "../lib/use-notify";
import { BusinessHoursForm } from "./business-hours-form";
import { ChannelConnectionPanel } from "./channel-connection-panel";
import { InboxGeneralForm } from "./inbox-general-form";
import { InboxMembersForm } from "./inbox-members-form";
import { InboxWidgetPanel } from "./inbox-widget-panel";
import { useDeleteInbox, useInbox } from "./inboxes-api";

const DeleteInboxSection = ({ inbox }: { inbox: TInboxDetail }) => {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const notify = useNotifySaved();
  const remove = useDeleteInbox(inbox.id);
  const [isConfirming, setIsConfirming] = useState(false);
  return (
    <Stack gap="sm" align="flex-start">
      <Text fw={600}>{t("settings.inboxes.deleteTitle")}</Text>
      <Text size="sm" c="dimmed">
        {t("settings.inboxes.deleteDescription")}
      </Text>
      <Button color="red" variant="light" onClick={() => setIsConfirming(true)}>
        {t("settings.common.delete")}
      </Button>
      <ConfirmModal
        opened={isConfirming}
        title={t("settings.inboxes.deleteConfirmTitle", { name: inbox.name })}
        body={t("settings.inboxes.deleteConfirmBody")}
        confirmLabel={t("settings.common.confirmDelete")}
        onClose={() => {
          remove.reset();
          setIsConfirming(false);
        }}
        onConfirm={() =>
          remove.mutate(undefined, {
            onSuccess: () => {
              notify(t("settings.inboxes.deleted"));
              navigate("/settings/inboxes", { replace: true });
            },
          })
        }
        isPending={remove.isPending}
        error={remove.error}
      />
    </Stack>
  );
};

export const InboxPage = () => {
  const { t } = useTranslation();
  const { inboxId = "" } = useParams();
  const inbox = useInbox(inboxId);
  // Facebook Login returns here with a page selection (or an error) for the connection tab.
  const [searchParams] = useSearchParams();
  const selectionToken = searchParams.get("channelSelection");
  const loginError = searchParams.get("channelError");
  // Instagram Login returns here connected (`?channelConnected=`): the connection tab shows the account.
  const isBackFromLogin = searchParams.has("channelConnected");
  const [tab, setTab] = useState<string | null>(selectionToken || loginError || isBackFromLogin ? "connection" : "general");
  const data = inbox.data;

  return (
    <SettingsPage title={data?.name ?? t("settings.inboxes.pageTitle")}>
      <Group gap="sm">
        <Anchor component={Link} to="/settings/inboxes" size="sm">
          {t("settings.inboxes.back")}
        </Anchor>
        {data && (
          <Badge miw="fit-content" variant="light">
            {t(`settings.inboxes.types.${data.type}`)}
          </Badge>
        )}
      </Group>
      {inbox.isPending && (
        <Stack gap="sm" aria-busy="true">
          <Skeleton height={36} />
          <Skeleton height={200} />
        </Stack>
      )}
      {inbox.isError && (
        <QueryErrorAlert
          title={t("settings.inboxes.loadFailed")}
          error={inbox.error}
          onRetry={() => void inbox.refetch()}
          isRetrying={inbox.isFetching}
        />
      )}
      {data && (
        <Tabs value={tab} onChange={setTab} keepMounted={false}>
          <Tabs.List>
            <Tabs.Tab value="general">{t("settings.inboxes.tabs.general")}</Tabs.Tab>
            <Tabs.Tab value="hours">{t("settings.inboxes.tabs.businessHours")}</Tabs.Tab>
            <Tabs.Tab value="members">{t("settings.inboxes.tabs.members")}</Tabs.Tab>
            {data.type === "website" ? (
              <Tabs.Tab value="widget">{t("settings.inboxes.tabs.widget")}</Tabs.Tab>
            ) : (
              <Tabs.Tab value="connection">{t("settings.inboxes.tabs.connection")}</Tabs.Tab>
            )}
            <Tabs.Tab value="danger" color="red">
              {t("settings.inboxes.tabs.danger")}
            </Tabs.Tab>
          </Tabs.List>
          <Card withBorder radius="md" padding="lg" mt="md">
            <Tabs.Panel value="general">
              <InboxGeneralForm inbox={data} />
            </Tabs.Panel>
            <Tabs.Panel value="hours">
              <BusinessHoursForm inbox={data} />
            </Tabs.Panel>
            <Tabs.Panel value="members">
              <InboxMembersForm inbox={data} />
            </Tabs.Panel>
            {data.type === "website" ? (
              <Tabs.Panel value="widget">
                <InboxWidgetPanel inbox={data} />
              </Tabs.Panel>
            ) : (
              <Tabs.Panel value="connection">
                <ChannelConnectionPanel inbox={data} selectionToken={selectionToken} loginError={loginError} />
              </Tabs.Panel>
            )}
            <Tabs.Panel value="danger">
              <DeleteInboxSection inbox={data} />
            </Tabs.Panel>
          </Card>
        </Tabs>
      )}
    </SettingsPage>
  );
};
