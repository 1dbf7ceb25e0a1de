import {
  ActionIcon,
  Badge,
  Box,
  Button,
  CloseButton,
  FileButton,
  Group,
  Loader,
  SegmentedControl,
  Stack,
  Text,
  Textarea,
  Tooltip,
} from "@mantine/core";
import type { TConversation, TMessage } from "@parley/shared";
import {
  type ClipboardEvent,
  type DragEvent,
  forwardRef,
  type KeyboardEvent,
  useImperativeHandle,
  useMemo,
  useRef,
  useState,
} from "react";
import { useTranslation } from "react-i18next";
import { useErrorMessage } from "../../../lib/use-error-message";
import { IconPaperclip } from "../../inbox/components/nav-icons";
import { useAgents, useCannedResponses } from "../../inbox/hooks/use-directory";
import { renderCannedResponse } from "../api/messages-api";
import { useDraftAttachments } from "../hooks/use-attachments";
import type { DraftMessage } from "../hooks/use-message-actions";
import { useTypingSignal } from "../hooks/use-typing-signal";
import classes from "./conversation.module.css";
import { EmojiPicker } from "./emoji-picker";
import { type Suggestion, SuggestionList } from "./suggestion-list";

export type ComposerMode = "reply" | "note";
export type ComposerHandle = { focus: (mode?: ComposerMode) => void };

type Props = {
  conversation: TConversation;
  myUserId: string;
  replyTo: TMessage | null;
  onCancelReply: () => void;
  onSend: (draft: DraftMessage) => void;
};

/** "/" at the start of the draft, or "@" after a space in a note: the word being completed. */
export const findTrigger = (
  text: string,
  caret: number,
  mode: ComposerMode,
): { kind: "canned" | "mention"; query: string; start: number } | null => {
  const before = text.slice(0, caret);
  const canned = /^\/([a-z0-9_-]*)$/i.exec(before);
  if (canned) return { kind: "canned", query: canned[1]?.toLowerCase() ?? "", start: 0 };
  if (mode !== "note") return null;
  const mention = /(^|\s)@([^\s@]*)$/.exec(before);
  if (mention)
    return { kind: "mention", query: mention[2]?.toLowerCase() ?? "", start: before.length - (mention[2]?.length ?? 0) - 1 };
  return null;
};

const MAX_SUGGESTIONS = 8;

