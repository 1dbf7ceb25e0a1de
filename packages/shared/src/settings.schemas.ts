import { z } from "zod";
import { zPlainText } from "./text.schemas.ts";

/** Date formats a workspace can pick; the dashboard renders dates with the chosen one. */
export const DATE_FORMATS = ["YYYY-MM-DD", "DD/MM/YYYY", "MM/DD/YYYY", "DD.MM.YYYY"] as const;
export const TIME_FORMATS = ["12h", "24h"] as const;

let knownTimeZones: ReadonlySet<string> | undefined;

/**
 * An IANA zone name: one the runtime lists, "UTC", or an alias it still resolves (Asia/Kolkata,
 * which ICU lists as Asia/Calcutta). Fixed offsets such as "+05:00" are refused: they ignore DST.
 */
export const isTimeZone = (value: string): boolean => {
  knownTimeZones ??= new Set([...Intl.supportedValuesOf("timeZone"), "UTC"]);
  if (knownTimeZones.has(value)) return true;
  if (!/^[A-Za-z]+(?:\/[A-Za-z0-9_+-]+)+$/.test(value)) return false;
  try {
    new Intl.DateTimeFormat("en", { timeZone: value });
    return true;
  } catch {
    return false;
  }
};

export const ZTimeZone = z
  .string()
  .max(64)
  .refine(isTimeZone, { message: 'Choose an IANA time zone such as "Europe/Paris" or "UTC".' });

export const ZLanguageTag = z
  .string()
  .regex(/^[a-z]{2}(-[A-Z]{2})?$/, { message: 'Use a language code such as "en" or "pt-BR".' });

export const ZLogoUrl = z
  .url({ protocol: /^https$/, message: "Use an https:// address for the logo." })
  .max(2048, { message: "Use an address of at most 2048 characters." });

export const ZWorkspaceSettings = z.object({
  id: z.uuid(),
  name: z.string(),
  slug: z.string(),
  logoUrl: z.string().nullable(),
  timezone: z.string(),
  defaultLanguage: z.string(),
  dateFormat: z.enum(DATE_FORMATS),
  timeFormat: z.enum(TIME_FORMATS),
  /** 0 = Sunday … 6 = Saturday. */
  weekStart: z.number().int().min(0).max(6),
  updatedAt: z.iso.datetime(),
});
export type TWorkspaceSettings = z.infer<typeof ZWorkspaceSettings>;

/** Only the fields sent change; `logoUrl: null` removes the logo. */
export const ZUpdateWorkspaceSettingsRequest = z.strictObject({
  name: zPlainText({ max: 120, emptyMessage: "Name your workspace." }).optional(),
  logoUrl: ZLogoUrl.nullable().optional(),
  timezone: ZTimeZone.optional(),
  defaultLanguage: ZLanguageTag.optional(),
  dateFormat: z.enum(DATE_FORMATS).optional(),
  timeFormat: z.enum(TIME_FORMATS).optional(),
  weekStart: z.number().int().min(0).max(6).optional(),
});
export type TUpdateWorkspaceSettingsRequest = z.infer<typeof ZUpdateWorkspaceSettingsRequest>;

export const IP_ALLOWLIST_MAX_ENTRIES = 100;

export const ZSecuritySettings = z.object({
  requireTwoFactor: z.boolean(),
  /** Minutes without a request after which a session ends; null: never. */
  sessionIdleMinutes: z.number().int().nullable(),
  /** Hours after sign-in after which a session ends, however active; null: the server's session lifetime. */
  sessionAbsoluteHours: z.number().int().nullable(),
  /** IPv4/IPv6 addresses or CIDR ranges; empty allows every address. Applies to sessions, sockets and API keys. */
  ipAllowlist: z.array(z.string()),
  passwordMinLength: z.number().int(),
  /** Days after which a password must be changed; null: never. */
  passwordExpiryDays: z.number().int().nullable(),
  /** How many previous passwords may not be reused; 0 allows any. */
  passwordHistoryCount: z.number().int(),
  /**
   * Days after which website visitors who never wrote nor gave a name, email or phone, and have not
   * been seen since, are deleted with their visits (a daily job); null keeps them.
   */
  anonymousVisitorRetentionDays: z.number().int().nullable(),
});
export type TSecuritySettings = z.infer<typeof ZSecuritySettings>;

/** Only the fields sent change. The server checks each allowlist entry is an address or CIDR range. */
export const ZUpdateSecuritySettingsRequest = z.strictObject({
  requireTwoFactor: z.boolean().optional(),
  sessionIdleMinutes: z.number().int().min(5).max(43_200).nullable().optional(),
  sessionAbsoluteHours: z.number().int().min(1).max(8_760).nullable().optional(),
  ipAllowlist: z
    .array(z.string().trim().min(1, { message: "Remove the empty entry." }).max(64))
    .max(IP_ALLOWLIST_MAX_ENTRIES, { message: `Use at most ${IP_ALLOWLIST_MAX_ENTRIES} entries.` })
    .optional(),
  passwordMinLength: z.number().int().min(8).max(128).optional(),
  passwordExpiryDays: z.number().int().min(1).max(3_650).nullable().optional(),
  passwordHistoryCount: z.number().int().min(0).max(24).optional(),
  anonymousVisitorRetentionDays: z.number().int().min(1).max(3_650).nullable().optional(),
});
export type TUpdateSecuritySettingsRequest = z.infer<typeof ZUpdateSecuritySettingsRequest>;
