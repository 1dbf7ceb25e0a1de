import { AppShell, Container, Divider, Group, Text } from "@mantine/core";
import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { useSession } from "../../auth/hooks/use-session";
import { UserMenu } from "../../shell/components/user-menu";

/** The shell of a restricted session: no navigation (nothing else is reachable), but the user menu and its log out stay. */
export const RestrictedSessionLayout = ({ children }: { children: ReactNode }) => {
  const { t } = useTranslation();
  const { workspace } = useSession();
  return (
    <AppShell header={{ height: 56 }} padding="lg">
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group gap="sm" wrap="nowrap" miw={0}>
            <Text fw={800} c="blue">
              {t("app.name")}
            </Text>
            <Divider orientation="vertical" />
            <Text fw={600} truncate="end" data-testid="workspace-name">
              {workspace.name}
            </Text>
          </Group>
          <UserMenu />
        </Group>
      </AppShell.Header>
      <AppShell.Main>
        <Container size={520} py="md">
          {children}
        </Container>
      </AppShell.Main>
    </AppShell>
  );
};
