import { type TCreateCannedResponseRequest, ZCannedResponse, ZCannedResponseList } from "@parley/shared";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { apiRequest, apiSend } from "../../../lib/api-client";

export const cannedQueryKey = ["settings", "canned-responses"] as const;
const cannedPath = (id: string) => `/canned-responses/${encodeURIComponent(id)}`;

export const useCannedResponses = (search: string) =>
  useQuery({
    queryKey: [...cannedQueryKey, search],
    queryFn: ({ signal }) =>
      apiRequest("/canned-responses", ZCannedResponseList, { query: { search: search.trim() || undefined }, signal }),
    placeholderData: (previous) => previous,
  });

export type CannedInput = Pick<TCreateCannedResponseRequest, "scope" | "shortcut" | "content">;

export const useSaveCannedResponse = () => {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ id, input }: { id: string | null; input: CannedInput }) =>
      id === null
        ? apiRequest("/canned-responses", ZCannedResponse, { method: "POST", body: input })
        : apiRequest(cannedPath(id), ZCannedResponse, {
            method: "PATCH",
            // The scope is fixed once created.
            body: { shortcut: input.shortcut, content: input.content },
          }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: cannedQueryKey }),
  });
};

export const useDeleteCannedResponse = () => {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => apiSend(cannedPath(id), { method: "DELETE" }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: cannedQueryKey }),
  });
};
