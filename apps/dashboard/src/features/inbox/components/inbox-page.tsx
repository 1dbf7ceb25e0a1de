import { Box, EmptyState } from "@mantine/core";
import type { TConversation } from "@parley/shared";
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { useNavigate, useParams, useSearchParams } from "react-router";
import { IconInbox } from "../../../components/icons";
import { NotFoundPage } from "../../../components/not-found-page";
import { QueryErrorAlert } from "../../../components/query-error-alert";
import { ConversationPane } from "../../conversation/components/conversation-pane";
import type { ConversationListParams } from "../api/conversations-api";
import { useInboxes, useTeams } from "../hooks/use-directory";
import { useSavedViews } from "../hooks/use-saved-views";
import { useShortcut } from "../hooks/use-shortcut";
import { type InboxView, parseViewSegment, recallView, rememberView, viewFilter, viewToSegment } from "../lib/inbox-views";
import { DEFAULT_LIST_OPTIONS, type ListOptions, optionsFilter, splitSavedFilter } from "../lib/list-options";
import { ConversationListPane } from "./conversation-list-pane";
import classes from "./inbox.module.css";
import { ViewsPane } from "./views-pane";

const useViewTitle = (view: InboxView, savedViewName: string | undefined): string => {
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
    case "saved":
      return savedViewName ?? t("inbox.savedViews.view");
  }
};

/** The list's own filters belong to where they were set: built-in views share them, each saved view starts from its own. */
const optionsScopeOf = (view: InboxView): string => (view.kind === "saved" ? `saved-${view.id}` : "views");

/** `/inbox`, `/inbox/:view` and `/inbox/conversations/:conversationId`: views, the list, the open conversation. */
export const InboxPage = () => {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const { view: segment, conversationId } = useParams();
  const [searchParams] = useSearchParams();
  const jumpToMessageId = searchParams.get("message");
  const parsedView = useMemo(() => parseViewSegment(segment), [segment]);
  const view = useMemo(() => parsedView ?? recallView(), [parsedView]);
  const savedViews = useSavedViews();
  const savedView = view.kind === "saved" ? savedViews.data?.items.find((item) => item.id === view.id) : undefined;
  const savedSplit = useMemo(() => (savedView ? splitSavedFilter(savedView.filter, savedView.sort) : null), [savedView]);
  const [scopedOptions, setScopedOptions] = useState<{ scope: string; options: ListOptions }>({
    scope: "views",
    options: DEFAULT_LIST_OPTIONS,
  });
  const scope = optionsScopeOf(view);
  // Opening a saved view applies its filters and sort to the list's controls (once it is known); leaving it resets them.
  if (scopedOptions.scope !== scope && (view.kind !== "saved" || savedSplit !== null)) {
    setScopedOptions({ scope, options: savedSplit?.options ?? DEFAULT_LIST_OPTIONS });
  }
  const options = scopedOptions.options;
  const setOptions = useCallback((next: ListOptions) => setScopedOptions((previous) => ({ ...previous, options: next })), []);
  const itemsRef = useRef<TConversation[]>([]);

  useEffect(() => {
    if (parsedView) rememberView(parsedView);
  }, [parsedView]);

  const isScopeReady = scopedOptions.scope === scope;
  const params: ConversationListParams | null = useMemo(() => {
    if (view.kind === "saved" && savedSplit === null) return null;
    if (!isScopeReady) return null;
    const base = savedSplit ? savedSplit.base : viewFilter(view);
    return { filter: { ...optionsFilter(options), ...base }, sort: options.sort };
  }, [options, view, savedSplit, isScopeReady]);
  const isSavedViewMissing = view.kind === "saved" && !savedView && !savedViews.isPending;
  const title = useViewTitle(view, savedView?.name);
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
      <ViewsPane activeView={view} currentParams={params} />
      <ConversationListPane
        title={title}
        activeView={view}
        params={params}
        unavailable={
          isSavedViewMissing ? (
            savedViews.isError ? (
              <Box p="sm">
                <QueryErrorAlert
                  title={t("inbox.savedViews.loadFailed")}
                  error={savedViews.error}
                  onRetry={() => void savedViews.refetch()}
                  isRetrying={savedViews.isRefetching}
                />
              </Box>
            ) : (
              <EmptyState
                icon={<IconInbox size={28} />}
                withIndicatorBackground
                title={t("inbox.savedViews.missingTitle")}
                description={t("inbox.savedViews.missingBody")}
                py="xl"
                px="md"
                data-testid="saved-view-missing"
              />
            )
          ) : undefined
        }
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
