import { Box, Button, Checkbox, EmptyState, Group, Loader, ScrollArea, Skeleton, Stack, Text, Title } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import type { TConversation } from "@parley/shared";
import { type ReactNode, useCallback, useEffect, useMemo, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { useNavigate } from "react-router";
import { IconInbox } from "../../../components/icons";
import { QueryErrorAlert } from "../../../components/query-error-alert";
import { useHasPermission } from "../../auth/hooks/use-permissions";
import type { ConversationListParams } from "../api/conversations-api";
import { useConversationCounts, useConversationList } from "../hooks/use-conversation-list";
import { useAgents } from "../hooks/use-directory";
import { useNow } from "../hooks/use-now";
import { type InboxView, viewToSegment } from "../lib/inbox-views";
import type { ListOptions } from "../lib/list-options";
import { BulkActionsBar } from "./bulk-actions-bar";
import { ConversationListItem } from "./conversation-list-item";
import classes from "./inbox.module.css";
import { ListFilters } from "./list-filters";
import { SavedViewModal, type SavedViewModalTarget } from "./saved-view-modal";
import { ViewSelect } from "./view-select";

type Props = {
  title: string;
  activeView: InboxView;
  /** Null while the view's own filter is not known yet (a saved view loading) or cannot be (see `unavailable`). */
  params: ConversationListParams | null;
  /** Shown instead of the list when the view cannot be listed (a saved view that no longer exists). */
  unavailable?: ReactNode;
  options: ListOptions;
  onOptionsChange: (options: ListOptions) => void;
  activeConversationId: string | undefined;
  onOpen: (id: string) => void;
  /** The loaded conversations in order, for next/previous shortcuts. */
  onItemsChange: (items: TConversation[]) => void;
};

/** The query key of a list that is not fetched (see `params`). */
const NO_PARAMS: ConversationListParams = { filter: {}, sort: "latest" };

const ListSkeleton = () => (
  <Stack gap={0} aria-busy="true" data-testid="conversation-list-loading">
    {[1, 2, 3, 4, 5, 6].map((row) => (
      <Group key={row} p="sm" gap="sm" wrap="nowrap">
        <Skeleton height={38} circle />
        <Stack gap={6} style={{ flex: 1 }}>
          <Skeleton height={10} width="60%" />
          <Skeleton height={8} width="90%" />
        </Stack>
      </Group>
    ))}
  </Stack>
);

export const ConversationListPane = ({
  title,
  activeView,
  params,
  unavailable,
  options,
  onOptionsChange,
  activeConversationId,
  onOpen,
  onItemsChange,
}: Props) => {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const list = useConversationList(params ?? NO_PARAMS, params !== null);
  const [savingView, setSavingView] = useState<SavedViewModalTarget | null>(null);
  const { agentOf } = useAgents();
  const now = useNow();
  const canBulk = useHasPermission()("conversations.manage");
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const sentinelRef = useRef<HTMLDivElement>(null);

  const items = useMemo(() => list.data?.pages.flatMap((page) => page.items) ?? [], [list.data]);
  useEffect(() => onItemsChange(items), [items, onItemsChange]);
  // A new view or filter starts a new selection.
  const paramsKey = JSON.stringify(params);
  // biome-ignore lint/correctness/useExhaustiveDependencies: the selection resets when the list's parameters change.
  useEffect(() => setSelected(new Set()), [paramsKey]);

  // Infinite scroll: the next page loads when the end of the list comes into view.
  const { hasNextPage, isFetchingNextPage, fetchNextPage, isFetchNextPageError } = list;
  useEffect(() => {
    const sentinel = sentinelRef.current;
    if (!sentinel || !hasNextPage || isFetchNextPageError) return;
    const observer = new IntersectionObserver((entries) => {
      if (entries.some((entry) => entry.isIntersecting) && !isFetchingNextPage) void fetchNextPage();
    });
    observer.observe(sentinel);
    return () => observer.disconnect();
  }, [hasNextPage, isFetchingNextPage, isFetchNextPageError, fetchNextPage]);

  const toggleSelected = useCallback((id: string) => {
    setSelected((previous) => {
      const next = new Set(previous);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });
  }, []);
  const isAllSelected = items.length > 0 && items.every((item) => selected.has(item.id));
  const counts = useConversationCounts();
  // An empty "mine" while conversations wait for someone: point there rather than at nothing.
  const waitingUnassigned = activeView.kind === "view" && activeView.view === "mine" ? (counts.data?.unassigned ?? 0) : 0;

  return (
    <Box className={classes.listPane} component="section" aria-label={t("inbox.list.label")}>
      <Stack gap="xs" p="sm" style={{ borderBottom: "1px solid var(--mantine-color-default-border)" }}>
        <Group justify="space-between" wrap="nowrap" gap="xs">
          <Group gap="xs" wrap="nowrap" miw={0}>
            {canBulk && (
              <Checkbox
                size="xs"
                checked={isAllSelected}
                indeterminate={selected.size > 0 && !isAllSelected}
                onChange={() => setSelected(isAllSelected ? new Set() : new Set(items.map((item) => item.id)))}
                aria-label={t("inbox.list.selectAll")}
                disabled={items.length === 0}
              />
            )}
            <Title order={2} fz="md" lineClamp={1} data-testid="inbox-view-title">
              {title}
            </Title>
          </Group>
          {list.isFetching && !list.isPending && <Loader size="xs" aria-label={t("common.loading")} />}
        </Group>
        <ViewSelect activeView={activeView} />
        <ListFilters
          options={options}
          onChange={onOptionsChange}
          onSaveView={params ? () => setSavingView({ kind: "create", params }) : undefined}
        />
        {canBulk && <BulkActionsBar selectedIds={[...selected]} onClear={() => setSelected(new Set())} />}
      </Stack>
      <ScrollArea style={{ flex: 1 }} type="auto">
        {unavailable}
        {unavailable === undefined && list.isPending && <ListSkeleton />}
        {list.isError && !list.isFetchNextPageError && (
          <Box p="sm">
            <QueryErrorAlert
              title={t("inbox.list.loadFailed")}
              error={list.error}
              onRetry={() => void list.refetch()}
              isRetrying={list.isRefetching}
            />
          </Box>
        )}
        {list.isSuccess && items.length === 0 && (
          <EmptyState
            icon={<IconInbox size={28} />}
            withIndicatorBackground
            title={t("inbox.list.emptyTitle")}
            description={
              waitingUnassigned > 0 ? t("inbox.list.mineEmptyBody", { count: waitingUnassigned }) : t("inbox.list.emptyBody")
            }
            py="xl"
            px="md"
          >
            {waitingUnassigned > 0 && (
              <EmptyState.Actions>
                <Button
                  size="xs"
                  variant="light"
                  onClick={() => navigate(`/inbox/${viewToSegment({ kind: "view", view: "unassigned" })}`)}
                >
                  {t("inbox.list.showUnassigned")}
                </Button>
              </EmptyState.Actions>
            )}
          </EmptyState>
        )}
        <Box component="ul" aria-label={title} data-testid="conversation-list" m={0} p={0} style={{ listStyle: "none" }}>
          {items.map((conversation) => (
            <li key={conversation.id}>
              <ConversationListItem
                conversation={conversation}
                isActive={conversation.id === activeConversationId}
                isSelected={selected.has(conversation.id)}
                canSelect={canBulk}
                assignee={agentOf(conversation.assigneeId)}
                now={now}
                onOpen={onOpen}
                onToggleSelected={toggleSelected}
              />
            </li>
          ))}
        </Box>
        {list.isFetchNextPageError && (
          <Box p="sm">
            <QueryErrorAlert
              title={t("inbox.list.loadMoreFailed")}
              error={list.error}
              onRetry={() => void fetchNextPage()}
              isRetrying={isFetchingNextPage}
            />
          </Box>
        )}
        {hasNextPage && !isFetchNextPageError && (
          <Group justify="center" p="sm" ref={sentinelRef}>
            <Button size="xs" variant="subtle" loading={isFetchingNextPage} onClick={() => void fetchNextPage()}>
              {t("inbox.list.loadMore")}
            </Button>
          </Group>
        )}
        {list.isSuccess && items.length > 0 && !hasNextPage && (
          <Text size="xs" c="dimmed" ta="center" p="sm">
            {t("inbox.list.end")}
          </Text>
        )}
      </ScrollArea>
      <SavedViewModal
        target={savingView}
        onClose={() => setSavingView(null)}
        onSaved={(view) => {
          notifications.show({ color: "teal", message: t("inbox.savedViews.created", { name: view.name }) });
          navigate(`/inbox/${viewToSegment({ kind: "saved", id: view.id })}`);
        }}
      />
    </Box>
  );
};
