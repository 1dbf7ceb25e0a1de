import { Button, Group, Menu, Modal, Stack, Text, TextInput } from "@mantine/core";
import type { TConversation } from "@parley/shared";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { IconChevronDown } from "../../../components/icons";
import { useFormatDateTime } from "../../../lib/use-format-date-time";
import { snoozeConversation } from "../../inbox/api/conversations-api";
import { useConversationMutation } from "../hooks/use-conversation-actions";

const HOUR_MS = 3_600_000;

/** Presets in the agent's own time zone: in an hour, this evening, tomorrow morning, next Monday morning. */
const presets = (now: Date) => {
  const at = (days: number, hour: number) => {
    const date = new Date(now);
    date.setDate(date.getDate() + days);
    date.setHours(hour, 0, 0, 0);
    return date;
  };
  const daysToMonday = (8 - now.getDay()) % 7 || 7;
  return [
    { key: "oneHour", until: new Date(now.getTime() + HOUR_MS) },
    { key: "fourHours", until: new Date(now.getTime() + 4 * HOUR_MS) },
    { key: "tomorrow", until: at(1, 9) },
    { key: "nextWeek", until: at(daysToMonday, 9) },
  ] as const;
};

/** `datetime-local` wants local time without a zone: "2026-11-21T09:00". */
const toLocalInput = (date: Date) => {
  const pad = (value: number) => String(value).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
};

export const SnoozeMenu = ({ conversation }: { conversation: TConversation }) => {
  const { t } = useTranslation();
  const formatDateTime = useFormatDateTime();
  const [isCustomOpen, setCustomOpen] = useState(false);
  const [custom, setCustom] = useState(() => toLocalInput(new Date(Date.now() + 24 * HOUR_MS)));
  const [customError, setCustomError] = useState<string | null>(null);
  const snooze = useConversationMutation((until: string | null) => snoozeConversation(conversation.id, { until }), {
    successMessage: (changed) =>
      changed.snoozedUntil
        ? t("conversation.snooze.doneUntil", { time: formatDateTime(changed.snoozedUntil) })
        : t("conversation.snooze.doneUntilReply"),
  });

  const submitCustom = () => {
    const date = new Date(custom);
    if (Number.isNaN(date.getTime()) || date.getTime() <= Date.now()) {
      setCustomError(t("conversation.snooze.mustBeFuture"));
      return;
    }
    snooze.mutate(date.toISOString(), { onSuccess: () => setCustomOpen(false) });
  };

  return (
    <>
      <Menu withinPortal position="bottom-end">
        <Menu.Target>
          <Button size="xs" variant="default" rightSection={<IconChevronDown size={12} />} loading={snooze.isPending}>
            {t("conversation.snooze.button")}
          </Button>
        </Menu.Target>
        <Menu.Dropdown>
          {presets(new Date()).map((preset) => (
            <Menu.Item
              key={preset.key}
              onClick={() => snooze.mutate(preset.until.toISOString())}
              rightSection={
                <Text size="xs" c="dimmed">
                  {formatDateTime(preset.until.toISOString())}
                </Text>
              }
            >
              {t(`conversation.snooze.${preset.key}`)}
            </Menu.Item>
          ))}
          <Menu.Item onClick={() => snooze.mutate(null)}>{t("conversation.snooze.untilReply")}</Menu.Item>
          <Menu.Divider />
          <Menu.Item onClick={() => setCustomOpen(true)}>{t("conversation.snooze.custom")}</Menu.Item>
        </Menu.Dropdown>
      </Menu>
      <Modal opened={isCustomOpen} onClose={() => setCustomOpen(false)} title={t("conversation.snooze.customTitle")} centered>
        <Stack gap="sm">
          <TextInput
            type="datetime-local"
            label={t("conversation.snooze.customLabel")}
            value={custom}
            min={toLocalInput(new Date())}
            onChange={(event) => {
              setCustom(event.currentTarget.value);
              setCustomError(null);
            }}
            error={customError}
            data-autofocus
          />
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setCustomOpen(false)}>
              {t("common.cancel")}
            </Button>
            <Button onClick={submitCustom} loading={snooze.isPending}>
              {t("conversation.snooze.submit")}
            </Button>
          </Group>
        </Stack>
      </Modal>
    </>
  );
};
