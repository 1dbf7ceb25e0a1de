import {
  type TAssignConversationRequest,
  type TBulkRequest,
  type TChangeStatusRequest,
  type TConversation,
  type TConversationListFilter,
  type TConversationListQuery,
  type TConversationPage,
  type TSnoozeRequest,
  type TUpdateConversationRequest,
  ZBulkAccepted,
  ZBulkProgress,
  ZConversation,
  ZConversationCounts,
  ZConversationPage,
  ZMentionList,
  ZTranscriptQueued,
} from "@parley/shared";
import type { InfiniteData, QueryClient } from "@tanstack/react-query";
import { apiRequest, apiSend } from "../../../lib/api-client";

/** What one list shows: a filter and a sort (the cursor and page size are the query's own business). */
export type ConversationListParams = { filter: TConversationListFilter; sort: TConversationListQuery["sort"] };

export const conversationKeys = {
  all: ["conversations"] as const,
  lists: ["conversations", "list"] as const,
  list: (params: ConversationListParams) => ["conversations", "list", params] as const,
  counts: ["conversations", "counts"] as const,
  detail: (id: string) => ["conversations", "detail", id] as const,
  assignments: (id: string) => ["conversations", "assignments", id] as const,
  bulk: (operationId: string) => ["conversations", "bulk", operationId] as const,
};

export const PAGE_SIZE = 25;

/** Filters as query parameters: lists become comma-separated values, flags "true"/"false". */
const toQuery = (filter: TConversationListFilter): Record<string, string | undefined> => {
  const query: Record<string, string | undefined> = {};
  for (const [key, value] of Object.entries(filter)) {
    if (value === undefined) continue;
    query[key] = Array.isArray(value) ? value.join(",") : String(value);
  }
  return query;
};

export const fetchConversationPage = (params: ConversationListParams, cursor: string | null, signal?: AbortSignal) =>
  apiRequest("/conversations", ZConversationPage, {
    query: { ...toQuery(params.filter), sort: params.sort, limit: PAGE_SIZE, cursor: cursor ?? undefined },
    signal,
  });

export const fetchConversationCounts = (signal?: AbortSignal) =>
  apiRequest("/conversations/counts", ZConversationCounts, { signal });

export const fetchConversation = (id: string, signal?: AbortSignal) =>
  apiRequest(`/conversations/${encodeURIComponent(id)}`, ZConversation, { signal });

const path = (id: string, suffix = "") => `/conversations/${encodeURIComponent(id)}${suffix}`;

export const changeStatus = (id: string, body: TChangeStatusRequest) =>
  apiRequest(path(id, "/status"), ZConversation, { method: "POST", body });
export const snoozeConversation = (id: string, body: TSnoozeRequest) =>
  apiRequest(path(id, "/snooze"), ZConversation, { method: "POST", body });
export const updateConversation = (id: string, body: TUpdateConversationRequest) =>
  apiRequest(path(id), ZConversation, { method: "PATCH", body });
export const assignConversation = (id: string, body: TAssignConversationRequest) =>
  apiRequest(path(id, "/assign"), ZConversation, { method: "POST", body });
export const claimConversation = (id: string) => apiRequest(path(id, "/claim"), ZConversation, { method: "POST" });
export const fetchUnreadMentions = (signal?: AbortSignal) =>
  apiRequest("/mentions", ZMentionList, { query: { unread: "true", limit: 100 }, signal });
export const markMentionRead = (mentionId: string) =>
  apiSend(`/mentions/${encodeURIComponent(mentionId)}/read`, { method: "POST" });
export const markConversationRead = (id: string) => apiRequest(path(id, "/read"), ZConversation, { method: "POST" });
export const markConversationUnread = (id: string) => apiRequest(path(id, "/unread"), ZConversation, { method: "POST" });
export const requestTranscript = (id: string, email: string | undefined) =>
  apiRequest(path(id, "/transcript"), ZTranscriptQueued, { method: "POST", body: email ? { email } : {} });
export const startBulkOperation = (body: TBulkRequest) =>
  apiRequest("/conversations/bulk", ZBulkAccepted, { method: "POST", body });
export const fetchBulkProgress = (operationId: string, signal?: AbortSignal) =>
  apiRequest(`/conversations/bulk/${encodeURIComponent(operationId)}`, ZBulkProgress, { signal });

type ListData = InfiniteData<TConversationPage, string | null>;

const PRIORITY_RANK: Record<TConversation["priority"], number> = { low: 0, medium: 1, high: 2, urgent: 3 };

/** Negative when `a` comes first in a list with this sort (the server's order, the id as tie-breaker). */
export const compareForSort = (sort: ConversationListParams["sort"], a: TConversation, b: TConversation): number => {
  const byId = b.id.localeCompare(a.id);
  const time = (iso: string | null, fallback: number) => (iso === null ? fallback : Date.parse(iso));
  switch (sort) {
    case "latest":
      return time(b.lastActivityAt, 0) - time(a.lastActivityAt, 0) || byId;
    case "created":
      return time(b.createdAt, 0) - time(a.createdAt, 0) || byId;
    case "priority":
      return (
        PRIORITY_RANK[b.priority] - PRIORITY_RANK[a.priority] || time(b.lastActivityAt, 0) - time(a.lastActivityAt, 0) || byId
      );
    case "waiting":
      return (
        time(a.waitingSince, Number.POSITIVE_INFINITY) - time(b.waitingSince, Number.POSITIVE_INFINITY) ||
        a.id.localeCompare(b.id)
      );
  }
};

