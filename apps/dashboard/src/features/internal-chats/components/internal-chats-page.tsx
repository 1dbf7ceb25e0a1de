import {
  Badge,
  Box,
  Button,
  EmptyState,
  Group,
  Loader,
  Menu,
  NavLink,
  ScrollArea,
  Stack,
  Text,
  Textarea,
  Title,
} from "@mantine/core";
import { notifications } from "@mantine/notifications";
import type { TInternalChat, TInternalMessage } from "@parley/shared";
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useLayoutEffect, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useNavigate, useParams } from "react-router";
import { IconInbox } from "../../../components/icons";
import { QueryErrorAlert } from "../../../components/query-error-alert";
import { useErrorMessage } from "../../../lib/use-error-message";
import { useFormatDateTime } from "../../../lib/use-format-date-time";
import { useSession } from "../../auth/hooks/use-session";
import { newClientId } from "../../conversation/lib/client-id";
import { useAgents, useTeams } from "../../inbox/hooks/use-directory";
import { setOpenInternalChat } from "../../realtime/lib/live-activity-store";
import {
  applyInternalMessage,
  fetchInternalChats,
  fetchInternalMessages,
  internalChatKeys,
  markInternalChatRead,
  openDirectChat,
  openTeamChat,
  sendInternalMessage,
} from "../api/internal-chats-api";

const ChatView = ({ chat }: { chat: TInternalChat }) => {
  const { t } = useTranslation();
  const { user } = useSession();
  const { nameOf } = useAgents();
  const formatDateTime = useFormatDateTime();
  const describeError = useErrorMessage();
  const queryClient = useQueryClient();
  const [text, setText] = useState("");
  const scrollRef = useRef<HTMLDivElement>(null);
  const messages = useInfiniteQuery({
    queryKey: internalChatKeys.messages(chat.id),
    queryFn: ({ pageParam, signal }) => fetchInternalMessages(chat.id, pageParam, signal),
    initialPageParam: null as number | null,
    getNextPageParam: (page) => (page.hasOlder && page.items[0] ? page.items[0].seq : undefined),
    staleTime: Number.POSITIVE_INFINITY,
  });
  // Pages arrive newest first; each page is oldest first inside.
  const items: TInternalMessage[] = [...(messages.data?.pages ?? [])].reverse().flatMap((page) => page.items);
  const lastSeq = items.at(-1)?.seq ?? 0;

  useEffect(() => {
    setOpenInternalChat(chat.id);
    return () => setOpenInternalChat(null);
  }, [chat.id]);
  useEffect(() => {
    if (lastSeq <= chat.lastReadSeq) return;
    markInternalChatRead(chat.id, lastSeq).then(
      (state) =>
        queryClient.setQueryData<{ items: TInternalChat[] }>(internalChatKeys.list, (list) =>
          list ? { items: list.items.map((item) => (item.id === chat.id ? { ...item, ...state } : item)) } : list,
        ),
      () => undefined,
    );
  }, [chat.id, chat.lastReadSeq, lastSeq, queryClient]);
  // biome-ignore lint/correctness/useExhaustiveDependencies: a new last message scrolls the chat to the bottom.
  useLayoutEffect(() => {
    const scroller = scrollRef.current;
    if (scroller) scroller.scrollTop = scroller.scrollHeight;
  }, [lastSeq]);

  const send = useMutation({
    mutationFn: (body: { clientId: string; text: string }) => sendInternalMessage(chat.id, body),
    onSuccess: (message) => {
      applyInternalMessage(queryClient, message, { userId: user.id, isOpenHere: true });
      setText("");
    },
    onError: (error) => notifications.show({ color: "red", title: t("internalChats.sendFailed"), message: describeError(error) }),
  });
  const [clientId, setClientId] = useState(newClientId);
  const submit = () => {
    if (text.trim() === "" || send.isPending) return;
    // The same clientId for retries of this draft: the server stores it once.
    send.mutate({ clientId, text: text.trim() }, { onSuccess: () => setClientId(newClientId()) });
  };

  return (
    <Stack gap={0} style={{ flex: 1, minWidth: 0, minHeight: 0 }}>
      <Box p="sm" style={{ borderBottom: "1px solid var(--mantine-color-default-border)" }}>
        <Title order={2} fz="md">
          {chat.title}
        </Title>
        <Text size="xs" c="dimmed">
          {chat.kind === "team" ? t("internalChats.teamChat") : t("internalChats.directChat")}
        </Text>
      </Box>
      <Box
        ref={scrollRef}
        style={{ flex: 1, overflowY: "auto" }}
        p="sm"
        role="log"
        aria-label={chat.title}
        data-testid="internal-messages"
      >
        {messages.hasNextPage && (
          <Group justify="center">
            <Button
              size="xs"
              variant="subtle"
              onClick={() => void messages.fetchNextPage()}
              loading={messages.isFetchingNextPage}
            >
              {t("internalChats.older")}
            </Button>
          </Group>
        )}
        {messages.isPending && <Loader size="sm" aria-label={t("common.loading")} />}
        {messages.isError && (
          <QueryErrorAlert title={t("internalChats.loadFailed")} error={messages.error} onRetry={() => void messages.refetch()} />
        )}
        {messages.isSuccess && items.length === 0 && (
          <Text size="sm" c="dimmed" ta="center" py="xl">
            {t("internalChats.noMessages")}
          </Text>
        )}
        <Stack gap={6}>
          {items.map((message) => (
            <Stack key={message.id} gap={0} align={message.senderId === user.id ? "flex-end" : "flex-start"}>
              <Text size="xs" c="dimmed">
                {`${message.senderId === user.id ? t("conversation.message.you") : (nameOf(message.senderId) ?? t("conversation.message.agent"))} · ${formatDateTime(message.createdAt)}`}
              </Text>
              <Text
                size="sm"
                dir="auto"
                style={{ whiteSpace: "pre-wrap", overflowWrap: "anywhere" }}
                bg="var(--mantine-color-gray-light)"
                px="xs"
                py={4}
                maw="75%"
              >
                {message.text}
              </Text>
            </Stack>
          ))}
        </Stack>
      </Box>
      <Group
        p="sm"
        gap="xs"
        align="flex-end"
        wrap="nowrap"
        style={{ borderTop: "1px solid var(--mantine-color-default-border)" }}
      >
        <Textarea
          style={{ flex: 1 }}
          value={text}
          onChange={(event) => setText(event.currentTarget.value)}
          onKeyDown={(event) => {
            if (event.key === "Enter" && !event.shiftKey && !event.nativeEvent.isComposing) {
              event.preventDefault();
              submit();
            }
          }}
          autosize
          minRows={1}
          maxRows={6}
          placeholder={t("internalChats.placeholder")}
          aria-label={t("internalChats.messageLabel", { title: chat.title })}
        />
        <Button onClick={submit} loading={send.isPending} disabled={text.trim() === ""}>
          {t("conversation.composer.send")}
        </Button>
      </Group>
    </Stack>
  );
};

