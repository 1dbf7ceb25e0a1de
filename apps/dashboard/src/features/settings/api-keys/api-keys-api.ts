import { type TApiKeyPage, type TCreateApiKeyRequest, ZApiKey, ZApiKeyPage, ZCreatedApiKey } from "@parley/shared";
import { type InfiniteData, useInfiniteQuery, useMutation, useQueryClient } from "@tanstack/react-query";
import { apiRequest } from "../../../lib/api-client";

export const apiKeysQueryKey = ["settings", "api-keys"] as const;

export const useApiKeys = () =>
  useInfiniteQuery<TApiKeyPage, Error, InfiniteData<TApiKeyPage, string | null>, typeof apiKeysQueryKey, string | null>({
    queryKey: apiKeysQueryKey,
    queryFn: ({ pageParam, signal }) =>
      apiRequest("/api-keys", ZApiKeyPage, { query: { cursor: pageParam ?? undefined, limit: 25 }, signal }),
    initialPageParam: null,
    getNextPageParam: (lastPage) => lastPage.nextCursor,
  });

export const useCreateApiKey = () => {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: TCreateApiKeyRequest) => apiRequest("/api-keys", ZCreatedApiKey, { method: "POST", body: input }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: apiKeysQueryKey }),
  });
};

export const useRevokeApiKey = () => {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => apiRequest(`/api-keys/${encodeURIComponent(id)}`, ZApiKey, { method: "DELETE" }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: apiKeysQueryKey }),
  });
};
