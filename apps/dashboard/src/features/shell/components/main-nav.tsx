import { NavLink, Stack } from "@mantine/core";
import type { Permission } from "@parley/shared";
import type { ComponentType } from "react";
import { useTranslation } from "react-i18next";
import { Link, useLocation } from "react-router";
import { IconAlertTriangle, IconHome, IconInbox, IconSettings } from "../../../components/icons";
import { useHasPermission } from "../../auth/hooks/use-permissions";
import { IconChats, IconSearch, IconVisitors } from "../../inbox/components/nav-icons";

type NavItem = {
  to: string;
  labelKey:
    | "shell.nav.overview"
    | "shell.nav.settings"
    | "shell.nav.failedJobs"
    | "inbox.pageTitle"
    | "search.pageTitle"
    | "visitors.pageTitle"
    | "internalChats.pageTitle";
  Icon: ComponentType;
  /** Shown only to members whose role grants it. */
  permission?: Permission;
};

const NAV_ITEMS: readonly NavItem[] = [
  { to: "/", labelKey: "shell.nav.overview", Icon: IconHome },
  { to: "/inbox", labelKey: "inbox.pageTitle", Icon: IconInbox },
  { to: "/search", labelKey: "search.pageTitle", Icon: IconSearch },
  { to: "/visitors", labelKey: "visitors.pageTitle", Icon: IconVisitors },
  { to: "/chats", labelKey: "internalChats.pageTitle", Icon: IconChats },
  // Every member has a profile, so Settings is always shown; its menu lists what their role allows.
  { to: "/settings", labelKey: "shell.nav.settings", Icon: IconSettings },
  { to: "/admin/failed-jobs", labelKey: "shell.nav.failedJobs", Icon: IconAlertTriangle, permission: "jobs.manage" },
];

const isActive = (pathname: string, to: string) => (to === "/" ? pathname === "/" : pathname.startsWith(to));

export const MainNav = ({ onNavigate }: { onNavigate: () => void }) => {
  const { t } = useTranslation();
  const hasPermission = useHasPermission();
  const { pathname } = useLocation();
  const items = NAV_ITEMS.filter((item) => item.permission === undefined || hasPermission(item.permission));
  return (
    <Stack gap={4}>
      {items.map(({ to, labelKey, Icon }) => {
        const active = isActive(pathname, to);
        return (
          <NavLink
            key={to}
            component={Link}
            to={to}
            label={t(labelKey)}
            leftSection={<Icon />}
            active={active}
            aria-current={active ? "page" : undefined}
            onClick={onNavigate}
          />
        );
      })}
    </Stack>
  );
};
