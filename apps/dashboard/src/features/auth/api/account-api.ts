import {
  type TLoginCodeRequest,
  type TLoginCodeVerifyRequest,
  type TPasswordResetRequest,
  type TPasswordResetStartRequest,
  type TSsoDiscoverRequest,
  ZAccountChangeDone,
  ZMailRequestAccepted,
  ZSessionResponse,
  ZSsoDiscoverResponse,
} from "@parley/shared";
import { apiRequest } from "../../../lib/api-client";

/** Confirms the address with the token from the verification link. */
export const verifyEmail = (token: string) =>
  apiRequest("/auth/verify-email", ZAccountChangeDone, { method: "POST", body: { token } });

export const resendEmailVerification = () => apiRequest("/auth/verify-email/resend", ZMailRequestAccepted, { method: "POST" });

/** Answers the same whether or not an account uses the address. */
export const requestPasswordReset = (input: TPasswordResetStartRequest) =>
  apiRequest("/auth/password-reset/request", ZMailRequestAccepted, { method: "POST", body: input });

export const resetPassword = (input: TPasswordResetRequest) =>
  apiRequest("/auth/password-reset", ZAccountChangeDone, { method: "POST", body: input });

export const requestLoginCode = (input: TLoginCodeRequest) =>
  apiRequest("/auth/login-code/request", ZMailRequestAccepted, { method: "POST", body: input });

export const verifyLoginCode = (input: TLoginCodeVerifyRequest) =>
  apiRequest("/auth/login-code/verify", ZSessionResponse, { method: "POST", body: input });

/** The single sign-on connection for the email's domain; 404 `not_found` when there is none. */
export const discoverSso = (input: TSsoDiscoverRequest) =>
  apiRequest("/auth/sso/discover", ZSsoDiscoverResponse, { method: "POST", body: input });
