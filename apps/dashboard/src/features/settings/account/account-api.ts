import {
  type TDisableTwoFactorRequest,
  type TMeResponse,
  type TRegenerateBackupCodesRequest,
  type TUpdateProfileRequest,
  type TUser,
  ZAccountSessionList,
  ZBackupCodesResponse,
  ZEndOtherSessionsResponse,
  ZErrorResponse,
  ZTwoFactorStatus,
  ZUser,
} from "@parley/shared";
import { type QueryClient, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { ApiError, apiRequest, apiSend, toApiError } from "../../../lib/api-client";
import { meQueryKey } from "../../auth/api/auth-api";

export const twoFactorQueryKey = ["settings", "me", "two-factor"] as const;
export const sessionsQueryKey = ["settings", "me", "sessions"] as const;

const setCachedUser = (queryClient: QueryClient, user: TUser) =>
  queryClient.setQueryData<TMeResponse | null>(meQueryKey, (me) => (me ? { ...me, user } : me));

export const useUpdateProfile = () => {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: TUpdateProfileRequest) => apiRequest("/me", ZUser, { method: "PATCH", body: input }),
    onSuccess: (user) => setCachedUser(queryClient, user),
  });
};

/** What the server accepts for a profile picture; checked here first so a wrong file fails before it uploads. */
export const AVATAR_TYPES = ["image/png", "image/jpeg", "image/webp", "image/gif"] as const;
export const AVATAR_MAX_BYTES = 5 * 1024 * 1024;

/** The picture as multipart, through XMLHttpRequest: fetch cannot report upload progress. */
const uploadAvatar = (file: File, onProgress: (percent: number) => void): Promise<TUser> =>
  new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open("PUT", "/api/v1/me/avatar");
    request.setRequestHeader("accept", "application/json");
    request.upload.onprogress = (event) => {
      if (event.lengthComputable) onProgress(Math.round((event.loaded / event.total) * 100));
    };
    request.onerror = () =>
      reject(new ApiError({ status: 0, code: "network_error", message: "The server could not be reached." }));
    request.onload = () => {
      let body: unknown = null;
      try {
        body = JSON.parse(request.responseText);
      } catch {
        body = null;
      }
      if (request.status < 200 || request.status >= 300) {
        const error = ZErrorResponse.safeParse(body);
        reject(
          error.success
            ? toApiError(request.status, error.data.error)
            : new ApiError({
                status: request.status,
                code: request.status === 413 ? "payload_too_large" : "internal_error",
                message: `The upload failed with ${request.status}.`,
              }),
        );
        return;
      }
      const user = ZUser.safeParse(body);
      if (user.success) resolve(user.data);
      else reject(new ApiError({ status: request.status, code: "invalid_response", message: "Unexpected upload answer." }));
    };
    const form = new FormData();
    form.append("file", file, file.name);
    request.send(form);
  });

export const useUploadAvatar = (onProgress: (percent: number) => void) => {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (file: File) => uploadAvatar(file, onProgress),
    // Colleagues' lists show the picture too.
    onSuccess: (user) => {
      setCachedUser(queryClient, user);
      void queryClient.invalidateQueries({ queryKey: ["settings", "members"] });
    },
  });
};

export const useRemoveAvatar = () => {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () => apiRequest("/me/avatar", ZUser, { method: "DELETE" }),
    onSuccess: (user) => {
      setCachedUser(queryClient, user);
      void queryClient.invalidateQueries({ queryKey: ["settings", "members"] });
    },
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
