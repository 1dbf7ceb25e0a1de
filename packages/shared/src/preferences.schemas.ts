import { z } from "zod";

/** The dashboard's interface languages (the widget's too); English is the source. */
export const LANGUAGE_CODES = [
  "en",
  "ar",
  "de",
  "es",
  "fa",
  "fr",
  "he",
  "hi",
  "id",
  "it",
  "ja",
  "ko",
  "nl",
  "pl",
  "pt",
  "pt-BR",
  "ru",
  "sv",
  "tr",
  "uk",
  "ur",
  "zh-CN",
  "zh-TW",
] as const;
export type TLanguageCode = (typeof LANGUAGE_CODES)[number];

export const ZLanguageCode = z.enum(LANGUAGE_CODES, {
  message: `Use one of the interface languages: ${LANGUAGE_CODES.join(", ")}.`,
});

/** Events a member can be alerted about (sound and desktop notification). */
export const NOTIFICATION_KINDS = ["newConversation", "newMessage", "mention", "assignment"] as const;
export type TNotificationKind = (typeof NOTIFICATION_KINDS)[number];

export const ZNotificationPreferences = z.object({
  sound: z.boolean(),
  desktop: z.boolean(),
  newConversation: z.boolean(),
  newMessage: z.boolean(),
  mention: z.boolean(),
  assignment: z.boolean(),
});
export type TNotificationPreferences = z.infer<typeof ZNotificationPreferences>;

/** Everything on until the member says otherwise. */
export const DEFAULT_NOTIFICATION_PREFERENCES: TNotificationPreferences = {
  sound: true,
  desktop: true,
  newConversation: true,
  newMessage: true,
  mention: true,
  assignment: true,
};

/** Per-person settings that follow the member to every device; `language: null` means "not chosen yet". */
export const ZUserPreferences = z.object({
  language: ZLanguageCode.nullable(),
  notifications: ZNotificationPreferences,
});
export type TUserPreferences = z.infer<typeof ZUserPreferences>;

/** Only the keys sent change (notifications merge switch by switch); `language: null` forgets the choice. */
export const ZUpdatePreferencesRequest = z.strictObject({
  language: ZLanguageCode.nullable().optional(),
  notifications: z.strictObject(ZNotificationPreferences.partial().shape).optional(),
});
export type TUpdatePreferencesRequest = z.infer<typeof ZUpdatePreferencesRequest>;
