import {
  type TDisableTwoFactorRequest,
  type TMeResponse,
  type TRegenerateBackupCodesRequest,
  type TUpdateProfileRequest,
  ZAccountSessionList,
  ZBackupCodesResponse,
  ZEndOtherSessionsResponse,
  ZTwoFactorStatus,
  ZUser,
} from "@parley/shared";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { apiRequest, apiSend } from "../../../lib/api-client";
import { meQueryKey } from "../../auth/api/auth-api";

export const twoFactorQueryKey = ["settings", "me", "two-factor"] as const;
export const sessionsQueryKey = ["settings", "me", "sessions"] as const;

export const useUpdateProfile = () => {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: TUpdateProfileRequest) => apiRequest("/me", ZUser, { method: "PATCH", body: input }),
    onSuccess: (user) => queryClient.setQueryData<TMeResponse | null>(meQueryKey, (me) => (me ? { ...me, user } : me)),
  });
};

export const useTwoFactorStatus = () =>
  useQuery({ queryKey: twoFactorQueryKey, queryFn: ({ signal }) => apiRequest("/me/two-factor", ZTwoFactorStatus, { signal }) });

/** 2FA changes show in `me` (twoFactorEnabled) and in the member list. */
const useRefreshTwoFactor = () => {
  const queryClient = useQueryClient();
  return () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: twoFactorQueryKey }),
      queryClient.invalidateQueries({ queryKey: meQueryKey }),
    ]);
};

export const useDisableTwoFactor = () => {
  const refresh = useRefreshTwoFactor();
  return useMutation({
    mutationFn: (input: TDisableTwoFactorRequest) =>
      apiRequest("/me/two-factor/disable", ZTwoFactorStatus, { method: "POST", body: input }),
    onSuccess: refresh,
  });
};

export const useRegenerateBackupCodes = () => {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: TRegenerateBackupCodesRequest) =>
      apiRequest("/me/two-factor/backup-codes", ZBackupCodesResponse, { method: "POST", body: input }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: twoFactorQueryKey }),
  });
};

export const useRefreshAfterEnrolment = useRefreshTwoFactor;

export const useSessions = () =>
  useQuery({ queryKey: sessionsQueryKey, queryFn: ({ signal }) => apiRequest("/me/sessions", ZAccountSessionList, { signal }) });

export const useEndSession = () => {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => apiSend(`/me/sessions/${encodeURIComponent(id)}`, { method: "DELETE" }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: sessionsQueryKey }),
  });
};

export const useEndOtherSessions = () => {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () => apiRequest("/me/sessions/end-others", ZEndOtherSessionsResponse, { method: "POST" }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: sessionsQueryKey }),
  });
};
