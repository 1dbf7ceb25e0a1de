import {
  type TCreateProactiveTriggerRequest,
  type TUpdateProactiveTriggerRequest,
  ZProactiveTrigger,
  ZProactiveTriggerList,
} from "@parley/shared";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { apiRequest, apiSend } from "../../../lib/api-client";

export const triggersQueryKey = ["settings", "proactive-triggers"] as const;
const triggerPath = (id: string) => `/proactive-triggers/${encodeURIComponent(id)}`;

export const useTriggers = () =>
  useQuery({
    queryKey: triggersQueryKey,
    queryFn: ({ signal }) => apiRequest("/proactive-triggers", ZProactiveTriggerList, { signal }),
  });

export const useSaveTrigger = () => {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (
      request: { id: null; input: TCreateProactiveTriggerRequest } | { id: string; input: TUpdateProactiveTriggerRequest },
    ) =>
      request.id === null
        ? apiRequest("/proactive-triggers", ZProactiveTrigger, { method: "POST", body: request.input })
        : apiRequest(triggerPath(request.id), ZProactiveTrigger, { method: "PATCH", body: request.input }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: triggersQueryKey }),
  });
};

export const useDeleteTrigger = () => {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => apiSend(triggerPath(id), { method: "DELETE" }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: triggersQueryKey }),
  });
};

/** The run order: every trigger id, first to run first. */
export const useReorderTriggers = () => {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (ids: string[]) =>
      apiRequest("/proactive-triggers/order", ZProactiveTriggerList, { method: "PUT", body: { ids } }),
    onSuccess: (list) => queryClient.setQueryData(triggersQueryKey, list),
  });
};
