import { Button, Group, Indicator, Menu, NumberInput, Stack, Text } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { type TPresenceStatus, ZPresenceStatus } from "@parley/shared";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { IconChevronDown } from "../../../components/icons";
import { useErrorMessage } from "../../../lib/use-error-message";
import { useSession } from "../../auth/hooks/use-session";
import { usePresenceList } from "../../inbox/hooks/use-directory";
import { applyPresence, setMyPresence } from "../api/presence-api";

export const PRESENCE_COLORS: Record<TPresenceStatus, string> = { online: "teal", away: "yellow", busy: "red", offline: "gray" };

/** The agent's availability (auto-assignment follows it) and how many open conversations they take at most. */
export const PresenceSwitcher = () => {
  const { t } = useTranslation();
  const { user } = useSession();
  const queryClient = useQueryClient();
  const describeError = useErrorMessage();
  const presence = usePresenceList();
  const mine = presence.data?.items.find((item) => item.userId === user.id);
  const status: TPresenceStatus = mine?.status ?? "offline";
  const [capacity, setCapacity] = useState<string | number>("");
  const update = useMutation({
    mutationFn: setMyPresence,
    onSuccess: (next) => applyPresence(queryClient, next),
    onError: (error) => notifications.show({ color: "red", title: t("presence.failed"), message: describeError(error) }),
  });

  return (
    <Menu position="bottom-end" width={240} withinPortal onOpen={() => setCapacity(mine?.maxConcurrent ?? "")} closeOnItemClick>
      <Menu.Target>
        <Button
          size="xs"
          variant="default"
          rightSection={<IconChevronDown size={12} />}
          leftSection={
            <Indicator
              color={PRESENCE_COLORS[status]}
              size={10}
              position="middle-center"
              processing={status === "online"}
              inline
            />
          }
          aria-label={t("presence.label", { status: t(`presence.status.${status}`) })}
          loading={update.isPending}
          data-testid="presence-switcher"
          data-status={status}
        >
          <Text size="xs" visibleFrom="md">
            {t(`presence.status.${status}`)}
          </Text>
        </Button>
      </Menu.Target>
      <Menu.Dropdown>
        <Menu.Label>{t("presence.title")}</Menu.Label>
        {ZPresenceStatus.options.map((option) => (
          <Menu.Item
            key={option}
            leftSection={<Indicator color={PRESENCE_COLORS[option]} size={10} position="middle-center" inline />}
            onClick={() => update.mutate({ status: option })}
            aria-current={option === status ? "true" : undefined}
            fw={option === status ? 700 : undefined}
          >
            <Stack gap={0}>
              <Text size="sm">{t(`presence.status.${option}`)}</Text>
              <Text size="xs" c="dimmed">
                {t(`presence.hints.${option}`)}
              </Text>
            </Stack>
          </Menu.Item>
        ))}
        <Menu.Divider />
        <Stack gap={4} p="xs">
          <NumberInput
            size="xs"
            label={t("presence.capacity")}
            description={t("presence.capacityHint")}
            min={1}
            max={1000}
            value={capacity}
            onChange={setCapacity}
            allowDecimal={false}
          />
          <Group justify="flex-end">
            <Button
              size="compact-xs"
              variant="light"
              onClick={() => update.mutate({ status, maxConcurrent: typeof capacity === "number" ? capacity : null })}
            >
              {t("presence.saveCapacity")}
            </Button>
          </Group>
        </Stack>
      </Menu.Dropdown>
    </Menu>
  );
};
