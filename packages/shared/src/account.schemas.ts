import { z } from "zod";
import { PASSWORD_MAX_LENGTH, ZEmail } from "./auth.schemas.ts";
import { zPlainText } from "./text.schemas.ts";

/** A token from an emailed link (verification, password reset). */
const ZLinkToken = z
  .string()
  .trim()
  .min(1, { message: "The link is missing its token; open the link from the email again." })
  .max(200, { message: "This token is not valid." });

/** The minimum length and the other rules depend on the member's workspaces; the server checks them. */
const ZNewPassword = z
  .string()
  .min(1, { message: "Enter a new password." })
  .max(PASSWORD_MAX_LENGTH, { message: `Use at most ${PASSWORD_MAX_LENGTH} characters.` });

export const ZVerifyEmailRequest = z.strictObject({ token: ZLinkToken });
export type TVerifyEmailRequest = z.infer<typeof ZVerifyEmailRequest>;

/** Answer to a request that sends mail only when the account exists: the same whether or not it does. */
export const ZMailRequestAccepted = z.object({ message: z.string() });
export type TMailRequestAccepted = z.infer<typeof ZMailRequestAccepted>;

/** A change that succeeded and has nothing else to return. */
export const ZAccountChangeDone = z.object({ ok: z.literal(true) });
export type TAccountChangeDone = z.infer<typeof ZAccountChangeDone>;

export const ZLoginCodeRequest = z.strictObject({ email: ZEmail });
export type TLoginCodeRequest = z.infer<typeof ZLoginCodeRequest>;

export const ZLoginCodeVerifyRequest = z.strictObject({
  email: ZEmail,
  code: z
    .string()
    .trim()
    .regex(/^\d{6}$/, { message: "Enter the 6-digit code from the email." }),
});
export type TLoginCodeVerifyRequest = z.infer<typeof ZLoginCodeVerifyRequest>;

export const ZPasswordResetStartRequest = z.strictObject({ email: ZEmail });
export type TPasswordResetStartRequest = z.infer<typeof ZPasswordResetStartRequest>;

export const ZPasswordResetRequest = z.strictObject({ token: ZLinkToken, password: ZNewPassword });
export type TPasswordResetRequest = z.infer<typeof ZPasswordResetRequest>;

export const ZChangePasswordRequest = z.strictObject({
  currentPassword: z
    .string()
    .min(1, { message: "Enter your current password." })
    .max(PASSWORD_MAX_LENGTH, { message: `Use at most ${PASSWORD_MAX_LENGTH} characters.` }),
  newPassword: ZNewPassword,
});
export type TChangePasswordRequest = z.infer<typeof ZChangePasswordRequest>;

export const ZChangePasswordResponse = z.object({
  ok: z.literal(true),
  /** Sessions on other devices that the change signed out. */
  otherSessionsEnded: z.number().int().min(0),
});
export type TChangePasswordResponse = z.infer<typeof ZChangePasswordResponse>;

export const ZUpdateProfileRequest = z.strictObject({
  name: zPlainText({ max: 120, emptyMessage: "Enter your name." }),
});
export type TUpdateProfileRequest = z.infer<typeof ZUpdateProfileRequest>;

export const ZDeviceType = z.enum(["desktop", "mobile", "tablet", "other"]);

/** One signed-in device of the current user. */
export const ZAccountSession = z.object({
  id: z.uuid(),
  workspaceId: z.uuid(),
  /** How it was opened: password, login_code, sso, signup, invitation, two_factor. */
  method: z.string(),
  browser: z.string().nullable(),
  os: z.string().nullable(),
  /** Vendor and model when the user agent names them (phones, tablets). */
  device: z.string().nullable(),
  deviceType: ZDeviceType,
  ip: z.string().nullable(),
  createdAt: z.iso.datetime(),
  lastSeenAt: z.iso.datetime(),
  expiresAt: z.iso.datetime(),
  isCurrent: z.boolean(),
});
export type TAccountSession = z.infer<typeof ZAccountSession>;

export const ZAccountSessionList = z.object({ items: z.array(ZAccountSession) });
export type TAccountSessionList = z.infer<typeof ZAccountSessionList>;

export const ZAccountSessionParams = z.strictObject({ id: z.uuid({ message: "Use a session id from GET /me/sessions." }) });

export const ZEndOtherSessionsResponse = z.object({ ended: z.number().int().min(0) });
export type TEndOtherSessionsResponse = z.infer<typeof ZEndOtherSessionsResponse>;
