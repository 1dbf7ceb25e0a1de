import {
  Anchor,
  Badge,
  Button,
  Card,
  EmptyState,
  Group,
  Modal,
  Skeleton,
  Stack,
  Table,
  Text,
  Textarea,
  Title,
} from "@mantine/core";
import type { TVisitorVisit } from "@parley/shared";
import { useMutation } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { useNavigate } from "react-router";
import { FormErrorAlert } from "../../../components/form-error-alert";
import { IconInbox } from "../../../components/icons";
import { QueryErrorAlert } from "../../../components/query-error-alert";
import { useHasPermission } from "../../auth/hooks/use-permissions";
import { useNow } from "../../inbox/hooks/use-now";
import { contactDisplayName, formatElapsed } from "../../inbox/lib/format";
import { startChatWithVisitor, useVisitorsOnline, type VisitorsOnline } from "../api/visitors-api";

type OnlineVisitor = VisitorsOnline["visitors"][number];

export const describeLocation = (visit: TVisitorVisit) =>
  [visit.location.city, visit.location.region, visit.location.country].filter(Boolean).join(", ") || null;
export const describeDevice = (visit: TVisitorVisit) =>
  [visit.device.browser, visit.device.os, visit.device.deviceType].filter(Boolean).join(" · ") || null;

const StartChatModal = ({ visitor, onClose }: { visitor: OnlineVisitor; onClose: () => void }) => {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const [message, setMessage] = useState("");
  const start = useMutation({
    mutationFn: () => startChatWithVisitor(visitor.contact.id, { message: message.trim(), inboxId: visitor.inboxId }),
    onSuccess: (started) => navigate(`/inbox/conversations/${started.conversationId}`),
  });
  return (
    <Modal opened onClose={onClose} title={t("visitors.startTitle", { name: contactDisplayName(visitor.contact, t) })} centered>
      <Stack gap="sm">
        <Textarea
          label={t("visitors.firstMessage")}
          description={t("visitors.firstMessageHint")}
          value={message}
          onChange={(event) => setMessage(event.currentTarget.value)}
          autosize
          minRows={3}
          maxLength={10_000}
          data-autofocus
        />
        {start.isError && <FormErrorAlert error={start.error} />}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            {t("common.cancel")}
          </Button>
          <Button onClick={() => start.mutate()} loading={start.isPending} disabled={message.trim() === ""}>
            {t("visitors.start")}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
};

/** `/visitors`: who is on the sites now, where they are, for how long, from where; start a chat with one. */
export const VisitorsPage = () => {
  const { t, i18n } = useTranslation();
  const online = useVisitorsOnline();
  const now = useNow(10_000);
  const canStart = useHasPermission()("contacts.view");
  const [chatWith, setChatWith] = useState<OnlineVisitor | null>(null);
  const inboxName = (inboxId: string) => online.data?.items.find((item) => item.inboxId === inboxId)?.name ?? "";

  return (
    <Stack gap="lg">
      <title>{`${t("visitors.pageTitle")} · ${t("app.name")}`}</title>
      <Group justify="space-between" align="flex-end">
        <Stack gap={4}>
          <Title order={1} fz="h2">
            {t("visitors.pageTitle")}
          </Title>
          <Text c="dimmed">{t("visitors.description")}</Text>
        </Stack>
        {online.data && (
          <Group gap="xs">
            {online.data.items.map((item) => (
              <Badge key={item.inboxId} variant="light" size="lg" tt="none">
                {`${item.name}: ${item.visitors}`}
              </Badge>
            ))}
          </Group>
        )}
      </Group>
      <Card withBorder radius="md" padding="lg">
        {online.isPending && (
          <Stack gap="sm" aria-busy="true">
            {[1, 2, 3].map((row) => (
              <Skeleton key={row} height={36} />
            ))}
          </Stack>
        )}
        {online.isError && (
          <QueryErrorAlert
            title={t("visitors.loadFailed")}
            error={online.error}
            onRetry={() => void online.refetch()}
            isRetrying={online.isRefetching}
          />
        )}
        {online.isSuccess && online.data.visitors.length === 0 && (
          <EmptyState
            icon={<IconInbox size={28} />}
            withIndicatorBackground
            title={online.data.items.length === 0 ? t("visitors.noInboxTitle") : t("visitors.emptyTitle")}
            description={online.data.items.length === 0 ? t("visitors.noInboxBody") : t("visitors.emptyBody")}
            py="xl"
          />
        )}
        {online.isSuccess && online.data.visitors.length > 0 && (
          <Table.ScrollContainer minWidth={820}>
            <Table verticalSpacing="sm" highlightOnHover data-testid="visitors-table">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t("visitors.columns.visitor")}</Table.Th>
                  <Table.Th>{t("visitors.columns.page")}</Table.Th>
                  <Table.Th>{t("visitors.columns.time")}</Table.Th>
                  <Table.Th>{t("visitors.columns.location")}</Table.Th>
                  <Table.Th>{t("visitors.columns.device")}</Table.Th>
                  <Table.Th>{t("visitors.columns.source")}</Table.Th>
                  <Table.Th aria-label={t("visitors.columns.actions")} />
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {online.data.visitors.map((visitor) => {
                  const { visit } = visitor;
                  return (
                    <Table.Tr key={`${visitor.inboxId}:${visitor.visitorId}`}>
                      <Table.Td>
                        <Stack gap={0}>
                          <Group gap={4}>
                            <Text size="sm" fw={600}>
                              {contactDisplayName(visitor.contact, t)}
                            </Text>
                            {visitor.contact.isVerified && (
                              <Badge size="xs" color="teal" variant="light">
                                {t("visitors.verified")}
                              </Badge>
                            )}
                          </Group>
                          <Text size="xs" c="dimmed">
                            {visit
                              ? t("visitors.visitNumber", { number: visit.visitNumber, inbox: inboxName(visitor.inboxId) })
                              : inboxName(visitor.inboxId)}
                          </Text>
                        </Stack>
                      </Table.Td>
                      <Table.Td maw={260}>
                        {visit?.currentPage.url ? (
                          <Anchor href={visit.currentPage.url} target="_blank" rel="noopener noreferrer" size="sm" lineClamp={1}>
                            {visit.currentPage.title || visit.currentPage.url}
                          </Anchor>
                        ) : (
                          <Text size="sm" c="dimmed">
                            —
                          </Text>
                        )}
                      </Table.Td>
                      <Table.Td>
                        <Text size="sm">{visit ? formatElapsed(visit.startedAt, now, i18n.language) : "—"}</Text>
                      </Table.Td>
                      <Table.Td>
                        <Text size="sm">{visit ? (describeLocation(visit) ?? "—") : "—"}</Text>
                      </Table.Td>
                      <Table.Td>
                        <Text size="sm">{visit ? (describeDevice(visit) ?? "—") : "—"}</Text>
                      </Table.Td>
                      <Table.Td maw={200}>
                        <Text size="xs" lineClamp={2}>
                          {visit?.utm.utm_source ?? visit?.referrer ?? t("visitors.direct")}
                        </Text>
                      </Table.Td>
                      <Table.Td>
                        {canStart && (
                          <Button size="xs" variant="light" onClick={() => setChatWith(visitor)}>
                            {t("visitors.start")}
                          </Button>
                        )}
                      </Table.Td>
                    </Table.Tr>
                  );
                })}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
      </Card>
      {chatWith && <StartChatModal visitor={chatWith} onClose={() => setChatWith(null)} />}
    </Stack>
  );
};
