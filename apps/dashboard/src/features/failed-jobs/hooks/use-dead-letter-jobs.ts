import type { TDeadLetterPage } from "@parley/shared";
import { type InfiniteData, useInfiniteQuery } from "@tanstack/react-query";
import { deadLetterJobsQueryKey, fetchDeadLetterPage } from "../api/dead-letter-jobs-api";

export const useDeadLetterJobs = () =>
  useInfiniteQuery<
    TDeadLetterPage,
    Error,
    InfiniteData<TDeadLetterPage, string | null>,
    typeof deadLetterJobsQueryKey,
    string | null
  >({
    queryKey: deadLetterJobsQueryKey,
    queryFn: ({ pageParam, signal }) => fetchDeadLetterPage(pageParam, signal),
    initialPageParam: null,
    getNextPageParam: (lastPage) => lastPage.nextCursor,
  });
