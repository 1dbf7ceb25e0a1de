import type { TMessagePage } from "@parley/shared";
import { useInfiniteQuery } from "@tanstack/react-query";
import { fetchMessagePage, type MessageHistory, type MessagePageParam, messageKeys } from "../api/messages-api";

/**
 * A window of a conversation's history that grows both ways: older pages before the first seq,
 * newer ones after the last. Opened at the live end, or around a message (jump from search).
 */
export const useMessageHistory = (conversationId: string, anchor: string | null) =>
  useInfiniteQuery<TMessagePage, Error, MessageHistory, ReturnType<typeof messageKeys.history>, MessagePageParam>({
    queryKey: messageKeys.history(conversationId, anchor),
    queryFn: ({ pageParam, signal }) => fetchMessagePage(conversationId, pageParam, signal),
    initialPageParam: anchor ? { around: anchor } : {},
    getNextPageParam: (lastPage) => {
      const last = lastPage.items.at(-1);
      return lastPage.hasNewer && last ? { after: last.seq } : undefined;
    },
    getPreviousPageParam: (firstPage) => {
      const first = firstPage.items[0];
      return firstPage.hasOlder && first ? { before: first.seq } : undefined;
    },
    // Live events keep the window current; it is fetched again only after a reconnect.
    staleTime: Number.POSITIVE_INFINITY,
    select: (data) => data,
  });
