import { type TDeadLetterJob, type TDeadLetterPage, ZDeadLetterJob, ZDeadLetterPage } from "@parley/shared";
import type { InfiniteData, QueryClient } from "@tanstack/react-query";
import { apiRequest } from "../../../lib/api-client";

export const deadLetterJobsQueryKey = ["admin", "dead-letter-jobs"] as const;

const PAGE_SIZE = 25;

export const fetchDeadLetterPage = (cursor: string | null, signal?: AbortSignal) =>
  apiRequest("/admin/dead-letter-jobs", ZDeadLetterPage, { query: { limit: PAGE_SIZE, cursor: cursor ?? undefined }, signal });

export const retryDeadLetterJob = (id: string) =>
  apiRequest(`/admin/dead-letter-jobs/${encodeURIComponent(id)}/retry`, ZDeadLetterJob, { method: "POST" });

/** Replaces one job in the loaded pages, keeping every page's cursor as it was. */
export const replaceDeadLetterJob = (queryClient: QueryClient, job: TDeadLetterJob): void => {
  queryClient.setQueryData<InfiniteData<TDeadLetterPage, string | null>>(deadLetterJobsQueryKey, (data) => {
    if (!data) return data;
    return {
      ...data,
      pages: data.pages.map((page) => ({
        ...page,
        items: page.items.map((item) => (item.id === job.id ? job : item)),
      })),
    };
  });
};
