import { Box, Center, Drawer, EmptyState, Loader, useDirection } from "@mantine/core";
import { useLocalStorage, useMediaQuery } from "@mantine/hooks";
import type { TMessage } from "@parley/shared";
import { useQueryClient } from "@tanstack/react-query";
import { useEffect, useMemo, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { IconAlertTriangle } from "../../../components/icons";
import { QueryErrorAlert } from "../../../components/query-error-alert";
import { isApiError } from "../../../lib/api-client";
import { useSession } from "../../auth/hooks/use-session";
import { ContactPanel } from "../../contacts/components/contact-panel";
import {
  applyConversationChange,
  conversationKeys,
  fetchUnreadMentions,
  markConversationRead,
  markMentionRead,
} from "../../inbox/api/conversations-api";
import { useConversation, useConversationCounts } from "../../inbox/hooks/use-conversation-list";
import { useShortcut } from "../../inbox/hooks/use-shortcut";
import { setOpenConversation } from "../../realtime/lib/live-activity-store";
import { useMessageActions } from "../hooks/use-message-actions";
import { Composer, type ComposerHandle } from "./composer";
import classes from "./conversation.module.css";
import { ConversationHeader } from "./conversation-header";
import { MessageList } from "./message-list";

type Props = { conversationId: string; jumpToMessageId: string | null; onBack: () => void };

export const ConversationPane = ({ conversationId, jumpToMessageId, onBack }: Props) => {
  const { t } = useTranslation();
  const { user } = useSession();
  const queryClient = useQueryClient();
  const conversation = useConversation(conversationId);
  const actions = useMessageActions(conversationId);
  const composerRef = useRef<ComposerHandle>(null);
  const [anchor, setAnchor] = useState<string | null>(jumpToMessageId);
  const [replyTo, setReplyTo] = useState<TMessage | null>(null);
  const [isContactPanelOpen, setContactPanelOpen] = useLocalStorage({ key: "parley.inbox.contactPanel", defaultValue: true });
  const markedSeqRef = useRef(0);
  // Below Mantine's lg breakpoint the contact panel is a drawer, so the conversation keeps its width.
  const isWide = useMediaQuery("(min-width: 75em)", true);
  const [isContactDrawerOpen, setContactDrawerOpen] = useState(false);
  const { dir } = useDirection();

  useEffect(() => setAnchor(jumpToMessageId), [jumpToMessageId]);
  useEffect(() => {
    setOpenConversation(conversationId);
    return () => setOpenConversation(null);
  }, [conversationId]);

  // Viewing is reading: unread messages are marked read when they are on screen in a visible tab.
  const lastMessageSeq = conversation.data?.lastMessageSeq ?? 0;
  useEffect(() => {
    if (lastMessageSeq === 0 || lastMessageSeq <= markedSeqRef.current) return;
    const mark = () => {
      if (document.visibilityState !== "visible" || lastMessageSeq <= markedSeqRef.current) return;
      markedSeqRef.current = lastMessageSeq;
      markConversationRead(conversationId).then(
        (changed) => applyConversationChange(queryClient, changed, { userId: user.id, isOpenHere: true, isForViewer: true }),
        () => {
          markedSeqRef.current = 0;
        },
      );
    };
    mark();
    document.addEventListener("visibilitychange", mark);
    return () => document.removeEventListener("visibilitychange", mark);
  }, [conversationId, lastMessageSeq, queryClient, user.id]);

  // Opening a conversation reads the notes that mentioned this member there, so it leaves the Mentions view.
  const mentionsCount = useConversationCounts().data?.mentions ?? 0;
  useEffect(() => {
    if (mentionsCount === 0) return;
    const controller = new AbortController();
    fetchUnreadMentions(controller.signal)
      .then(async (mentions) => {
        const here = mentions.items.filter((mention) => mention.conversationId === conversationId);
        if (here.length === 0) return;
        await Promise.all(here.map((mention) => markMentionRead(mention.id)));
        void queryClient.invalidateQueries({ queryKey: conversationKeys.counts });
        void queryClient.invalidateQueries({ queryKey: conversationKeys.lists });
      })
      .catch(() => undefined);
    return () => controller.abort();
  }, [conversationId, mentionsCount, queryClient]);

  useShortcut("r", () => composerRef.current?.focus("reply"));
  useShortcut("n", () => composerRef.current?.focus("note"));

  const messageActions = useMemo(
    () => ({
      onReply: (message: TMessage) => {
        setReplyTo(message);
        composerRef.current?.focus();
      },
      onEdit: actions.edit,
      onDelete: (message: TMessage) => void actions.remove(message).catch(() => undefined),
      onToggleReaction: (message: TMessage, emoji: string, isMine: boolean) =>
        void actions.toggleReaction(message, emoji, isMine).catch(() => undefined),
      onRetry: actions.retry,
    }),
    [actions.edit, actions.remove, actions.toggleReaction, actions.retry],
  );

  if (conversation.isPending) {
    return (
      <Center style={{ flex: 1 }}>
        <Loader aria-label={t("common.loading")} />
      </Center>
    );
  }
  if (conversation.isError) {
    if (isApiError(conversation.error) && conversation.error.code === "not_found") {
      return (
        <EmptyState
          icon={<IconAlertTriangle size={28} />}
          withIndicatorBackground
          title={t("conversation.notFoundTitle")}
          description={t("conversation.notFoundBody")}
          m="auto"
        />
      );
    }
    return (
      <Box p="md" style={{ flex: 1 }}>
        <QueryErrorAlert
          title={t("conversation.loadFailed")}
          error={conversation.error}
          onRetry={() => void conversation.refetch()}
          isRetrying={conversation.isRefetching}
        />
      </Box>
    );
  }

  const current = conversation.data;
  return (
    <>
      <Box className={classes.pane} data-testid="conversation-pane" data-conversation-id={current.id}>
        <ConversationHeader
          conversation={current}
          isContactPanelOpen={isWide ? isContactPanelOpen : isContactDrawerOpen}
          onToggleContactPanel={() => (isWide ? setContactPanelOpen((open) => !open) : setContactDrawerOpen((open) => !open))}
          onBack={onBack}
        />
        <MessageList
          key={anchor ?? "live"}
          conversation={current}
          myUserId={user.id}
          anchor={anchor}
          pending={actions.pending}
          actions={messageActions}
          onJumpToMessage={setAnchor}
        />
        <Composer
          ref={composerRef}
          conversation={current}
          myUserId={user.id}
          replyTo={replyTo}
          onCancelReply={() => setReplyTo(null)}
          onSend={(draft) => {
            // A reply always shows at the live end, so a window opened on old history goes back there.
            if (anchor !== null) setAnchor(null);
            actions.send(draft);
          }}
        />
      </Box>
      {isWide && isContactPanelOpen && <ContactPanel contactId={current.contact.id} currentConversationId={current.id} />}
      {!isWide && (
        <Drawer
          opened={isContactDrawerOpen}
          onClose={() => setContactDrawerOpen(false)}
          position={dir === "rtl" ? "left" : "right"}
          size={320}
          title={t("contacts.panel.label")}
          padding={0}
        >
          <ContactPanel contactId={current.contact.id} currentConversationId={current.id} variant="drawer" />
        </Drawer>
      )}
    </>
  );
};
