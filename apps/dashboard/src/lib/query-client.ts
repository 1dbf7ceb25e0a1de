import { MutationCache, QueryCache, QueryClient } from "@tanstack/react-query";
import { isApiError } from "./api-client";

const MAX_RETRIES = 2;

/**
 * `onSessionEnded` runs when any call answers 401 `unauthorized` (not `invalid_credentials`, which
 * is a failed sign-in), so an expired or revoked session sends the user back to the login page.
 */
export const createQueryClient = (onSessionEnded: (queryClient: QueryClient) => void): QueryClient => {
  const handleError = (error: unknown) => {
    if (isApiError(error) && error.code === "unauthorized") onSessionEnded(queryClient);
  };
  const queryClient: QueryClient = new QueryClient({
    queryCache: new QueryCache({ onError: handleError }),
    mutationCache: new MutationCache({ onError: handleError }),
    defaultOptions: {
      queries: {
        staleTime: 30_000,
        // A 4xx will answer the same way again; network and 5xx problems are worth another try.
        retry: (failureCount, error) => {
          if (isApiError(error) && error.status >= 400 && error.status < 500) return false;
          return failureCount < MAX_RETRIES;
        },
      },
      mutations: { retry: false },
    },
  });
  return queryClient;
};
