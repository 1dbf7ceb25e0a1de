import { Anchor, Badge, Card, Group, SimpleGrid, Stack, Text, Title } from "@mantine/core";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { useHasPermission, useRoleLabel } from "../../auth/hooks/use-permissions";
import { useSession } from "../../auth/hooks/use-session";
import { ConnectionStatusBadge } from "../../realtime/components/connection-status-badge";
import { useAgentSocket } from "../../realtime/hooks/use-agent-socket";

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
      <SimpleGrid cols={{ base: 1, sm: 3 }}>
        <Card withBorder radius="md" padding="lg">
          <Text size="xs" tt="uppercase" fw={700} c="dimmed">
            {t("overview.workspace")}
          </Text>
          <Text fz="lg" fw={600} mt={6} data-testid="overview-workspace-name">
            {workspace.name}
          </Text>
        </Card>
        <Card withBorder radius="md" padding="lg">
          <Text size="xs" tt="uppercase" fw={700} c="dimmed">
            {t("overview.role")}
          </Text>
          <Group mt={6}>
            <Badge size="lg" variant="light">
              {roleLabel(role)}
            </Badge>
          </Group>
          <Text size="xs" c="dimmed" mt="xs">
            {t("overview.signedInAs", { email: user.email })}
          </Text>
        </Card>
        <Card withBorder radius="md" padding="lg" data-testid="overview-connection">
          <Text size="xs" tt="uppercase" fw={700} c="dimmed">
            {t("realtime.label")}
          </Text>
          <Group mt={6}>
            <ConnectionStatusBadge />
          </Group>
          <Text size="xs" c="dimmed" mt="xs">
            {t(`realtime.${status}Hint`)}
          </Text>
        </Card>
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
