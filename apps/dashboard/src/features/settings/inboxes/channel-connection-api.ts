import { ZChannelConnection, ZInstagramLoginAvailability, ZMetaOAuthStartResponse, ZMetaPageList } from "@parley/shared";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { apiRequest } from "../../../lib/api-client";
import { inboxQueryKey } from "./inboxes-api";

const connectionQueryKey = (inboxId: string) => ["settings", "inboxes", inboxId, "channel"] as const;
const channelPath = (inboxId: string) => `/inboxes/${encodeURIComponent(inboxId)}/channel`;

export const useChannelConnection = (inboxId: string) =>
  useQuery({
    queryKey: connectionQueryKey(inboxId),
    queryFn: ({ signal }) => apiRequest(channelPath(inboxId), ZChannelConnection, { signal }),
  });

/** The platform checks the credentials before the server stores them, encrypted. */
export const useConnectChannel = (inboxId: string) => {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (credentials: Record<string, unknown>) =>
      apiRequest(channelPath(inboxId), ZChannelConnection, { method: "PUT", body: { credentials } }),
    onSuccess: (connection) => {
      // The answer may carry credentials Parley issued (shown once); the cached copy keeps only the rest.
      const { issuedCredentials: _issued, ...rest } = connection;
      queryClient.setQueryData(connectionQueryKey(inboxId), rest);
      void queryClient.invalidateQueries({ queryKey: inboxQueryKey(inboxId), exact: true });
    },
  });
};

export const useDisconnectChannel = (inboxId: string) => {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () => apiRequest(channelPath(inboxId), ZChannelConnection, { method: "DELETE" }),
    onSuccess: (connection) => queryClient.setQueryData(connectionQueryKey(inboxId), connection),
  });
};

export type MetaPlatform = "messenger" | "instagram";

/** Facebook Login: the dialog URL; Facebook sends the admin back to this inbox's settings. */
export const useStartMetaLogin = (platform: MetaPlatform, inboxId: string) =>
  useMutation({
    mutationFn: () => apiRequest(`/channels/${platform}/oauth/start`, ZMetaOAuthStartResponse, { query: { inboxId } }),
  });

export const useMetaPages = (platform: MetaPlatform, selectionToken: string | null) =>
  useQuery({
    queryKey: ["settings", "meta-pages", platform, selectionToken],
    queryFn: ({ signal }) =>
      apiRequest(`/channels/${platform}/pages`, ZMetaPageList, { query: { selectionToken: selectionToken ?? "" }, signal }),
    enabled: selectionToken !== null,
    staleTime: Number.POSITIVE_INFINITY,
  });

/** Whether the server has an Instagram app, so Instagram accounts can connect without a Facebook page. */
export const useInstagramLoginAvailability = (isEnabled: boolean) =>
  useQuery({
    queryKey: ["settings", "instagram-login"],
    queryFn: ({ signal }) => apiRequest("/channels/instagram-login", ZInstagramLoginAvailability, { signal }),
    enabled: isEnabled,
    staleTime: Number.POSITIVE_INFINITY,
  });

/** Instagram Login: the authorization window URL; Instagram sends the admin back to this inbox's settings, connected. */
export const useStartInstagramLogin = (inboxId: string) =>
  useMutation({
    mutationFn: () => apiRequest("/channels/instagram-login/oauth/start", ZMetaOAuthStartResponse, { query: { inboxId } }),
  });
