import { AppShell, Box, Burger, Divider, Group, Text } from "@mantine/core";
import { useDisclosure } from "@mantine/hooks";
import { Suspense } from "react";
import { useTranslation } from "react-i18next";
import { Link, Outlet } from "react-router";
import { PageLoader } from "../../../components/page-loader";
import { useSession } from "../../auth/hooks/use-session";
import { GlobalShortcuts, HeaderNotifications, HeaderPresence } from "../../inbox/components/header-tools";
import { ConnectionStatusBadge } from "../../realtime/components/connection-status-badge";
import { MainNav } from "./main-nav";
import { UserMenu } from "./user-menu";

export const AppLayout = () => {
  const { t } = useTranslation();
  const { workspace } = useSession();
  const [isNavOpen, { toggle: toggleNav, close: closeNav }] = useDisclosure(false);

  return (
    <AppShell header={{ height: 56 }} navbar={{ width: 240, breakpoint: "sm", collapsed: { mobile: !isNavOpen } }} padding="lg">
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group gap="sm" wrap="nowrap" miw={0}>
            <Burger opened={isNavOpen} onClick={toggleNav} hiddenFrom="sm" size="sm" aria-label={t("shell.toggleNavigation")} />
            <Text component={Link} to="/" fw={800} c="blue" td="none">
              {t("app.name")}
            </Text>
            <Divider orientation="vertical" />
            <Text fw={600} truncate="end" data-testid="workspace-name">
              {workspace.name}
            </Text>
          </Group>
          <Group gap="sm" wrap="nowrap">
            {/* On phones the overview shows the connection instead, leaving room for the workspace name. */}
            <Box visibleFrom="sm">
              <ConnectionStatusBadge />
            </Box>
            <HeaderPresence />
            <HeaderNotifications />
            <UserMenu />
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="sm" aria-label={t("shell.nav.label")}>
        <MainNav onNavigate={closeNav} />
      </AppShell.Navbar>
      <GlobalShortcuts />
      <AppShell.Main>
        <Suspense fallback={<PageLoader />}>
          <Outlet />
        </Suspense>
      </AppShell.Main>
    </AppShell>
  );
};
