import { ActionIcon, Avatar, Badge, Box, Button, Group, Menu, Stack, Text, Title, Tooltip } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { CONVERSATION_PRIORITIES, type TConversation } from "@parley/shared";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { IconChevronDown } from "../../../components/icons";
import { MemberAvatar } from "../../../components/member-avatar";
import { useErrorMessage } from "../../../lib/use-error-message";
import { useHasPermission } from "../../auth/hooks/use-permissions";
import { applyContact, setContactBlocked } from "../../contacts/api/contacts-api";
import { changeStatus, claimConversation, markConversationUnread, updateConversation } from "../../inbox/api/conversations-api";
import { PRIORITY_COLORS } from "../../inbox/components/conversation-list-item";
import { IconDots, IconSidebar } from "../../inbox/components/nav-icons";
import { useAgents } from "../../inbox/hooks/use-directory";
import { useShortcut } from "../../inbox/hooks/use-shortcut";
import { contactDisplayName, initialsOf } from "../../inbox/lib/format";
import { useConversationMutation } from "../hooks/use-conversation-actions";
import { AssignModal } from "./assign-modal";
import { ConfirmDialog } from "./confirm-dialog";
import { LabelsPicker } from "./labels-picker";
import { SnoozeMenu } from "./snooze-menu";
import { TranscriptModal } from "./transcript-modal";

export const STATUS_COLORS: Record<TConversation["status"], string> = {
  pending: "yellow",
  open: "blue",
  snoozed: "grape",
  resolved: "teal",
  closed: "gray",
};

type Props = {
  conversation: TConversation;
  isContactPanelOpen: boolean;
  onToggleContactPanel: () => void;
  onBack: () => void;
};

