import {
  type TLoginRequest,
  type TMeResponse,
  type TSignupRequest,
  type TVerifyTwoFactorRequest,
  ZMeResponse,
  ZSessionResponse,
  ZTwoFactorChallengeDetails,
} from "@parley/shared";
import { ApiError, apiRequest, apiSend } from "../../../lib/api-client";

export const meQueryKey = ["me"] as const;

/** The signed-in member, or null when there is no valid session (401). */
export const fetchMe = async (signal?: AbortSignal): Promise<TMeResponse | null> => {
  try {
    return await apiRequest("/me", ZMeResponse, { signal });
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return null;
    throw error;
  }
};

export const logIn = (input: TLoginRequest) => apiRequest("/auth/login", ZSessionResponse, { method: "POST", body: input });

/** The second sign-in step after `two_factor_required`: a code from the authenticator app or a backup code. */
export const verifyTwoFactor = (input: TVerifyTwoFactorRequest) =>
  apiRequest("/auth/two-factor/verify", ZSessionResponse, { method: "POST", body: input });

/** The challenge token when a sign-in answered `two_factor_required`, else null. */
export const twoFactorChallengeOf = (error: unknown): string | null => {
  if (!(error instanceof ApiError) || error.code !== "two_factor_required") return null;
  const parsed = ZTwoFactorChallengeDetails.safeParse(error.details);
  return parsed.success ? parsed.data.challengeToken : null;
};

export const signUp = (input: TSignupRequest) => apiRequest("/auth/signup", ZSessionResponse, { method: "POST", body: input });

export const logOut = async (): Promise<void> => {
  try {
    await apiSend("/auth/logout", { method: "POST" });
  } catch (error) {
    // Already signed out elsewhere: the goal of logging out is reached.
    if (error instanceof ApiError && error.status === 401) return;
    throw error;
  }
};
