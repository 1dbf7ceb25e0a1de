import { useMutation, useQueryClient } from "@tanstack/react-query";
import { meQueryKey } from "../../auth/api/auth-api";
import { changePassword, confirmTwoFactor, startTwoFactorEnrolment } from "../api/session-restrictions-api";

export const useStartTwoFactorEnrolment = () => useMutation({ mutationFn: startTwoFactorEnrolment });

/** `me` is not refetched here: the backup codes must stay on screen until the member has saved them. */
export const useConfirmTwoFactor = () => useMutation({ mutationFn: confirmTwoFactor });

/** With a new password the restriction is lifted; `me` says so and the app opens. */
export const useChangePassword = () => {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: changePassword,
    onSuccess: () => queryClient.invalidateQueries({ queryKey: meQueryKey }),
  });
};