export const ConversationHeader = ({ conversation, isContactPanelOpen, onToggleContactPanel, onBack }: Props) => {
  const { t } = useTranslation();
  const hasPermission = useHasPermission();
  const describeError = useErrorMessage();
  const queryClient = useQueryClient();
  const { agentOf } = useAgents();
  const assignee = agentOf(conversation.assigneeId);
  const [dialog, setDialog] = useState<"assign" | "transcript" | "close" | "block" | null>(null);
  const name = contactDisplayName(conversation.contact, t);

  const status = useConversationMutation(
    (next: "open" | "pending" | "resolved" | "closed") => changeStatus(conversation.id, { status: next }),
    {
      successMessage: (changed) => t(`conversation.statusChanged.${changed.status}`),
    },
  );
  const priority = useConversationMutation((next: TConversation["priority"]) =>
    updateConversation(conversation.id, { priority: next }),
  );
  const claim = useConversationMutation(() => claimConversation(conversation.id), {
    successMessage: () => t("conversation.actions.claimed"),
  });
  const unread = useConversationMutation(() => markConversationUnread(conversation.id), {
    keepUnread: true,
    successMessage: () => t("conversation.actions.markedUnread"),
  });
  const block = useMutation({
    mutationFn: () => setContactBlocked(conversation.contact.id, true),
    onSuccess: (contact) => {
      applyContact(queryClient, contact);
      notifications.show({ color: "teal", message: t("conversation.actions.blocked", { name }) });
      setDialog(null);
    },
    onError: (error) =>
      notifications.show({ color: "red", title: t("conversation.actions.failed"), message: describeError(error) }),
  });

  const isDone = conversation.status === "resolved" || conversation.status === "closed";
  const canAssign = hasPermission("conversations.assign");
  useShortcut("e", () => {
    if (!isDone && !status.isPending) status.mutate("resolved");
  });
  useShortcut("u", () => unread.mutate(undefined));
  useShortcut("a", () => canAssign && setDialog("assign"));

  return (
    <Box p="sm" style={{ borderBottom: "1px solid var(--mantine-color-default-border)" }}>
      <Stack gap="xs">
        <Group gap="sm" wrap="nowrap" align="flex-start">
          <Button size="compact-xs" variant="subtle" hiddenFrom="sm" onClick={onBack}>
            {t("conversation.back")}
          </Button>
          <Avatar src={conversation.contact.avatarUrl} radius="xl" color="blue" alt="">
            {initialsOf(name)}
          </Avatar>
          <Stack gap={2} miw={0} style={{ flex: 1 }}>
            <Group gap={6} wrap="nowrap" miw={0}>
              <Title order={2} fz="md" lineClamp={1} data-testid="conversation-title">
                {name}
              </Title>
              <Badge
                size="sm"
                color={STATUS_COLORS[conversation.status]}
                variant="light"
                data-testid="conversation-status"
                style={{ flexShrink: 0 }}
              >
                {t(`conversation.status.${conversation.status}`)}
              </Badge>
            </Group>
            <Group gap={4} wrap="nowrap">
              {assignee && <MemberAvatar name={assignee.name} avatarUrl={assignee.avatarUrl} size={16} />}
              <Text size="xs" c="dimmed" lineClamp={1}>
                {`#${conversation.number} · ${conversation.inbox.name} · `}
                <span data-testid="conversation-assignee">{assignee?.name ?? t("inbox.list.unassigned")}</span>
              </Text>
            </Group>
          </Stack>
          <Tooltip label={isContactPanelOpen ? t("contacts.panel.hide") : t("contacts.panel.show")}>
            <ActionIcon
              variant={isContactPanelOpen ? "light" : "default"}
              size="md"
              onClick={onToggleContactPanel}
              aria-label={isContactPanelOpen ? t("contacts.panel.hide") : t("contacts.panel.show")}
              aria-pressed={isContactPanelOpen}
            >
              <IconSidebar />
            </ActionIcon>
          </Tooltip>
        </Group>
        <LabelsPicker conversation={conversation} />
        <Group gap={6} wrap="wrap">
          {!canAssign && conversation.assigneeId === null && (
            <Button size="xs" variant="light" onClick={() => claim.mutate(undefined)} loading={claim.isPending}>
              {t("conversation.actions.claim")}
            </Button>
          )}
          {canAssign && (
            <Button size="xs" variant="default" onClick={() => setDialog("assign")}>
              {conversation.assigneeId ? t("conversation.actions.transfer") : t("conversation.actions.assign")}
            </Button>
          )}
          <Menu withinPortal position="bottom-end">
            <Menu.Target>
              <Button
                size="xs"
                variant="default"
                color={PRIORITY_COLORS[conversation.priority]}
                rightSection={<IconChevronDown size={12} />}
                loading={priority.isPending}
                aria-label={t("conversation.priority.label", { priority: t(`conversation.priority.${conversation.priority}`) })}
              >
                {t(`conversation.priority.${conversation.priority}`)}
              </Button>
            </Menu.Target>
            <Menu.Dropdown>
              <Menu.Label>{t("conversation.priority.title")}</Menu.Label>
              {CONVERSATION_PRIORITIES.map((value) => (
                <Menu.Item key={value} onClick={() => priority.mutate(value)} disabled={value === conversation.priority}>
                  {t(`conversation.priority.${value}`)}
                </Menu.Item>
              ))}
            </Menu.Dropdown>
          </Menu>
          {!isDone && <SnoozeMenu conversation={conversation} />}
          {isDone ? (
            <Button size="xs" variant="light" onClick={() => status.mutate("open")} loading={status.isPending}>
              {t("conversation.actions.reopen")}
            </Button>
          ) : (
            <Button
              size="xs"
              color="teal"
              onClick={() => status.mutate("resolved")}
              loading={status.isPending}
              data-testid="resolve"
            >
              {t("conversation.actions.resolve")}
            </Button>
          )}
          <Menu withinPortal position="bottom-end">
            <Menu.Target>
              <ActionIcon variant="default" size="md" aria-label={t("conversation.actions.more")}>
                <IconDots />
              </ActionIcon>
            </Menu.Target>
            <Menu.Dropdown>
              <Menu.Item onClick={() => unread.mutate(undefined)}>{t("conversation.actions.markUnread")}</Menu.Item>
              <Menu.Item onClick={() => setDialog("transcript")}>{t("conversation.actions.transcript")}</Menu.Item>
              {conversation.status === "open" && (
                <Menu.Item onClick={() => status.mutate("pending")}>{t("conversation.actions.setPending")}</Menu.Item>
              )}
              {conversation.status !== "closed" && (
                <Menu.Item color="red" onClick={() => setDialog("close")}>
                  {t("conversation.actions.close")}
                </Menu.Item>
              )}
              {hasPermission("contacts.manage") && (
                <Menu.Item color="red" onClick={() => setDialog("block")}>
                  {t("conversation.actions.block")}
                </Menu.Item>
              )}
            </Menu.Dropdown>
          </Menu>
        </Group>
      </Stack>
      {dialog === "assign" && <AssignModal conversation={conversation} opened onClose={() => setDialog(null)} />}
      {dialog === "transcript" && <TranscriptModal conversation={conversation} opened onClose={() => setDialog(null)} />}
      <ConfirmDialog
        opened={dialog === "close"}
        title={t("conversation.actions.closeTitle")}
        body={t("conversation.actions.closeBody")}
        confirmLabel={t("conversation.actions.close")}
        isPending={status.isPending}
        onClose={() => setDialog(null)}
        onConfirm={() => status.mutate("closed", { onSuccess: () => setDialog(null) })}
      />
      <ConfirmDialog
        opened={dialog === "block"}
        title={t("conversation.actions.blockTitle", { name })}
        body={t("conversation.actions.blockBody")}
        confirmLabel={t("conversation.actions.block")}
        isPending={block.isPending}
        onClose={() => setDialog(null)}
        onConfirm={() => block.mutate()}
      />
    </Box>
  );
};
