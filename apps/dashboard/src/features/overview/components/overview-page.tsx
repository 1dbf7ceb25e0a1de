import { Anchor, Badge, Card, Group, SimpleGrid, Skeleton, Stack, Text, Title } from "@mantine/core";
import { CONVERSATION_VIEWS } from "@parley/shared";
import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { useHasPermission, useRoleLabel } from "../../auth/hooks/use-permissions";
import { useSession } from "../../auth/hooks/use-session";
import { useConversationCounts } from "../../inbox/hooks/use-conversation-list";
import { usePresenceList } from "../../inbox/hooks/use-directory";
import { viewToSegment } from "../../inbox/lib/inbox-views";
import { ConnectionStatusBadge } from "../../realtime/components/connection-status-badge";
import { useAgentSocket } from "../../realtime/hooks/use-agent-socket";
import { useVisitorsOnline } from "../../visitors/api/visitors-api";

/** One card of the overview: a small capitalised title over its content. */
const OverviewCard = ({ title, testId, children }: { title: string; testId?: string; children: ReactNode }) => (
  <Card withBorder radius="md" padding="lg" data-testid={testId}>
    <Text size="xs" tt="uppercase" fw={700} c="dimmed">
      {title}
    </Text>
    {children}
  </Card>
);

/** A figure that is loading shows a placeholder, one that failed a dash: never a made-up zero. */
const Figure = ({ value, testId }: { value: string | number | undefined; testId: string }) =>
  value === undefined ? (
    <Skeleton height={28} width={48} mt={6} />
  ) : (
    <Text fz={28} fw={700} lh={1.2} mt={6} data-testid={testId}>
      {value}
    </Text>
  );

/** What is going on now: conversations waiting by view, who of the team is online, visitors on the sites. Each kept live by the socket. */
const RightNow = () => {
  const { t } = useTranslation();
  const counts = useConversationCounts();
  const presence = usePresenceList();
  const visitors = useVisitorsOnline();
  const members = presence.data?.items;
  const online = members?.filter((member) => member.status === "online").length;
  return (
    <Stack gap="xs">
      <Title order={2} fz="h4">
        {t("overview.rightNow")}
      </Title>
      <SimpleGrid cols={{ base: 1, sm: 3 }}>
        <OverviewCard title={t("overview.openConversations")}>
          <SimpleGrid cols={3} mt={4}>
            {CONVERSATION_VIEWS.filter((view) => view !== "mentions").map((view) => (
              <Anchor key={view} component={Link} to={`/inbox/${viewToSegment({ kind: "view", view })}`} underline="never">
                <Figure value={counts.isError ? "—" : counts.data?.[view]} testId={`overview-count-${view}`} />
                <Text size="xs" c="dimmed">
                  {t(`inbox.views.${view}`)}
                </Text>
              </Anchor>
            ))}
          </SimpleGrid>
        </OverviewCard>
        <OverviewCard title={t("overview.teamOnline")}>
          <Figure
            value={
              presence.isError
                ? "—"
                : members && online !== undefined
                  ? t("overview.teamOnlineValue", { online, total: members.length })
                  : undefined
            }
            testId="overview-team-online"
          />
        </OverviewCard>
        <OverviewCard title={t("overview.visitorsOnSites")}>
          <Anchor component={Link} to="/visitors" underline="never">
            <Figure value={visitors.isError ? "—" : visitors.data?.total} testId="overview-visitors" />
          </Anchor>
        </OverviewCard>
      </SimpleGrid>
    </Stack>
  );
};

export const OverviewPage = () => {
  const { t } = useTranslation();
  const { user, workspace, role } = useSession();
  const { status } = useAgentSocket();
  const hasPermission = useHasPermission();
  const roleLabel = useRoleLabel();
  const canManageSettings = hasPermission("settings.manage");
  const canManageJobs = hasPermission("jobs.manage");
  const firstName = user.name.split(/\s+/)[0] ?? user.name;

  return (
    <Stack gap="lg" maw={960}>
      <title>{`${t("overview.pageTitle")} · ${t("app.name")}`}</title>
      <Stack gap={4}>
        <Title order={1} fz="h2">
          {t("overview.greeting", { name: firstName })}
        </Title>
        <Text c="dimmed">{t("overview.intro")}</Text>
      </Stack>
      <RightNow />
      <SimpleGrid cols={{ base: 1, sm: 3 }}>
        <OverviewCard title={t("overview.workspace")}>
          <Text fz="lg" fw={600} mt={6} data-testid="overview-workspace-name">
            {workspace.name}
          </Text>
        </OverviewCard>
        <OverviewCard title={t("overview.role")}>
          <Group mt={6}>
            <Badge size="lg" variant="light">
              {roleLabel(role)}
            </Badge>
          </Group>
          <Text size="xs" c="dimmed" mt="xs">
            {t("overview.signedInAs", { email: user.email })}
          </Text>
        </OverviewCard>
        <OverviewCard title={t("realtime.label")} testId="overview-connection">
          <Group mt={6}>
            <ConnectionStatusBadge />
          </Group>
          <Text size="xs" c="dimmed" mt="xs">
            {t(`realtime.${status}Hint`)}
          </Text>
        </OverviewCard>
      </SimpleGrid>
      {(canManageSettings || canManageJobs) && (
        <Card withBorder radius="md" padding="lg">
          <Text fw={600}>{t("overview.adminTitle")}</Text>
          <Text size="sm" c="dimmed" mt={4}>
            {t("overview.adminHint")}
          </Text>
          <Group mt="sm" gap="lg">
            {canManageSettings && (
              <Anchor component={Link} to="/settings/workspace" size="sm">
                {t("shell.nav.workspaceSettings")}
              </Anchor>
            )}
            {canManageJobs && (
              <Anchor component={Link} to="/admin/failed-jobs" size="sm">
                {t("shell.nav.failedJobs")}
              </Anchor>
            )}
          </Group>
        </Card>
      )}
    </Stack>
  );
};
