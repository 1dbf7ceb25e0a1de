import {
  type TChangePasswordRequest,
  type TConfirmTwoFactorRequest,
  ZChangePasswordResponse,
  ZConfirmTwoFactorResponse,
  ZTwoFactorEnrolment,
} from "@parley/shared";
import { apiRequest } from "../../../lib/api-client";

/** A new secret each call: the QR code, the otpauth URI and the secret for typing in by hand. */
export const startTwoFactorEnrolment = () => apiRequest("/me/two-factor/enrol", ZTwoFactorEnrolment, { method: "POST" });

/** Turns 2FA on; the answer carries the backup codes, which the server never shows again. */
export const confirmTwoFactor = (input: TConfirmTwoFactorRequest) =>
  apiRequest("/me/two-factor/confirm", ZConfirmTwoFactorResponse, { method: "POST", body: input });

export const changePassword = (input: TChangePasswordRequest) =>
  apiRequest("/me/password", ZChangePasswordResponse, { method: "POST", body: input });
