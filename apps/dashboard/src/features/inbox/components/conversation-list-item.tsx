import { Avatar, Badge, Box, Checkbox, Group, Stack, Text, Tooltip, UnstyledButton } from "@mantine/core";
import type { TConversation } from "@parley/shared";
import { memo } from "react";
import { useTranslation } from "react-i18next";
import { MemberAvatar } from "../../../components/member-avatar";
import { contactDisplayName, formatElapsed, initialsOf } from "../lib/format";
import { ChannelIcon } from "./channel-icon";
import classes from "./inbox.module.css";

export const PRIORITY_COLORS: Record<TConversation["priority"], string> = {
  low: "gray",
  medium: "blue",
  high: "orange",
  urgent: "red",
};

/** The latest exchanged message on one line; null when it has no text (an attachment) or there is none yet. */
const previewOf = (conversation: TConversation): string | null => {
  const text = conversation.lastMessage?.text.trim().replace(/\s+/g, " ") ?? "";
  return text === "" ? null : text.slice(0, 140);
};

type Props = {
  conversation: TConversation;
  isActive: boolean;
  isSelected: boolean;
  canSelect: boolean;
  assignee: { name: string; avatarUrl: string | null } | null;
  now: number;
  onOpen: (id: string) => void;
  onToggleSelected: (id: string) => void;
};

export const ConversationListItem = memo(
  ({ conversation, isActive, isSelected, canSelect, assignee, now, onOpen, onToggleSelected }: Props) => {
    const { t, i18n } = useTranslation();
    const name = contactDisplayName(conversation.contact, t);
    const isUnread = conversation.unreadCount > 0;
    return (
      <Box
        className={classes.listItem}
        data-active={isActive || undefined}
        data-unread={isUnread || undefined}
        data-testid="conversation-list-item"
        data-conversation-id={conversation.id}
      >
        {canSelect && (
          <Checkbox
            size="xs"
            mt={6}
            checked={isSelected}
            onChange={() => onToggleSelected(conversation.id)}
            aria-label={t("inbox.list.select", { name })}
          />
        )}
        <UnstyledButton
          className={classes.listItemButton}
          onClick={() => onOpen(conversation.id)}
          aria-current={isActive ? "true" : undefined}
          aria-label={t("inbox.list.open", { name, number: conversation.number })}
        >
          <Group gap="sm" wrap="nowrap" align="flex-start">
            <Avatar src={conversation.contact.avatarUrl} radius="xl" size="md" color="blue" alt="">
              {initialsOf(name)}
            </Avatar>
            <Stack gap={2} miw={0} style={{ flex: 1 }}>
              <Group gap={6} wrap="nowrap" justify="space-between">
                <Group gap={6} wrap="nowrap" miw={0}>
                  <ChannelIcon type={conversation.inbox.type} label={t(`inbox.channels.${conversation.inbox.type}`)} />
                  <Text size="sm" fw={isUnread ? 700 : 500} truncate="end">
                    {name}
                  </Text>
                </Group>
                {conversation.lastActivityAt && (
                  <Text size="xs" c="dimmed" style={{ flexShrink: 0 }}>
                    {formatElapsed(conversation.lastActivityAt, now, i18n.language)}
                  </Text>
                )}
              </Group>
              <Text
                size="xs"
                c={isUnread ? undefined : "dimmed"}
                fw={isUnread ? 600 : 400}
                lineClamp={1}
                data-testid="conversation-preview"
                dir="auto"
              >
                {previewOf(conversation) ??
                  (conversation.lastMessage
                    ? t("inbox.list.attachmentPreview")
                    : t("inbox.list.noPreview", { number: conversation.number, inbox: conversation.inbox.name }))}
              </Text>
              <Group gap={6} wrap="nowrap">
                {assignee && <MemberAvatar name={assignee.name} avatarUrl={assignee.avatarUrl} size={16} />}
                <Text size="xs" c="dimmed" truncate="end" style={{ flex: 1 }}>
                  {`#${conversation.number} · ${assignee?.name ?? t("inbox.list.unassigned")}`}
                </Text>
                {conversation.waitingSince && (
                  <Tooltip label={t("inbox.list.waitingHint")}>
                    <Badge size="xs" variant="light" color="yellow">
                      {t("inbox.list.waiting", { time: formatElapsed(conversation.waitingSince, now, i18n.language) })}
                    </Badge>
                  </Tooltip>
                )}
                {(conversation.priority === "high" || conversation.priority === "urgent") && (
                  <Badge size="xs" variant="light" color={PRIORITY_COLORS[conversation.priority]}>
                    {t(`conversation.priority.${conversation.priority}`)}
                  </Badge>
                )}
                {isUnread && (
                  <Badge
                    size="xs"
                    circle
                    color="blue"
                    data-testid="unread-badge"
                    aria-label={t("inbox.list.unread", { count: conversation.unreadCount })}
                  >
                    {conversation.unreadCount}
                  </Badge>
                )}
              </Group>
            </Stack>
          </Group>
        </UnstyledButton>
      </Box>
    );
  },
);
