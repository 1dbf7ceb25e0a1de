import { useMutation, useQueryClient } from "@tanstack/react-query";
import {
  discoverSso,
  requestLoginCode,
  requestPasswordReset,
  resendEmailVerification,
  resetPassword,
  verifyEmail,
  verifyLoginCode,
} from "../api/account-api";
import { meQueryKey } from "../api/auth-api";

/** A signed-in member's `emailVerified` changes, so `me` is fetched again. */
export const useVerifyEmail = () => {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: verifyEmail,
    onSuccess: () => queryClient.invalidateQueries({ queryKey: meQueryKey }),
  });
};

export const useResendEmailVerification = () => useMutation({ mutationFn: resendEmailVerification });

export const useRequestPasswordReset = () => useMutation({ mutationFn: requestPasswordReset });

/** Resetting ends every session of the account, including this browser's if it had one. */
export const useResetPassword = () => {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: resetPassword,
    onSuccess: () => queryClient.invalidateQueries({ queryKey: meQueryKey }),
  });
};

export const useRequestLoginCode = () => useMutation({ mutationFn: requestLoginCode });

export const useVerifyLoginCode = () => {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: verifyLoginCode,
    onSuccess: () => queryClient.invalidateQueries({ queryKey: meQueryKey }),
  });
};

export const useDiscoverSso = () => useMutation({ mutationFn: discoverSso });
