import {
  type TUpdateWidgetSettingsRequest,
  type TWidgetSettings,
  ZInboxSecret,
  ZWidgetBranding,
  ZWidgetSettingsResponse,
} from "@parley/shared";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { apiRequest } from "../../../lib/api-client";
import { inboxQueryKey } from "./inboxes-api";

const widgetSettingsQueryKey = (inboxId: string) => ["settings", "inboxes", inboxId, "widget-settings"] as const;
const brandingQueryKey = ["settings", "widget-branding"] as const;
const widgetSettingsPath = (inboxId: string) => `/inboxes/${encodeURIComponent(inboxId)}/widget-settings`;

export const useWidgetSettings = (inboxId: string) =>
  useQuery({
    queryKey: widgetSettingsQueryKey(inboxId),
    queryFn: ({ signal }) => apiRequest(widgetSettingsPath(inboxId), ZWidgetSettingsResponse, { signal }),
    select: (answer): TWidgetSettings => answer.settings,
  });

export const useUpdateWidgetSettings = (inboxId: string) => {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (changes: TUpdateWidgetSettingsRequest) =>
      apiRequest(widgetSettingsPath(inboxId), ZWidgetSettingsResponse, { method: "PATCH", body: changes }),
    onSuccess: (answer) => {
      queryClient.setQueryData(widgetSettingsQueryKey(inboxId), answer);
      void queryClient.invalidateQueries({ queryKey: inboxQueryKey(inboxId), exact: true });
    },
  });
};

/** Whether this workspace may hide "Powered by Parley"; an admin decision made once for every widget. */
export const useWidgetBranding = () =>
  useQuery({ queryKey: brandingQueryKey, queryFn: ({ signal }) => apiRequest("/widget-branding", ZWidgetBranding, { signal }) });

export const useSetWidgetBranding = () => {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (canRemoveBranding: boolean) =>
      apiRequest("/widget-branding", ZWidgetBranding, { method: "PUT", body: { canRemoveBranding } }),
    onSuccess: (branding) => queryClient.setQueryData(brandingQueryKey, branding),
  });
};

/** A new identity-verification secret, shown once; the old one stops verifying at once. */
export const useRotateInboxSecret = (inboxId: string) => {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () => apiRequest(`/inboxes/${encodeURIComponent(inboxId)}/secret/rotate`, ZInboxSecret, { method: "POST" }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: inboxQueryKey(inboxId), exact: true }),
  });
};