/**
 * Whether a conversation belongs in a list, as far as the dashboard can tell from the conversation
 * alone; `undefined` when only the server knows (mentions).
 */
export const matchesListFilter = (
  conversation: TConversation,
  filter: TConversationListFilter,
  userId: string,
): boolean | undefined => {
  if (filter.view === "mentions") return undefined;
  const checks: boolean[] = [
    filter.status === undefined || filter.status.includes(conversation.status),
    filter.inboxId === undefined || conversation.inbox.id === filter.inboxId,
    filter.assigneeId === undefined || conversation.assigneeId === filter.assigneeId,
    (filter.assignee !== "me" && filter.view !== "mine") || conversation.assigneeId === userId,
    (filter.assignee !== "unassigned" && filter.view !== "unassigned") || conversation.assigneeId === null,
    filter.teamId === undefined || conversation.teamId === filter.teamId,
    filter.label === undefined || conversation.labels.includes(filter.label),
    filter.priority === undefined || filter.priority.includes(conversation.priority),
    filter.channel === undefined || conversation.inbox.type === filter.channel,
    filter.unread === undefined || conversation.unreadCount > 0 === filter.unread,
    filter.hasUnanswered === undefined || (conversation.waitingSince !== null) === filter.hasUnanswered,
    filter.missed === undefined || conversation.isMissed === filter.missed,
    conversation.isArchived === (filter.archived ?? false),
  ];
  return checks.every(Boolean);
};

const paramsOfKey = (key: readonly unknown[]): ConversationListParams | undefined => {
  const params = key[2];
  if (typeof params !== "object" || params === null || !("filter" in params) || !("sort" in params)) return undefined;
  return params as ConversationListParams;
};

/**
 * The unread count in broadcasts is everyone's (the server does not know the viewer there); when
 * no new message arrived, the count this member already had stays.
 */
const mergeConversation = (previous: TConversation | undefined, next: TConversation): TConversation =>
  previous && previous.lastMessageSeq === next.lastMessageSeq && next.unreadCount !== 0
    ? { ...next, unreadCount: previous.unreadCount }
    : next;

const findCached = (queryClient: QueryClient, id: string): TConversation | undefined => {
  const detail = queryClient.getQueryData<TConversation>(conversationKeys.detail(id));
  if (detail) return detail;
  for (const [, data] of queryClient.getQueriesData<ListData>({ queryKey: conversationKeys.lists })) {
    const found = data?.pages.flatMap((page) => page.items).find((item) => item.id === id);
    if (found) return found;
  }
  return undefined;
};

/**
 * Writes a changed (or new) conversation into every cached list and its detail: in place, moved to
 * where the list's sort puts it, added where it now matches, removed where it no longer does.
 */
export const applyConversationChange = (
  queryClient: QueryClient,
  incoming: TConversation,
  options: { userId: string; isOpenHere?: boolean; isForViewer?: boolean },
): TConversation => {
  // An HTTP answer is computed for this member, so its unread count is theirs; a broadcast's is not.
  const merged = options.isForViewer ? incoming : mergeConversation(findCached(queryClient, incoming.id), incoming);
  const conversation = options.isOpenHere ? { ...merged, unreadCount: 0 } : merged;
  queryClient.setQueryData<TConversation>(conversationKeys.detail(conversation.id), conversation);
  for (const [key, data] of queryClient.getQueriesData<ListData>({ queryKey: conversationKeys.lists })) {
    const params = paramsOfKey(key);
    if (!data || !params) continue;
    const isListed = data.pages.some((page) => page.items.some((item) => item.id === conversation.id));
    const matches = matchesListFilter(conversation, params.filter, options.userId);
    if (matches === undefined) {
      if (isListed) queryClient.setQueryData<ListData>(key, replaceIn(data, conversation));
      else void queryClient.invalidateQueries({ queryKey: key, exact: true });
      continue;
    }
    if (!matches && !isListed) continue;
    queryClient.setQueryData<ListData>(key, placeIn(data, conversation, params, matches));
  }
  return conversation;
};

const replaceIn = (data: ListData, conversation: TConversation): ListData => ({
  ...data,
  pages: data.pages.map((page) => ({
    ...page,
    items: page.items.map((item) => (item.id === conversation.id ? conversation : item)),
  })),
});

/** Takes the conversation out and, when it matches, puts it back where the sort places it among the loaded ones. */
const placeIn = (data: ListData, conversation: TConversation, params: ConversationListParams, matches: boolean): ListData => {
  const pages = data.pages.map((page) => ({ ...page, items: page.items.filter((item) => item.id !== conversation.id) }));
  if (!matches) return { ...data, pages };
  const lastPageIndex = pages.length - 1;
  for (const [pageIndex, page] of pages.entries()) {
    const position = page.items.findIndex((item) => compareForSort(params.sort, conversation, item) < 0);
    // Past the last loaded item, it belongs on a page not loaded yet, unless the list has no more pages.
    const isEnd = pageIndex === lastPageIndex && page.nextCursor === null;
    if (position >= 0 || isEnd) {
      const items = [...page.items];
      items.splice(position >= 0 ? position : items.length, 0, conversation);
      pages[pageIndex] = { ...page, items };
      return { ...data, pages };
    }
  }
  return { ...data, pages };
};