export const Composer = forwardRef<ComposerHandle, Props>(({ conversation, myUserId, replyTo, onCancelReply, onSend }, ref) => {
  const { t } = useTranslation();
  const describeError = useErrorMessage();
  const [mode, setMode] = useState<ComposerMode>("reply");
  const [text, setText] = useState("");
  const [caret, setCaret] = useState(0);
  const [activeIndex, setActiveIndex] = useState(0);
  const [isDismissed, setDismissed] = useState(false);
  const [isDragging, setDragging] = useState(false);
  const [cannedError, setCannedError] = useState<string | null>(null);
  const [isRendering, setRendering] = useState(false);
  // Mentions chosen from the list, by the "@Name" text they inserted.
  const [mentions, setMentions] = useState<ReadonlyMap<string, string>>(new Map());
  const textareaRef = useRef<HTMLTextAreaElement>(null);
  const attachments = useDraftAttachments();
  const canned = useCannedResponses();
  const { agents } = useAgents();
  const typing = useTypingSignal(conversation.id, mode === "note");
  const isNote = mode === "note";

  useImperativeHandle(ref, () => ({
    focus: (nextMode) => {
      if (nextMode) setMode(nextMode);
      textareaRef.current?.focus();
    },
  }));

  const trigger = isDismissed ? null : findTrigger(text, caret, mode);
  const suggestions: Suggestion[] = useMemo(() => {
    if (!trigger) return [];
    if (trigger.kind === "canned") {
      return (canned.data?.items ?? [])
        .filter((item) => item.shortcut.includes(trigger.query) || item.content.toLowerCase().includes(trigger.query))
        .slice(0, MAX_SUGGESTIONS)
        .map((item) => ({ id: item.id, label: `/${item.shortcut}`, description: item.content }));
    }
    return agents
      .filter((agent) => agent.userId !== myUserId && agent.name.toLowerCase().includes(trigger.query))
      .slice(0, MAX_SUGGESTIONS)
      .map((agent) => ({ id: agent.userId, label: agent.name, description: t(`presence.status.${agent.status}`) }));
  }, [trigger, canned.data, agents, myUserId, t]);
  const isSuggesting = trigger !== null && suggestions.length > 0;

  const updateText = (value: string, nextCaret: number) => {
    setText(value);
    setCaret(nextCaret);
    setActiveIndex(0);
    setDismissed(false);
    setCannedError(null);
    if (value.trim() !== "") typing.touch();
    else typing.stop();
  };

  const pick = async (item: Suggestion) => {
    if (!trigger) return;
    if (trigger.kind === "mention") {
      const inserted = `@${item.label} `;
      const next = text.slice(0, trigger.start) + inserted + text.slice(caret);
      setMentions((previous) => new Map(previous).set(`@${item.label}`, item.id));
      updateText(next, trigger.start + inserted.length);
      requestAnimationFrame(() =>
        textareaRef.current?.setSelectionRange(trigger.start + inserted.length, trigger.start + inserted.length),
      );
      return;
    }
    // Canned responses are filled in by the server for this conversation ({{contact.name}} …).
    setRendering(true);
    try {
      const rendered = await renderCannedResponse(item.id, conversation.id);
      updateText(rendered.text, rendered.text.length);
      setDismissed(true);
    } catch (error) {
      setCannedError(describeError(error));
    } finally {
      setRendering(false);
      textareaRef.current?.focus();
    }
  };

  const canSend = (text.trim() !== "" || attachments.ids.length > 0) && !attachments.isUploading;
  const submit = () => {
    if (!canSend) return;
    const mentionIds = isNote ? [...mentions].filter(([name]) => text.includes(name)).map(([, id]) => id) : [];
    onSend({
      text: text.trim(),
      isPrivate: isNote,
      replyToId: replyTo?.id ?? null,
      attachmentIds: attachments.ids,
      content: mentionIds.length > 0 ? { mentions: [...new Set(mentionIds)] } : {},
    });
    typing.stop();
    setText("");
    setCaret(0);
    setMentions(new Map());
    attachments.clear();
    onCancelReply();
  };

  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (isSuggesting) {
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        const offset = event.key === "ArrowDown" ? 1 : -1;
        setActiveIndex((index) => (index + offset + suggestions.length) % suggestions.length);
        return;
      }
      if (event.key === "Enter" || event.key === "Tab") {
        event.preventDefault();
        const item = suggestions[activeIndex];
        if (item) void pick(item);
        return;
      }
      if (event.key === "Escape") {
        event.preventDefault();
        setDismissed(true);
        return;
      }
    }
    if (event.key === "Escape") {
      event.currentTarget.blur();
      return;
    }
    // Enter sends, Shift+Enter starts a new line (and IME composition keeps its own Enter).
    if (event.key === "Enter" && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      submit();
    }
  };

  const onPaste = (event: ClipboardEvent<HTMLTextAreaElement>) => {
    const files = [...event.clipboardData.files];
    if (files.length === 0) return;
    event.preventDefault();
    attachments.add(files);
  };
  const onDrop = (event: DragEvent<HTMLDivElement>) => {
    event.preventDefault();
    setDragging(false);
    if (event.dataTransfer.files.length > 0) attachments.add(event.dataTransfer.files);
  };

  const insertEmoji = (emoji: string) => {
    const element = textareaRef.current;
    const start = element?.selectionStart ?? text.length;
    const end = element?.selectionEnd ?? text.length;
    const next = text.slice(0, start) + emoji + text.slice(end);
    updateText(next, start + emoji.length);
    requestAnimationFrame(() => {
      element?.focus();
      element?.setSelectionRange(start + emoji.length, start + emoji.length);
    });
  };

  const suggestionsId = `composer-suggestions-${conversation.id}`;
  return (
    <Box
      className={classes.composer}
      data-note={isNote || undefined}
      data-dragging={isDragging || undefined}
      onDragOver={(event) => {
        if (![...event.dataTransfer.types].includes("Files")) return;
        event.preventDefault();
        setDragging(true);
      }}
      onDragLeave={() => setDragging(false)}
      onDrop={onDrop}
      data-testid="composer"
    >
      <Stack gap={6}>
        <Group justify="space-between" gap="xs">
          <SegmentedControl
            size="xs"
            value={mode}
            onChange={(value) => setMode(value === "note" ? "note" : "reply")}
            data={[
              { value: "reply", label: t("conversation.composer.reply") },
              { value: "note", label: t("conversation.composer.note") },
            ]}
            aria-label={t("conversation.composer.mode")}
          />
          <Text size="xs" c="dimmed" visibleFrom="md">
            {isNote ? t("conversation.composer.noteHint") : t("conversation.composer.replyHint")}
          </Text>
        </Group>
        {replyTo && (
          <Group gap="xs" wrap="nowrap" justify="space-between" data-testid="reply-to">
            <Text size="xs" c="dimmed" lineClamp={1}>
              {t("conversation.composer.replyingTo", { text: replyTo.text || t("conversation.message.attachmentOnly") })}
            </Text>
            <CloseButton size="sm" onClick={onCancelReply} aria-label={t("conversation.composer.cancelReply")} />
          </Group>
        )}
        {isSuggesting && (
          <SuggestionList
            id={suggestionsId}
            label={trigger?.kind === "canned" ? t("conversation.composer.cannedLabel") : t("conversation.composer.mentionLabel")}
            items={suggestions}
            activeIndex={activeIndex}
            onPick={(item) => void pick(item)}
          />
        )}
        {trigger?.kind === "canned" && suggestions.length === 0 && canned.isSuccess && (
          <Text size="xs" c="dimmed">
            {t("conversation.composer.noCanned")}
          </Text>
        )}
        {cannedError && (
          <Text size="xs" c="red" role="alert">
            {cannedError}
          </Text>
        )}
        <Textarea
          ref={textareaRef}
          value={text}
          onChange={(event) => updateText(event.currentTarget.value, event.currentTarget.selectionStart)}
          onSelect={(event) => setCaret(event.currentTarget.selectionStart)}
          onKeyDown={onKeyDown}
          onPaste={onPaste}
          onBlur={() => typing.stop()}
          placeholder={isNote ? t("conversation.composer.notePlaceholder") : t("conversation.composer.replyPlaceholder")}
          aria-label={isNote ? t("conversation.composer.noteLabel") : t("conversation.composer.replyLabel")}
          aria-autocomplete="list"
          aria-controls={isSuggesting ? suggestionsId : undefined}
          aria-activedescendant={isSuggesting ? `${suggestionsId}-${activeIndex}` : undefined}
          autosize
          minRows={2}
          maxRows={10}
          rightSection={isRendering ? <Loader size="xs" /> : undefined}
          data-testid="composer-input"
          dir="auto"
        />
        {attachments.items.length > 0 && (
          <Group gap={6}>
            {attachments.items.map((item) => (
              <Badge
                key={item.key}
                variant="light"
                color={item.state === "failed" ? "red" : "gray"}
                tt="none"
                leftSection={item.state === "uploading" ? <Loader size={10} /> : undefined}
                rightSection={
                  <CloseButton
                    size="xs"
                    onClick={() => attachments.remove(item.key)}
                    aria-label={t("conversation.composer.removeFile", { name: item.file.name })}
                  />
                }
                title={item.state === "failed" ? describeError(item.error) : undefined}
                data-testid="draft-attachment"
                data-state={item.state}
              >
                {item.state === "failed" ? t("conversation.composer.uploadFailed", { name: item.file.name }) : item.file.name}
              </Badge>
            ))}
          </Group>
        )}
        <Group justify="space-between" gap="xs">
          <Group gap={4}>
            <FileButton onChange={(files) => attachments.add(files)} multiple>
              {(props) => (
                <Tooltip label={t("conversation.composer.attach")}>
                  <ActionIcon variant="subtle" color="gray" aria-label={t("conversation.composer.attach")} {...props}>
                    <IconPaperclip />
                  </ActionIcon>
                </Tooltip>
              )}
            </FileButton>
            <EmojiPicker label={t("conversation.composer.emoji")} onPick={insertEmoji} />
          </Group>
          <Button size="xs" onClick={submit} disabled={!canSend} color={isNote ? "yellow" : "blue"} data-testid="composer-send">
            {isNote ? t("conversation.composer.addNote") : t("conversation.composer.send")}
          </Button>
        </Group>
      </Stack>
    </Box>
  );
});