/** `/chats`: direct messages between agents and team group chats. */
export const InternalChatsPage = () => {
  const { t } = useTranslation();
  const { user } = useSession();
  const navigate = useNavigate();
  const { chatId } = useParams();
  const describeError = useErrorMessage();
  const queryClient = useQueryClient();
  const { agents } = useAgents();
  const teams = useTeams();
  const chats = useQuery({
    queryKey: internalChatKeys.list,
    queryFn: ({ signal }) => fetchInternalChats(signal),
    staleTime: Number.POSITIVE_INFINITY,
  });
  const open = useMutation({
    mutationFn: (target: { kind: "direct"; userId: string } | { kind: "team"; teamId: string }) =>
      target.kind === "direct" ? openDirectChat(target.userId) : openTeamChat(target.teamId),
    onSuccess: (chat) => {
      void queryClient.invalidateQueries({ queryKey: internalChatKeys.list });
      navigate(`/chats/${chat.id}`);
    },
    onError: (error) => notifications.show({ color: "red", title: t("internalChats.openFailed"), message: describeError(error) }),
  });
  const current = chats.data?.items.find((chat) => chat.id === chatId);

  return (
    <Box
      style={{
        display: "flex",
        height: "calc(100dvh - var(--app-shell-header-height, 56px) - 2 * var(--app-shell-padding, 16px))",
        border: "1px solid var(--mantine-color-default-border)",
        borderRadius: "var(--mantine-radius-md)",
        overflow: "hidden",
      }}
    >
      <title>{`${t("internalChats.pageTitle")} · ${t("app.name")}`}</title>
      <Stack gap={0} w={260} style={{ flexShrink: 0, borderInlineEnd: "1px solid var(--mantine-color-default-border)" }}>
        <Group p="sm" justify="space-between">
          <Title order={1} fz="md">
            {t("internalChats.pageTitle")}
          </Title>
          <Menu withinPortal position="bottom-end">
            <Menu.Target>
              <Button size="compact-xs" variant="light" loading={open.isPending}>
                {t("internalChats.new")}
              </Button>
            </Menu.Target>
            <Menu.Dropdown mah={360} style={{ overflowY: "auto" }}>
              <Menu.Label>{t("internalChats.withMember")}</Menu.Label>
              {agents
                .filter((agent) => agent.userId !== user.id)
                .map((agent) => (
                  <Menu.Item key={agent.userId} onClick={() => open.mutate({ kind: "direct", userId: agent.userId })}>
                    {agent.name}
                  </Menu.Item>
                ))}
              {(teams.data?.items.length ?? 0) > 0 && <Menu.Label>{t("internalChats.withTeam")}</Menu.Label>}
              {teams.data?.items.map((team) => (
                <Menu.Item key={team.id} onClick={() => open.mutate({ kind: "team", teamId: team.id })}>
                  {team.name}
                </Menu.Item>
              ))}
            </Menu.Dropdown>
          </Menu>
        </Group>
        <ScrollArea style={{ flex: 1 }}>
          {chats.isPending && <Loader size="sm" m="md" aria-label={t("common.loading")} />}
          {chats.isError && (
            <QueryErrorAlert title={t("internalChats.loadFailed")} error={chats.error} onRetry={() => void chats.refetch()} />
          )}
          {chats.isSuccess && chats.data.items.length === 0 && (
            <Text size="sm" c="dimmed" p="sm">
              {t("internalChats.none")}
            </Text>
          )}
          <nav aria-label={t("internalChats.pageTitle")}>
            {chats.data?.items.map((chat) => (
              <NavLink
                key={chat.id}
                component={Link}
                to={`/chats/${chat.id}`}
                active={chat.id === chatId}
                label={chat.title}
                description={chat.lastMessage?.text}
                rightSection={
                  chat.unreadCount > 0 ? (
                    <Badge size="sm" circle>
                      {chat.unreadCount}
                    </Badge>
                  ) : undefined
                }
              />
            ))}
          </nav>
        </ScrollArea>
      </Stack>
      {current ? (
        <ChatView key={current.id} chat={current} />
      ) : (
        <EmptyState
          icon={<IconInbox size={28} />}
          withIndicatorBackground
          title={t("internalChats.pickTitle")}
          description={t("internalChats.pickBody")}
          m="auto"
        />
      )}
    </Box>
  );
};
