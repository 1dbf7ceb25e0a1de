import type { TConversationPage } from "@parley/shared";
import { type InfiniteData, useInfiniteQuery, useQuery } from "@tanstack/react-query";
import {
  type ConversationListParams,
  conversationKeys,
  fetchConversation,
  fetchConversationCounts,
  fetchConversationPage,
} from "../api/conversations-api";

/** A list's pages; socket events keep them current, so they are never considered stale. */
export const useConversationList = (params: ConversationListParams, enabled = true) =>
  useInfiniteQuery<
    TConversationPage,
    Error,
    InfiniteData<TConversationPage, string | null>,
    ReturnType<typeof conversationKeys.list>,
    string | null
  >({
    queryKey: conversationKeys.list(params),
    queryFn: ({ pageParam, signal }) => fetchConversationPage(params, pageParam, signal),
    initialPageParam: null,
    getNextPageParam: (lastPage) => lastPage.nextCursor,
    staleTime: Number.POSITIVE_INFINITY,
    enabled,
  });

export const useConversationCounts = () =>
  useQuery({
    queryKey: conversationKeys.counts,
    queryFn: ({ signal }) => fetchConversationCounts(signal),
    staleTime: Number.POSITIVE_INFINITY,
  });

export const useConversation = (id: string | undefined) =>
  useQuery({
    queryKey: conversationKeys.detail(id ?? ""),
    queryFn: ({ signal }) => fetchConversation(id ?? "", signal),
    enabled: id !== undefined,
    staleTime: Number.POSITIVE_INFINITY,
  });
