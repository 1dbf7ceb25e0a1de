import { z } from "zod";
import { PERMISSION_NAMES } from "./permissions.ts";
import { ZUserPreferences } from "./preferences.schemas.ts";
import { zPlainText } from "./text.schemas.ts";

export const PASSWORD_MIN_LENGTH = 10;
export const PASSWORD_MAX_LENGTH = 256;

export const ZEmail = z
  .email({ message: "Enter a valid email address." })
  .max(254)
  .transform((email) => email.trim().toLowerCase());

export const ZPassword = z
  .string()
  .min(PASSWORD_MIN_LENGTH, { message: `Use at least ${PASSWORD_MIN_LENGTH} characters.` })
  .max(PASSWORD_MAX_LENGTH, { message: `Use at most ${PASSWORD_MAX_LENGTH} characters.` });

export const ZSignupRequest = z.strictObject({
  name: zPlainText({ max: 120, emptyMessage: "Enter your name." }),
  email: ZEmail,
  password: ZPassword,
  workspaceName: zPlainText({ max: 120, emptyMessage: "Name your workspace." }),
});
export type TSignupRequest = z.infer<typeof ZSignupRequest>;

export const ZLoginRequest = z.strictObject({
  email: ZEmail,
  password: z.string().min(1, { message: "Enter your password." }).max(PASSWORD_MAX_LENGTH),
});
export type TLoginRequest = z.infer<typeof ZLoginRequest>;

export const ZUser = z.object({
  id: z.uuid(),
  name: z.string(),
  email: z.string(),
  emailVerified: z.boolean(),
  twoFactorEnabled: z.boolean(),
  /** The profile picture's public URL path (`/api/v1/avatars/…`, resolve it against Parley's origin), or null. */
  avatarUrl: z.string().nullable(),
  createdAt: z.iso.datetime(),
});
export type TUser = z.infer<typeof ZUser>;

export const ZWorkspace = z.object({
  id: z.uuid(),
  name: z.string(),
  slug: z.string(),
  createdAt: z.iso.datetime(),
});
export type TWorkspace = z.infer<typeof ZWorkspace>;

export const ZPermissionName = z.enum(PERMISSION_NAMES as [string, ...string[]]);

/** A role as members see it: built-in roles carry their key (owner, admin, supervisor, agent). */
export const ZRoleSummary = z.object({
  id: z.uuid(),
  key: z.string().nullable(),
  name: z.string(),
});
export type TRoleSummary = z.infer<typeof ZRoleSummary>;

export const ZMembership = z.object({
  workspace: ZWorkspace,
  role: ZRoleSummary,
});
export type TMembership = z.infer<typeof ZMembership>;

export const ZSessionResponse = z.object({
  token: z.string(),
  expiresAt: z.iso.datetime(),
  user: ZUser,
  workspace: ZWorkspace,
  role: ZRoleSummary,
  permissions: z.array(ZPermissionName),
});
export type TSessionResponse = z.infer<typeof ZSessionResponse>;

/** What a signed-in member must do before anything else; null when nothing. */
export const ZSessionRestriction = z.enum(["two_factor_enrolment_required", "password_change_required"]).nullable();

export const ZMeResponse = z.object({
  user: ZUser,
  workspace: ZWorkspace,
  role: ZRoleSummary,
  permissions: z.array(ZPermissionName),
  restriction: ZSessionRestriction,
  isPlatformAdmin: z.boolean(),
  memberships: z.array(ZMembership),
  /** The member's own settings (language, notifications), so the first request can apply them. */
  preferences: ZUserPreferences,
});
export type TMeResponse = z.infer<typeof ZMeResponse>;
