import {
  type TCreateSsoConnectionRequest,
  type TUpdateSecuritySettingsRequest,
  type TUpdateSsoConnectionRequest,
  ZSecuritySettings,
  ZSsoConnection,
  ZSsoConnectionList,
} from "@parley/shared";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { apiRequest, apiSend } from "../../../lib/api-client";

export const securityQueryKey = ["settings", "security"] as const;
export const ssoConnectionsQueryKey = ["settings", "sso-connections"] as const;
const connectionPath = (id: string) => `/sso/connections/${encodeURIComponent(id)}`;

export const useSecuritySettings = () =>
  useQuery({
    queryKey: securityQueryKey,
    queryFn: ({ signal }) => apiRequest("/workspaces/current/security", ZSecuritySettings, { signal }),
  });

export const useUpdateSecuritySettings = () => {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (changes: TUpdateSecuritySettingsRequest) =>
      apiRequest("/workspaces/current/security", ZSecuritySettings, { method: "PATCH", body: changes }),
    onSuccess: (settings) => queryClient.setQueryData(securityQueryKey, settings),
  });
};

export const useSsoConnections = () =>
  useQuery({
    queryKey: ssoConnectionsQueryKey,
    queryFn: ({ signal }) => apiRequest("/sso/connections", ZSsoConnectionList, { signal }),
  });

export const useSaveSsoConnection = () => {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (
      request: { id: null; input: TCreateSsoConnectionRequest } | { id: string; input: TUpdateSsoConnectionRequest },
    ) =>
      request.id === null
        ? apiRequest("/sso/connections", ZSsoConnection, { method: "POST", body: request.input })
        : apiRequest(connectionPath(request.id), ZSsoConnection, { method: "PATCH", body: request.input }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ssoConnectionsQueryKey }),
  });
};

export const useDeleteSsoConnection = () => {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => apiSend(connectionPath(id), { method: "DELETE" }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ssoConnectionsQueryKey }),
  });
};
