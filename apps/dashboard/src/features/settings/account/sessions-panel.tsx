import { Badge, Button, Group, Stack, Table, Text, Title } from "@mantine/core";
import type { TAccountSession } from "@parley/shared";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { QueryErrorAlert } from "../../../components/query-error-alert";
import { useFormatDateTime } from "../../../lib/use-format-date-time";
import { ListPagination, usePagedItems } from "../components/client-pagination";
import { ConfirmModal } from "../components/confirm-modal";
import { ListSkeleton } from "../components/list-states";
import { useNotifySaved } from "../lib/use-notify";
import { useEndOtherSessions, useEndSession, useSessions } from "./account-api";

const SIGN_IN_METHODS = ["password", "login_code", "sso", "signup", "invitation", "two_factor"] as const;
const isSignInMethod = (method: string): method is (typeof SIGN_IN_METHODS)[number] =>
  SIGN_IN_METHODS.some((known) => known === method);

const describeDevice = (session: TAccountSession, unknown: string) =>
  [session.browser, session.os, session.device].filter(Boolean).join(" · ") || unknown;

export const SessionsPanel = () => {
  const { t } = useTranslation();
  const notify = useNotifySaved();
  const formatDateTime = useFormatDateTime();
  const sessions = useSessions();
  const endOne = useEndSession();
  const endOthers = useEndOtherSessions();
  const [ending, setEnding] = useState<TAccountSession | null>(null);
  const [isEndingOthers, setIsEndingOthers] = useState(false);
  const items = sessions.data?.items ?? [];
  const paged = usePagedItems(items);
  const hasOthers = items.some((session) => !session.isCurrent);

  return (
    <Stack gap="md">
      <Group justify="space-between" align="flex-start">
        <Stack gap={4} maw={560}>
          <Title order={2} fz="h4">
            {t("settings.sessions.title")}
          </Title>
          <Text size="sm" c="dimmed">
            {t("settings.sessions.description")}
          </Text>
        </Stack>
        <Button color="red" variant="light" onClick={() => setIsEndingOthers(true)} disabled={!hasOthers}>
          {t("settings.sessions.endOthers")}
        </Button>
      </Group>
      {sessions.isPending && <ListSkeleton rows={2} />}
      {sessions.isError && (
        <QueryErrorAlert
          title={t("settings.sessions.loadFailed")}
          error={sessions.error}
          onRetry={() => void sessions.refetch()}
          isRetrying={sessions.isFetching}
        />
      )}
      {sessions.isSuccess && !hasOthers && (
        <Text size="sm" c="dimmed">
          {t("settings.sessions.empty")}
        </Text>
      )}
      {items.length > 0 && (
        <Table.ScrollContainer minWidth={680}>
          <Table verticalSpacing="sm" aria-label={t("settings.sessions.tableLabel")}>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t("settings.sessions.columns.device")}</Table.Th>
                <Table.Th>{t("settings.sessions.columns.ip")}</Table.Th>
                <Table.Th>{t("settings.sessions.columns.started")}</Table.Th>
                <Table.Th>{t("settings.sessions.columns.lastSeen")}</Table.Th>
                <Table.Th />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {paged.pageItems.map((session) => (
                <Table.Tr key={session.id} data-testid="account-session">
                  <Table.Td>
                    <Group gap={6}>
                      <Text size="sm">{describeDevice(session, t("settings.sessions.unknownBrowser"))}</Text>
                      {session.isCurrent && (
                        <Badge miw="fit-content" size="xs" variant="light" color="teal">
                          {t("settings.sessions.current")}
                        </Badge>
                      )}
                    </Group>
                    <Text size="xs" c="dimmed">
                      {t("settings.sessions.signedInWith", {
                        method: isSignInMethod(session.method)
                          ? t(`settings.sessions.methods.${session.method}`)
                          : session.method,
                      })}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm" dir="ltr">
                      {session.ip ?? "—"}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm">{formatDateTime(session.createdAt)}</Text>
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm">{formatDateTime(session.lastSeenAt)}</Text>
                  </Table.Td>
                  <Table.Td>
                    {!session.isCurrent && (
                      <Button size="xs" variant="subtle" color="red" onClick={() => setEnding(session)}>
                        {t("settings.sessions.end")}
                      </Button>
                    )}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      <ListPagination page={paged.page} pageCount={paged.pageCount} onChange={paged.setPage} />
      <ConfirmModal
        opened={ending !== null}
        title={t("settings.sessions.endTitle")}
        body={t("settings.sessions.endBody", {
          device: ending ? describeDevice(ending, t("settings.sessions.unknownBrowser")) : "",
        })}
        confirmLabel={t("settings.sessions.end")}
        onClose={() => {
          endOne.reset();
          setEnding(null);
        }}
        onConfirm={() =>
          ending &&
          endOne.mutate(ending.id, {
            onSuccess: () => {
              notify(t("settings.sessions.ended"));
              setEnding(null);
            },
          })
        }
        isPending={endOne.isPending}
        error={endOne.error}
      />
      <ConfirmModal
        opened={isEndingOthers}
        title={t("settings.sessions.endOthersTitle")}
        body={t("settings.sessions.endOthersBody")}
        confirmLabel={t("settings.sessions.endOthers")}
        onClose={() => {
          endOthers.reset();
          setIsEndingOthers(false);
        }}
        onConfirm={() =>
          endOthers.mutate(undefined, {
            onSuccess: (result) => {
              notify(t("settings.sessions.endOthersDone", { count: result.ended }));
              setIsEndingOthers(false);
            },
          })
        }
        isPending={endOthers.isPending}
        error={endOthers.error}
      />
    </Stack>
  );
};
