import { useMutation, useQueryClient } from "@tanstack/react-query";
import { isApiError } from "../../../lib/api-client";
import { deadLetterJobsQueryKey, replaceDeadLetterJob, retryDeadLetterJob } from "../api/dead-letter-jobs-api";

export const useRetryDeadLetterJob = () => {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: retryDeadLetterJob,
    onSuccess: (job) => replaceDeadLetterJob(queryClient, job),
    onError: (error) => {
      // Retried from another tab or by another admin: reload to show its real state.
      if (isApiError(error) && (error.code === "conflict" || error.code === "not_found")) {
        void queryClient.invalidateQueries({ queryKey: deadLetterJobsQueryKey });
      }
    },
  });
};
