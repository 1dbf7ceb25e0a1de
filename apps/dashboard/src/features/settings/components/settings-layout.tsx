import { Box, Group, NavLink, Stack, Text } from "@mantine/core";
import { Suspense } from "react";
import { useTranslation } from "react-i18next";
import { Link, Navigate, Outlet, useLocation } from "react-router";
import { PageLoader } from "../../../components/page-loader";
import { useHasPermission } from "../../auth/hooks/use-permissions";
import { SETTINGS_SECTIONS, type SettingsSection } from "../lib/settings-sections";

const useVisibleSections = (): SettingsSection[] => {
  const hasPermission = useHasPermission();
  return SETTINGS_SECTIONS.filter((section) => section.permission === undefined || hasPermission(section.permission));
};

/** `/settings` itself: the first section this member may open. */
export const SettingsIndexRedirect = () => {
  const [first] = useVisibleSections();
  return <Navigate to={first?.path ?? "/settings/profile"} replace />;
};

export const SettingsLayout = () => {
  const { t } = useTranslation();
  const { pathname } = useLocation();
  const sections = useVisibleSections();
  const groups = (["workspace", "account"] as const)
    .map((group) => ({ group, items: sections.filter((section) => section.group === group) }))
    .filter(({ items }) => items.length > 0);

  return (
    <Group align="flex-start" gap="lg" wrap="wrap">
      <Box component="nav" aria-label={t("settings.nav.label")} w={190}>
        <Stack gap="md">
          {groups.map(({ group, items }) => (
            <Stack key={group} gap={2}>
              <Text size="xs" fw={700} c="dimmed" tt="uppercase" px="sm">
                {t(`settings.nav.${group}`)}
              </Text>
              {items.map((section) => {
                const active = pathname === section.path || pathname.startsWith(`${section.path}/`);
                return (
                  <NavLink
                    key={section.path}
                    component={Link}
                    to={section.path}
                    label={t(`settings.nav.${section.labelKey}`)}
                    active={active}
                    aria-current={active ? "page" : undefined}
                  />
                );
              })}
            </Stack>
          ))}
        </Stack>
      </Box>
      <Box style={{ flex: 1, minWidth: 0 }} miw={300}>
        <Suspense fallback={<PageLoader />}>
          <Outlet />
        </Suspense>
      </Box>
    </Group>
  );
};
