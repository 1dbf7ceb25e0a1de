import { Box, Button, Center, Loader, Stack, Text } from "@mantine/core";
import type { TConversation, TMessage } from "@parley/shared";
import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { QueryErrorAlert } from "../../../components/query-error-alert";
import { useFormatDateTime } from "../../../lib/use-format-date-time";
import { useAgents } from "../../inbox/hooks/use-directory";
import { contactDisplayName } from "../../inbox/lib/format";
import { flattenHistory } from "../api/messages-api";
import type { OutgoingMessage } from "../api/outbox-store";
import { useMessageHistory } from "../hooks/use-message-history";
import { type MessageActions, MessageItem } from "./message-item";
import { TypingIndicator } from "./typing-indicator";

type Props = {
  conversation: TConversation;
  myUserId: string;
  /** A message to open the history around and highlight (from search); null for the live end. */
  anchor: string | null;
  pending: OutgoingMessage[];
  actions: Omit<MessageActions, "onJumpTo">;
  onJumpToMessage: (messageId: string | null) => void;
};

const NEAR_BOTTOM_PX = 120;

export const MessageList = ({ conversation, myUserId, anchor, pending, actions, onJumpToMessage }: Props) => {
  const { t } = useTranslation();
  const formatDateTime = useFormatDateTime();
  const { nameOf } = useAgents();
  const history = useMessageHistory(conversation.id, anchor);
  const scrollRef = useRef<HTMLDivElement>(null);
  const topRef = useRef<HTMLDivElement>(null);
  const bottomRef = useRef<HTMLDivElement>(null);
  const prependRef = useRef<{ scrollHeight: number; scrollTop: number } | null>(null);
  const isNearBottomRef = useRef(true);
  const hasPositionedRef = useRef(false);
  const [isScrolledUp, setScrolledUp] = useState(false);

  const messages = useMemo(() => flattenHistory(history.data), [history.data]);
  const byId = useMemo(() => new Map(messages.map((message) => [message.id, message])), [messages]);
  const storedClientIds = useMemo(() => new Set(messages.map((message) => message.clientId)), [messages]);
  const lastPage = history.data?.pages.at(-1);
  const isAtLiveEnd = lastPage !== undefined && !lastPage.hasNewer;
  // Outgoing messages show after the history only when it reaches the live end, and until the stored copy arrives.
  const outgoing = isAtLiveEnd ? pending.filter((entry) => !storedClientIds.has(entry.clientId)) : [];

  const contactName = contactDisplayName(conversation.contact, t);
  const senderName = useCallback(
    (message: TMessage) => {
      switch (message.senderType) {
        case "contact":
          return contactName;
        case "agent":
          return message.senderId === myUserId
            ? t("conversation.message.you")
            : (nameOf(message.senderId) ?? t("conversation.message.agent"));
        case "bot":
          return t("conversation.message.bot");
        case "system":
          return t("conversation.message.system");
      }
    },
    [contactName, myUserId, nameOf, t],
  );

  // First render of a window: at the highlighted message, or at the bottom.
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs again when the first messages render.
  useLayoutEffect(() => {
    const scroller = scrollRef.current;
    if (hasPositionedRef.current || !scroller || !history.isSuccess) return;
    hasPositionedRef.current = true;
    const target = anchor ? document.getElementById(`message-${anchor}`) : null;
    if (target) target.scrollIntoView({ block: "center" });
    else scroller.scrollTop = scroller.scrollHeight;
  }, [anchor, history.isSuccess, messages.length]);

  // Older pages go on top without moving what the agent is reading.
  useLayoutEffect(() => {
    const scroller = scrollRef.current;
    const before = prependRef.current;
    if (!scroller || !before) return;
    prependRef.current = null;
    scroller.scrollTop = scroller.scrollHeight - before.scrollHeight + before.scrollTop;
  });

  // New messages at the bottom follow along when the agent is already there.
  const lastKey = `${messages.at(-1)?.id ?? ""}:${outgoing.length}`;
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs when the last message or the outgoing count changes.
  useLayoutEffect(() => {
    const scroller = scrollRef.current;
    if (scroller && isNearBottomRef.current && hasPositionedRef.current && isAtLiveEnd)
      scroller.scrollTop = scroller.scrollHeight;
  }, [lastKey]);

  // Images and previews that finish loading grow the list; an agent at the bottom stays there.
  const contentRef = useRef<HTMLDivElement>(null);
  const isAtLiveEndRef = useRef(isAtLiveEnd);
  isAtLiveEndRef.current = isAtLiveEnd;
  useEffect(() => {
    const content = contentRef.current;
    const scroller = scrollRef.current;
    if (!content || !scroller) return;
    const observer = new ResizeObserver(() => {
      if (isNearBottomRef.current && hasPositionedRef.current && isAtLiveEndRef.current && prependRef.current === null) {
        scroller.scrollTop = scroller.scrollHeight;
      }
    });
    observer.observe(content);
    return () => observer.disconnect();
  }, []);

  const { hasPreviousPage, isFetchingPreviousPage, fetchPreviousPage, hasNextPage, isFetchingNextPage, fetchNextPage } = history;
  useEffect(() => {
    const scroller = scrollRef.current;
    const top = topRef.current;
    const bottom = bottomRef.current;
    if (!scroller) return;
    const observer = new IntersectionObserver(
      (entries) => {
        for (const entry of entries) {
          if (!entry.isIntersecting || !hasPositionedRef.current) continue;
          if (entry.target === top && hasPreviousPage && !isFetchingPreviousPage) {
            prependRef.current = { scrollHeight: scroller.scrollHeight, scrollTop: scroller.scrollTop };
            void fetchPreviousPage();
          }
          if (entry.target === bottom && hasNextPage && !isFetchingNextPage) void fetchNextPage();
        }
      },
      { root: scroller, rootMargin: "200px 0px" },
    );
    if (top) observer.observe(top);
    if (bottom) observer.observe(bottom);
    return () => observer.disconnect();
  }, [hasPreviousPage, isFetchingPreviousPage, fetchPreviousPage, hasNextPage, isFetchingNextPage, fetchNextPage]);

  const onScroll = () => {
    const scroller = scrollRef.current;
    if (!scroller) return;
    const distance = scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight;
    isNearBottomRef.current = distance < NEAR_BOTTOM_PX;
    setScrolledUp(distance > NEAR_BOTTOM_PX * 3);
  };

  const jumpTo = useCallback(
    (messageId: string) => {
      const target = document.getElementById(`message-${messageId}`);
      if (target) target.scrollIntoView({ block: "center", behavior: "smooth" });
      else onJumpToMessage(messageId);
    },
    [onJumpToMessage],
  );
  const itemActions: MessageActions = useMemo(() => ({ ...actions, onJumpTo: jumpTo }), [actions, jumpTo]);

  const goToLatest = () => {
    if (!isAtLiveEnd) {
      onJumpToMessage(null);
      return;
    }
    const scroller = scrollRef.current;
    if (scroller) scroller.scrollTo({ top: scroller.scrollHeight, behavior: "smooth" });
  };

  return (
    <Box pos="relative" style={{ flex: 1, minHeight: 0, display: "flex", flexDirection: "column" }}>
      <Box
        ref={scrollRef}
        onScroll={onScroll}
        style={{ flex: 1, overflowY: "auto" }}
        py="sm"
        role="log"
        aria-label={t("conversation.history")}
        aria-busy={history.isPending}
        data-testid="message-list"
      >
        <div ref={topRef} />
        {history.isPending && (
          <Center py="xl">
            <Loader aria-label={t("common.loading")} />
          </Center>
        )}
        {history.isError && (
          <Box p="md">
            <QueryErrorAlert
              title={t("conversation.historyFailed")}
              error={history.error}
              onRetry={() => void history.refetch()}
              isRetrying={history.isRefetching}
            />
          </Box>
        )}
        {isFetchingPreviousPage && (
          <Center py="xs">
            <Loader size="xs" aria-label={t("common.loading")} />
          </Center>
        )}
        {history.isSuccess && !hasPreviousPage && (
          <Text size="xs" c="dimmed" ta="center" py="xs">
            {t("conversation.historyStart", { number: conversation.number })}
          </Text>
        )}
        {history.isSuccess && messages.length === 0 && outgoing.length === 0 && (
          <Text size="sm" c="dimmed" ta="center" py="xl">
            {t("conversation.noMessages")}
          </Text>
        )}
        <Stack gap={6} ref={contentRef}>
          {messages.map((message) => (
            <MessageItem
              key={message.id}
              message={message}
              myUserId={myUserId}
              senderName={senderName(message)}
              repliedTo={message.replyToId === null ? undefined : (byId.get(message.replyToId) ?? null)}
              isHighlighted={message.id === anchor}
              actions={itemActions}
              formatTime={formatDateTime}
            />
          ))}
          {outgoing.map((entry) => (
            <MessageItem
              key={entry.clientId}
              message={entry.message}
              myUserId={myUserId}
              senderName={senderName(entry.message)}
              repliedTo={entry.message.replyToId === null ? undefined : (byId.get(entry.message.replyToId) ?? null)}
              sendState={{ state: entry.state, error: entry.error }}
              isHighlighted={false}
              actions={itemActions}
              formatTime={formatDateTime}
            />
          ))}
        </Stack>
        {isFetchingNextPage && (
          <Center py="xs">
            <Loader size="xs" aria-label={t("common.loading")} />
          </Center>
        )}
        <div ref={bottomRef} />
        <TypingIndicator conversationId={conversation.id} myUserId={myUserId} contactName={contactName} />
      </Box>
      {(isScrolledUp || !isAtLiveEnd) && history.isSuccess && (
        <Box pos="absolute" bottom={12} style={{ insetInlineEnd: 16 }}>
          <Button size="xs" radius="xl" variant="filled" onClick={goToLatest} data-testid="jump-to-latest">
            {t("conversation.jumpToLatest")}
          </Button>
        </Box>
      )}
    </Box>
  );
};
