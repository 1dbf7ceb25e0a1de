import { ActionIcon, Popover, Stack, Switch, Text, Tooltip } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { useErrorMessage } from "../../../lib/use-error-message";
import { IconBell } from "../../inbox/components/nav-icons";
import {
  type NotificationPreferences,
  useNotificationPreferences,
  useSaveNotificationPreferences,
} from "../api/notification-preferences";
import { canShowDesktopNotifications, requestDesktopPermission } from "../api/notify";

const KINDS = ["newConversation", "newMessage", "mention", "assignment"] as const;

/** Which alerts this member gets, with sound and desktop notifications (permission asked when switched on); saved to their account. */
export const NotificationsMenu = () => {
  const { t } = useTranslation();
  const preferences = useNotificationPreferences();
  const { save } = useSaveNotificationPreferences();
  const describeError = useErrorMessage();
  const [permission, setPermission] = useState(() => (canShowDesktopNotifications() ? Notification.permission : "unsupported"));
  const set = (changes: Partial<NotificationPreferences>) =>
    save(changes, {
      onError: (error) => notifications.show({ color: "red", title: t("preferences.saveFailed"), message: describeError(error) }),
    });

  const toggleDesktop = async (isOn: boolean) => {
    set({ desktop: isOn });
    if (isOn) setPermission(await requestDesktopPermission());
  };

  return (
    <Popover position="bottom-end" width={300} withinPortal shadow="md" trapFocus>
      <Popover.Target>
        <Tooltip label={t("notifications.title")}>
          <ActionIcon variant="default" size="lg" aria-label={t("notifications.title")} data-testid="notifications-menu">
            <IconBell />
          </ActionIcon>
        </Tooltip>
      </Popover.Target>
      <Popover.Dropdown>
        <Stack gap="xs">
          <Text fw={600} size="sm">
            {t("notifications.title")}
          </Text>
          <Switch
            label={t("notifications.sound")}
            checked={preferences.sound}
            onChange={(event) => set({ sound: event.currentTarget.checked })}
          />
          <Switch
            label={t("notifications.desktop")}
            checked={preferences.desktop && permission === "granted"}
            disabled={permission === "unsupported" || permission === "denied"}
            onChange={(event) => void toggleDesktop(event.currentTarget.checked)}
            description={
              permission === "denied"
                ? t("notifications.desktopDenied")
                : permission === "unsupported"
                  ? t("notifications.desktopUnsupported")
                  : permission === "default"
                    ? t("notifications.desktopAsk")
                    : undefined
            }
          />
          <Text size="xs" fw={600} c="dimmed" mt="xs">
            {t("notifications.when")}
          </Text>
          {KINDS.map((kind) => (
            <Switch
              key={kind}
              size="sm"
              label={t(`notifications.kinds.${kind}`)}
              checked={preferences[kind]}
              onChange={(event) => set({ [kind]: event.currentTarget.checked })}
            />
          ))}
          <Text size="xs" c="dimmed">
            {t("preferences.synced")}
          </Text>
        </Stack>
      </Popover.Dropdown>
    </Popover>
  );
};
