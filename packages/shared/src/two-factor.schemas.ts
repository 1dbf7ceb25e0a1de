import { z } from "zod";

/** How many single-use backup codes a member gets when turning 2FA on or regenerating them. */
export const BACKUP_CODE_COUNT = 10;

/** A 6-digit code from an authenticator app; spaces people type between the digits are ignored. */
export const ZTotpCode = z
  .string()
  .max(16)
  .transform((code) => code.replace(/\s+/g, ""))
  .pipe(z.string().regex(/^\d{6}$/, { message: "Enter the 6-digit code from your authenticator app." }));

/** Backup codes are shown as `xxxxx-xxxxx`; case, spaces and dashes do not matter when typed back. */
export const normaliseBackupCode = (code: string): string => code.toLowerCase().replace(/[\s-]+/g, "");

export const ZBackupCode = z
  .string()
  .max(32)
  .transform(normaliseBackupCode)
  .pipe(z.string().regex(/^[a-z0-9]{10}$/, { message: "Enter one of your 10-character backup codes." }));

export const ZTwoFactorStatus = z.object({
  enabled: z.boolean(),
  /** Unused backup codes; 0 when 2FA is off. */
  backupCodesRemaining: z.number().int().min(0),
});
export type TTwoFactorStatus = z.infer<typeof ZTwoFactorStatus>;

export const ZTwoFactorEnrolment = z.object({
  /** Scan as a QR code or open on the phone. */
  otpauthUri: z.string(),
  /** The same URI as a PNG QR code, `data:image/png;base64,…`. */
  qrCodeDataUrl: z.string(),
  /** Base32 secret for typing into an app by hand. */
  secret: z.string(),
});
export type TTwoFactorEnrolment = z.infer<typeof ZTwoFactorEnrolment>;

export const ZConfirmTwoFactorRequest = z.strictObject({ code: ZTotpCode });
export type TConfirmTwoFactorRequest = z.infer<typeof ZConfirmTwoFactorRequest>;

/** Backup codes are in this answer only; Parley keeps their hashes. */
export const ZBackupCodesResponse = z.object({
  backupCodes: z.array(z.string()).length(BACKUP_CODE_COUNT),
});
export type TBackupCodesResponse = z.infer<typeof ZBackupCodesResponse>;

export const ZConfirmTwoFactorResponse = ZBackupCodesResponse.extend({ enabled: z.literal(true) });
export type TConfirmTwoFactorResponse = z.infer<typeof ZConfirmTwoFactorResponse>;

export const ZDisableTwoFactorRequest = z
  .strictObject({
    code: ZTotpCode.optional(),
    password: z.string().min(1).max(256).optional(),
  })
  .refine((body) => body.code !== undefined || body.password !== undefined, {
    message: "Enter a current code from your authenticator app, or your password.",
    path: ["code"],
  });
export type TDisableTwoFactorRequest = z.infer<typeof ZDisableTwoFactorRequest>;

export const ZRegenerateBackupCodesRequest = z.strictObject({ code: ZTotpCode });
export type TRegenerateBackupCodesRequest = z.infer<typeof ZRegenerateBackupCodesRequest>;

/** The second sign-in step: the challenge from `two_factor_required` plus a TOTP code or a backup code. */
export const ZVerifyTwoFactorRequest = z
  .strictObject({
    challengeToken: z.string().min(1).max(200),
    code: ZTotpCode.optional(),
    backupCode: ZBackupCode.optional(),
  })
  .refine((body) => (body.code === undefined) !== (body.backupCode === undefined), {
    message: "Send either the code from your authenticator app or one backup code.",
    path: ["code"],
  });
export type TVerifyTwoFactorRequest = z.infer<typeof ZVerifyTwoFactorRequest>;

/** `details` of a `two_factor_required` answer to a sign-in. */
export const ZTwoFactorChallengeDetails = z.object({ challengeToken: z.string().min(1), expiresInSeconds: z.number() });
