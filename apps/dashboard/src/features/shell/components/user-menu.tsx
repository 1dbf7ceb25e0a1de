import { Group, Menu, Text, UnstyledButton, useComputedColorScheme, useMantineColorScheme } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { useTranslation } from "react-i18next";
import { useNavigate } from "react-router";
import { IconCheck, IconChevronDown, IconLogout, IconMoon, IconSun } from "../../../components/icons";
import { MemberAvatar } from "../../../components/member-avatar";
import { LANGUAGE_NAMES, LANGUAGES } from "../../../i18n/i18n";
import { useErrorMessage } from "../../../lib/use-error-message";
import { useLogout } from "../../auth/hooks/use-auth-mutations";
import { useRoleLabel } from "../../auth/hooks/use-permissions";
import { useSession } from "../../auth/hooks/use-session";
import { useLanguage } from "../../preferences/hooks/use-language";

export const UserMenu = () => {
  const { t } = useTranslation();
  const { user, role } = useSession();
  const roleLabel = useRoleLabel();
  const navigate = useNavigate();
  const logout = useLogout();
  const describeError = useErrorMessage();
  const { language, setLanguage } = useLanguage();
  const { setColorScheme } = useMantineColorScheme();
  const colorScheme = useComputedColorScheme("light");
  const isDark = colorScheme === "dark";

  const handleLogout = () => {
    logout.mutate(undefined, {
      onSuccess: () => {
        notifications.clean();
        navigate("/login", { replace: true });
      },
      onError: (error) =>
        notifications.show({ color: "red", title: t("shell.userMenu.logOutFailed"), message: describeError(error) }),
    });
  };

  return (
    <Menu position="bottom-end" width={260} shadow="md" withinPortal>
      <Menu.Target>
        <UnstyledButton aria-label={t("shell.userMenu.label")} data-testid="user-menu">
          <Group gap="xs" wrap="nowrap">
            <MemberAvatar name={user.name} avatarUrl={user.avatarUrl} size="sm" data-testid="user-menu-avatar" />
            <Text size="sm" fw={500} visibleFrom="sm" maw={160} truncate="end">
              {user.name}
            </Text>
            <IconChevronDown size={14} />
          </Group>
        </UnstyledButton>
      </Menu.Target>
      <Menu.Dropdown>
        <Menu.Label>
          <Text size="sm" fw={600} c="var(--mantine-color-text)" truncate="end">
            {user.name}
          </Text>
          <Text size="xs" c="dimmed" truncate="end">
            {user.email}
          </Text>
          <Text size="xs" c="dimmed">
            {roleLabel(role)}
          </Text>
        </Menu.Label>
        <Menu.Divider />
        <Menu.Label>{t("shell.userMenu.appearance")}</Menu.Label>
        <Menu.Item
          leftSection={isDark ? <IconSun size={16} /> : <IconMoon size={16} />}
          onClick={() => setColorScheme(isDark ? "light" : "dark")}
        >
          {isDark ? t("shell.userMenu.lightMode") : t("shell.userMenu.darkMode")}
        </Menu.Item>
        <Menu.Divider />
        <Menu.Label>{t("shell.userMenu.language")}</Menu.Label>
        {/* Twenty-three languages: they scroll within the menu, so the items below stay in reach. */}
        <div style={{ maxHeight: 220, overflowY: "auto" }}>
          {LANGUAGES.map((option) => (
            <Menu.Item
              key={option}
              lang={option}
              onClick={() => setLanguage(option)}
              rightSection={option === language ? <IconCheck size={16} /> : null}
              aria-current={option === language ? "true" : undefined}
            >
              {LANGUAGE_NAMES[option]}
            </Menu.Item>
          ))}
        </div>
        <Menu.Divider />
        <Menu.Item
          color="red"
          leftSection={<IconLogout size={16} />}
          onClick={handleLogout}
          disabled={logout.isPending}
          closeMenuOnClick={false}
        >
          {t("shell.userMenu.logOut")}
        </Menu.Item>
      </Menu.Dropdown>
    </Menu>
  );
};
