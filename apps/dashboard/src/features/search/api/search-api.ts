import { type SEARCH_TYPES, type TSearchResponse, ZSearchResponse } from "@parley/shared";
import { type InfiniteData, useInfiniteQuery } from "@tanstack/react-query";
import { apiRequest } from "../../../lib/api-client";

export type SearchParams = {
  q: string;
  type: (typeof SEARCH_TYPES)[number];
  inboxId?: string;
  sender?: "contact" | "agent";
  from?: string;
  to?: string;
};

export const searchKeys = { results: (params: SearchParams) => ["search", params] as const };

export const fetchSearchPage = (params: SearchParams, cursor: string | null, signal?: AbortSignal) =>
  apiRequest("/search", ZSearchResponse, { query: { ...params, cursor: cursor ?? undefined, limit: 20 }, signal });

export const useSearch = (params: SearchParams) =>
  useInfiniteQuery<
    TSearchResponse,
    Error,
    InfiniteData<TSearchResponse, string | null>,
    ReturnType<typeof searchKeys.results>,
    string | null
  >({
    queryKey: searchKeys.results(params),
    queryFn: ({ pageParam, signal }) => fetchSearchPage(params, pageParam, signal),
    initialPageParam: null,
    getNextPageParam: (lastPage) => lastPage.nextCursor,
    enabled: params.q.trim() !== "",
  });
