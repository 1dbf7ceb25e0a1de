import { Box, EmptyState } from "@mantine/core";
import type { TConversation } from "@parley/shared";
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { useNavigate, useParams, useSearchParams } from "react-router";
import { IconInbox } from "../../../components/icons";
import { NotFoundPage } from "../../../components/not-found-page";
import { ConversationPane } from "../../conversation/components/conversation-pane";
import type { ConversationListParams } from "../api/conversations-api";
import { useInboxes, useTeams } from "../hooks/use-directory";
import { useShortcut } from "../hooks/use-shortcut";
import { type InboxView, parseViewSegment, recallView, rememberView, viewFilter, viewToSegment } from "../lib/inbox-views";
import { DEFAULT_LIST_OPTIONS, type ListOptions, optionsFilter } from "../lib/list-options";
import { ConversationListPane } from "./conversation-list-pane";
import classes from "./inbox.module.css";
import { ViewsPane } from "./views-pane";

const useViewTitle = (view: InboxView): string => {
  const { t } = useTranslation();
  const inboxes = useInboxes();
  const teams = useTeams();
  switch (view.kind) {
    case "view":
      return t(`inbox.views.${view.view}`);
    case "inbox":
      return inboxes.data?.items.find((inbox) => inbox.id === view.id)?.name ?? t("inbox.views.inbox");
    case "team":
      return teams.data?.items.find((team) => team.id === view.id)?.name ?? t("inbox.views.team");
    case "label":
      return view.name;
  }
};

/** `/inbox`, `/inbox/:view` and `/inbox/conversations/:conversationId`: views, the list, the open conversation. */
export const InboxPage = () => {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const { view: segment, conversationId } = useParams();
  const [searchParams] = useSearchParams();
  const jumpToMessageId = searchParams.get("message");
  const parsedView = useMemo(() => parseViewSegment(segment), [segment]);
  const view = useMemo(() => parsedView ?? recallView(), [parsedView]);
  const [options, setOptions] = useState<ListOptions>(DEFAULT_LIST_OPTIONS);
  const itemsRef = useRef<TConversation[]>([]);

  useEffect(() => {
    if (parsedView) rememberView(parsedView);
  }, [parsedView]);

  const params: ConversationListParams = useMemo(
    () => ({ filter: { ...optionsFilter(options), ...viewFilter(view) }, sort: options.sort }),
    [options, view],
  );
  const title = useViewTitle(view);
  const openConversation = useCallback((id: string) => navigate(`/inbox/conversations/${id}`), [navigate]);
  const onItemsChange = useCallback((items: TConversation[]) => {
    itemsRef.current = items;
  }, []);

  // j / k: the next or previous conversation of the list.
  const step = (offset: number) => {
    const items = itemsRef.current;
    if (items.length === 0) return;
    const index = items.findIndex((item) => item.id === conversationId);
    const next = items[index < 0 ? 0 : Math.min(items.length - 1, Math.max(0, index + offset))];
    if (next) openConversation(next.id);
  };
  useShortcut("j", () => step(1));
  useShortcut("k", () => step(-1));

  if (segment !== undefined && parsedView === null) return <NotFoundPage />;

  return (
    <Box className={classes.layout} data-has-conversation={conversationId ? true : undefined}>
      <title>{`${title} · ${t("app.name")}`}</title>
      <ViewsPane activeView={view} />
      <ConversationListPane
        title={title}
        activeView={view}
        params={params}
        options={options}
        onOptionsChange={setOptions}
        activeConversationId={conversationId}
        onOpen={openConversation}
        onItemsChange={onItemsChange}
      />
      <Box className={classes.mainPane} component="section" aria-label={t("inbox.conversationPane")}>
        {conversationId ? (
          <ConversationPane
            key={conversationId}
            conversationId={conversationId}
            jumpToMessageId={jumpToMessageId}
            onBack={() => navigate(`/inbox/${viewToSegment(view)}`)}
          />
        ) : (
          <EmptyState
            icon={<IconInbox size={28} />}
            withIndicatorBackground
            title={t("inbox.noConversationTitle")}
            description={t("inbox.noConversationBody")}
            m="auto"
          />
        )}
      </Box>
    </Box>
  );
};
