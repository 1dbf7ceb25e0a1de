import { Badge, Button, Group, Stack, Text, Title } from "@mantine/core";
import type { TAccountSession } from "@parley/shared";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { useFormatDateTime } from "../../../lib/use-format-date-time";
import { ConfirmItemModal, ConfirmModal } from "../components/confirm-modal";
import { SettingsTable } from "../components/settings-table";
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
  const hasOthers = (sessions.data?.items ?? []).some((session) => !session.isCurrent);

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
      <SettingsTable
        query={sessions}
        label={t("settings.sessions.tableLabel")}
        empty={{ title: t("settings.sessions.empty.title"), description: t("settings.sessions.empty.description") }}
        minWidth={680}
        rowTestId="account-session"
        withCard={false}
        columns={[
          {
            header: t("settings.sessions.columns.device"),
            cell: (session) => (
              <>
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
                    method: isSignInMethod(session.method) ? t(`settings.sessions.methods.${session.method}`) : session.method,
                  })}
                </Text>
              </>
            ),
          },
          {
            header: t("settings.sessions.columns.ip"),
            cell: (session) => (
              <Text size="sm" dir="ltr">
                {session.ip ?? "—"}
              </Text>
            ),
          },
          {
            header: t("settings.sessions.columns.started"),
            cell: (session) => <Text size="sm">{formatDateTime(session.createdAt)}</Text>,
          },
          {
            header: t("settings.sessions.columns.lastSeen"),
            cell: (session) => <Text size="sm">{formatDateTime(session.lastSeenAt)}</Text>,
          },
          {
            header: t("settings.common.actions"),
            cell: (session) =>
              !session.isCurrent && (
                <Button size="xs" variant="subtle" color="red" onClick={() => setEnding(session)}>
                  {t("settings.sessions.end")}
                </Button>
              ),
          },
        ]}
      />
      <ConfirmItemModal
        item={ending}
        title={t("settings.sessions.endTitle")}
        body={t("settings.sessions.endBody", {
          device: ending ? describeDevice(ending, t("settings.sessions.unknownBrowser")) : "",
        })}
        confirmLabel={t("settings.sessions.end")}
        mutation={endOne}
        doneMessage={t("settings.sessions.ended")}
        onClose={() => setEnding(null)}
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
