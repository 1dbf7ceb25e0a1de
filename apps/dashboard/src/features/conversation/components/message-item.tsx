import {
  ActionIcon,
  Badge,
  Box,
  Button,
  Group,
  Menu,
  Paper,
  Stack,
  Text,
  Textarea,
  Tooltip,
  UnstyledButton,
} from "@mantine/core";
import { notifications } from "@mantine/notifications";
import type { TMessage } from "@parley/shared";
import { memo, useState } from "react";
import { useTranslation } from "react-i18next";
import { IconRefresh } from "../../../components/icons";
import { useErrorMessage } from "../../../lib/use-error-message";
import { IconDots, IconReply } from "../../inbox/components/nav-icons";
import { retryDelivery } from "../api/messages-api";
import { ConfirmDialog } from "./confirm-dialog";
import classes from "./conversation.module.css";
import { EmojiPicker } from "./emoji-picker";
import { MessageContent } from "./message-content";

export type MessageActions = {
  onReply: (message: TMessage) => void;
  onEdit: (message: TMessage, text: string) => Promise<unknown>;
  onDelete: (message: TMessage) => void;
  onToggleReaction: (message: TMessage, emoji: string, isMine: boolean) => void;
  onJumpTo: (messageId: string) => void;
  onRetry: (clientId: string) => void;
};

type Props = {
  message: TMessage;
  myUserId: string;
  senderName: string;
  repliedTo: TMessage | null | undefined;
  sendState?: { state: "sending" | "failed"; error: unknown };
  isHighlighted: boolean;
  actions: MessageActions;
  formatTime: (iso: string) => string;
};

const DeliveryTicks = ({ message }: { message: TMessage }) => {
  const { t } = useTranslation();
  const describeError = useErrorMessage();
  const [isRetrying, setRetrying] = useState(false);
  const { deliveryStatus: status } = message;
  if (status === "failed") {
    return (
      <Group gap={6} wrap="nowrap">
        <Tooltip label={message.deliveryError ?? t("conversation.delivery.failedUnknown")} multiline maw={260}>
          <Text size="xs" c="red" fw={600} data-testid="delivery-failed">
            {t("conversation.delivery.failed")}
          </Text>
        </Tooltip>
        <Button
          size="compact-xs"
          variant="subtle"
          color="red"
          leftSection={<IconRefresh size={12} />}
          loading={isRetrying}
          onClick={() => {
            setRetrying(true);
            retryDelivery(message.id)
              .catch((error: unknown) =>
                notifications.show({
                  color: "red",
                  title: t("conversation.delivery.retryFailed"),
                  message: describeError(error),
                }),
              )
              .finally(() => setRetrying(false));
          }}
        >
          {t("conversation.delivery.retry")}
        </Button>
      </Group>
    );
  }
  const marks = status === "pending" ? "🕒" : status === "sent" ? "✓" : "✓✓";
  return (
    <Text
      size="xs"
      c={status === "read" ? "blue" : "dimmed"}
      aria-label={t(`conversation.delivery.${status}`)}
      title={t(`conversation.delivery.${status}`)}
      data-delivery={status}
    >
      {marks}
    </Text>
  );
};

const Reactions = ({
  message,
  myUserId,
  onToggle,
}: {
  message: TMessage;
  myUserId: string;
  onToggle: (emoji: string, isMine: boolean) => void;
}) => {
  const { t } = useTranslation();
  const groups = new Map<string, { count: number; isMine: boolean }>();
  for (const reaction of message.reactions) {
    const group = groups.get(reaction.emoji) ?? { count: 0, isMine: false };
    group.count += 1;
    if (reaction.reactorType === "agent" && reaction.reactorId === myUserId) group.isMine = true;
    groups.set(reaction.emoji, group);
  }
  if (groups.size === 0) return null;
  return (
    <Group gap={4}>
      {[...groups].map(([emoji, group]) => (
        <Button
          key={emoji}
          size="compact-xs"
          variant={group.isMine ? "light" : "default"}
          radius="xl"
          onClick={() => onToggle(emoji, group.isMine)}
          aria-pressed={group.isMine}
          aria-label={t(group.isMine ? "conversation.reactions.remove" : "conversation.reactions.add", {
            emoji,
            count: group.count,
          })}
        >
          {`${emoji} ${group.count}`}
        </Button>
      ))}
    </Group>
  );
};

