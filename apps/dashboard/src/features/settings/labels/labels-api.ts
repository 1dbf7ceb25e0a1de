import { type TCreateLabelRequest, ZLabel, ZLabelList } from "@parley/shared";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { apiRequest, apiSend } from "../../../lib/api-client";

export const labelsQueryKey = ["settings", "labels"] as const;
const labelPath = (id: string) => `/labels/${encodeURIComponent(id)}`;

export const useLabels = () =>
  useQuery({ queryKey: labelsQueryKey, queryFn: ({ signal }) => apiRequest("/labels", ZLabelList, { signal }) });

export type LabelInput = Pick<TCreateLabelRequest, "name" | "color" | "description">;

export const useSaveLabel = () => {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ id, input }: { id: string | null; input: LabelInput }) =>
      id === null
        ? apiRequest("/labels", ZLabel, { method: "POST", body: input })
        : apiRequest(labelPath(id), ZLabel, { method: "PATCH", body: input }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: labelsQueryKey }),
  });
};

export const useDeleteLabel = () => {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => apiSend(labelPath(id), { method: "DELETE" }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: labelsQueryKey }),
  });
};
