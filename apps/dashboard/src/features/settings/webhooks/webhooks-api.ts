import {
  type TCreateWebhookRequest,
  type TUpdateWebhookRequest,
  type TWebhookDelivery,
  ZWebhook,
  ZWebhookDelivery,
  ZWebhookDeliveryPage,
  ZWebhookList,
  ZWebhookWithSecret,
} from "@parley/shared";
import { type InfiniteData, useInfiniteQuery, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { apiRequest, apiSend } from "../../../lib/api-client";

export const webhooksQueryKey = ["settings", "webhooks"] as const;
const deliveriesQueryKey = (id: string) => [...webhooksQueryKey, id, "deliveries"] as const;
const webhookPath = (id: string) => `/webhooks/${encodeURIComponent(id)}`;

type DeliveryPage = { items: TWebhookDelivery[]; nextCursor: string | null };

export const useWebhooks = () =>
  useQuery({ queryKey: webhooksQueryKey, queryFn: ({ signal }) => apiRequest("/webhooks", ZWebhookList, { signal }) });

export const useCreateWebhook = () => {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: TCreateWebhookRequest) => apiRequest("/webhooks", ZWebhookWithSecret, { method: "POST", body: input }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: webhooksQueryKey, exact: true }),
  });
};

export const useUpdateWebhook = () => {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ id, changes }: { id: string; changes: TUpdateWebhookRequest }) =>
      apiRequest(webhookPath(id), ZWebhook, { method: "PATCH", body: changes }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: webhooksQueryKey, exact: true }),
  });
};

export const useEnableWebhook = () => {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => apiRequest(`${webhookPath(id)}/enable`, ZWebhook, { method: "POST" }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: webhooksQueryKey, exact: true }),
  });
};

export const useRotateWebhookSecret = () =>
  useMutation({
    mutationFn: (id: string) => apiRequest(`${webhookPath(id)}/rotate-secret`, ZWebhookWithSecret, { method: "POST" }),
  });

export const useDeleteWebhook = () => {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => apiSend(webhookPath(id), { method: "DELETE" }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: webhooksQueryKey, exact: true }),
  });
};

export const useWebhookDeliveries = (id: string | null) =>
  useInfiniteQuery<DeliveryPage, Error, InfiniteData<DeliveryPage, string | null>, readonly unknown[], string | null>({
    queryKey: deliveriesQueryKey(id ?? ""),
    queryFn: ({ pageParam, signal }) =>
      apiRequest(`${webhookPath(id ?? "")}/deliveries`, ZWebhookDeliveryPage, {
        query: { cursor: pageParam ?? undefined, limit: 25 },
        signal,
      }),
    initialPageParam: null,
    getNextPageParam: (lastPage) => lastPage.nextCursor,
    enabled: id !== null,
  });

/** The redelivery is a new delivery, newest first, so it goes on top of the first page. */
export const useRedeliver = (webhookId: string) => {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (deliveryId: string) =>
      apiRequest(`${webhookPath(webhookId)}/deliveries/${encodeURIComponent(deliveryId)}/redeliver`, ZWebhookDelivery, {
        method: "POST",
      }),
    onSuccess: (delivery: TWebhookDelivery) => {
      queryClient.setQueryData<InfiniteData<DeliveryPage, string | null>>(deliveriesQueryKey(webhookId), (data) => {
        const [first, ...rest] = data?.pages ?? [];
        if (!data || !first) return data;
        return { ...data, pages: [{ ...first, items: [delivery, ...first.items] }, ...rest] };
      });
    },
  });
};