const EditForm = ({
  message,
  onSave,
  onCancel,
}: {
  message: TMessage;
  onSave: (text: string) => Promise<unknown>;
  onCancel: () => void;
}) => {
  const { t } = useTranslation();
  const describeError = useErrorMessage();
  const [text, setText] = useState(message.text);
  const [error, setError] = useState<string | null>(null);
  const [isSaving, setSaving] = useState(false);
  const save = async () => {
    if (text.trim() === "") return;
    setSaving(true);
    try {
      await onSave(text);
      onCancel();
    } catch (failure) {
      setError(describeError(failure));
    } finally {
      setSaving(false);
    }
  };
  return (
    <Stack gap={6}>
      <Textarea
        value={text}
        onChange={(event) => setText(event.currentTarget.value)}
        autosize
        minRows={2}
        maxRows={8}
        aria-label={t("conversation.message.editLabel")}
        error={error}
        data-autofocus
        onKeyDown={(event) => {
          if (event.key === "Enter" && !event.shiftKey) {
            event.preventDefault();
            void save();
          }
          if (event.key === "Escape") onCancel();
        }}
      />
      <Group gap={6} justify="flex-end">
        <Button size="compact-xs" variant="default" onClick={onCancel}>
          {t("common.cancel")}
        </Button>
        <Button size="compact-xs" onClick={() => void save()} loading={isSaving} disabled={text.trim() === ""}>
          {t("conversation.message.saveEdit")}
        </Button>
      </Group>
    </Stack>
  );
};

export const MessageItem = memo(
  ({ message, myUserId, senderName, repliedTo, sendState, isHighlighted, actions, formatTime }: Props) => {
    const { t } = useTranslation();
    const describeError = useErrorMessage();
    const [isEditing, setEditing] = useState(false);
    const [isConfirmingDelete, setConfirmingDelete] = useState(false);

    if (message.senderType === "system" || message.contentType === "system") {
      return (
        <Group justify="center" py={4} id={`message-${message.id}`} data-testid="system-message">
          <Text size="xs" c="dimmed" ta="center" dir="auto">
            {`${message.text} · ${formatTime(message.createdAt)}`}
          </Text>
        </Group>
      );
    }

    const isOutgoing = message.senderType !== "contact";
    const isMine = message.senderType === "agent" && message.senderId === myUserId;
    const isDeleted = message.deletedAt !== null;
    const canAct = sendState === undefined && !isDeleted;

    return (
      <Box
        className={classes.messageRow}
        data-outgoing={isOutgoing || undefined}
        id={`message-${message.id}`}
        data-testid="message"
        data-message-id={message.id}
        data-private={message.isPrivate || undefined}
      >
        <Stack gap={2} className={classes.messageColumn}>
          <Group gap={6} justify={isOutgoing ? "flex-end" : "flex-start"}>
            <Text size="xs" fw={600}>
              {senderName}
            </Text>
            {message.isPrivate && (
              <Badge size="xs" color="yellow" variant="light">
                {t("conversation.message.privateNote")}
              </Badge>
            )}
            <Text size="xs" c="dimmed">
              {formatTime(message.createdAt)}
            </Text>
            {message.editedAt && !isDeleted && (
              <Text size="xs" c="dimmed" fs="italic">
                {t("conversation.message.edited")}
              </Text>
            )}
          </Group>
          <Paper
            className={classes.bubble}
            data-private={message.isPrivate || undefined}
            data-outgoing={isOutgoing || undefined}
            data-highlighted={isHighlighted || undefined}
            data-pending={sendState?.state === "sending" || undefined}
            p="xs"
            radius="md"
          >
            {repliedTo !== undefined && message.replyToId !== null && (
              <UnstyledButton
                className={classes.replyQuote}
                onClick={() => message.replyToId && actions.onJumpTo(message.replyToId)}
                aria-label={t("conversation.message.showReplied")}
              >
                <Text size="xs" c="dimmed" lineClamp={2}>
                  {repliedTo
                    ? repliedTo.text || t("conversation.message.attachmentOnly")
                    : t("conversation.message.earlierMessage")}
                </Text>
              </UnstyledButton>
            )}
            {isEditing ? (
              <EditForm message={message} onSave={(text) => actions.onEdit(message, text)} onCancel={() => setEditing(false)} />
            ) : (
              <MessageContent message={message} />
            )}
          </Paper>
          <Group gap={6} justify={isOutgoing ? "flex-end" : "flex-start"} className={classes.messageMeta}>
            <Reactions
              message={message}
              myUserId={myUserId}
              onToggle={(emoji, isMineReaction) => actions.onToggleReaction(message, emoji, isMineReaction)}
            />
            {canAct && (
              <Group gap={2} className={classes.messageTools}>
                <EmojiPicker
                  size="xs"
                  label={t("conversation.reactions.pick")}
                  onPick={(emoji) => actions.onToggleReaction(message, emoji, false)}
                />
                <Tooltip label={t("conversation.message.reply")}>
                  <ActionIcon
                    size="xs"
                    variant="subtle"
                    color="gray"
                    onClick={() => actions.onReply(message)}
                    aria-label={t("conversation.message.reply")}
                  >
                    <IconReply size={14} />
                  </ActionIcon>
                </Tooltip>
                {isMine && (
                  <Menu withinPortal position="bottom-end">
                    <Menu.Target>
                      <ActionIcon size="xs" variant="subtle" color="gray" aria-label={t("conversation.message.more")}>
                        <IconDots size={14} />
                      </ActionIcon>
                    </Menu.Target>
                    <Menu.Dropdown>
                      <Menu.Item onClick={() => setEditing(true)}>{t("conversation.message.edit")}</Menu.Item>
                      <Menu.Item color="red" onClick={() => setConfirmingDelete(true)}>
                        {t("conversation.message.delete")}
                      </Menu.Item>
                    </Menu.Dropdown>
                  </Menu>
                )}
              </Group>
            )}
            {sendState?.state === "sending" && (
              <Text size="xs" c="dimmed" data-testid="message-sending">
                {t("conversation.delivery.sending")}
              </Text>
            )}
            {sendState?.state === "failed" && message.clientId && (
              <Group gap={4}>
                <Text size="xs" c="red" role="alert">
                  {t("conversation.delivery.notSent", { reason: describeError(sendState.error) })}
                </Text>
                <Button
                  size="compact-xs"
                  variant="light"
                  color="red"
                  leftSection={<IconRefresh size={12} />}
                  onClick={() => message.clientId && actions.onRetry(message.clientId)}
                >
                  {t("common.retry")}
                </Button>
              </Group>
            )}
            {isOutgoing && sendState === undefined && !message.isPrivate && message.senderType === "agent" && (
              <DeliveryTicks message={message} />
            )}
          </Group>
        </Stack>
        <ConfirmDialog
          opened={isConfirmingDelete}
          title={t("conversation.message.deleteTitle")}
          body={t("conversation.message.deleteBody")}
          confirmLabel={t("conversation.message.delete")}
          onClose={() => setConfirmingDelete(false)}
          onConfirm={() => {
            setConfirmingDelete(false);
            actions.onDelete(message);
          }}
        />
      </Box>
    );
  },
);
