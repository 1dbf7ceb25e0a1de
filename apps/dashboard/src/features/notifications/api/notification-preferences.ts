import {
  DEFAULT_NOTIFICATION_PREFERENCES,
  type TNotificationKind,
  type TNotificationPreferences,
  type TUpdatePreferencesRequest,
} from "@parley/shared";
import { useSession } from "../../auth/hooks/use-session";
import { useUpdatePreferences } from "../../preferences/api/preferences-api";

/**
 * Which alerts this member wants. They are saved on the server (`me.preferences.notifications`),
 * so they follow the member to every device; the `me` query is the one copy the UI reads.
 */
export type NotificationPreferences = TNotificationPreferences;
export type NotificationKind = TNotificationKind;

// Alerts fire from socket handlers, outside React: they read this copy, kept in step with the `me` query.
let latest: { userId: string; preferences: NotificationPreferences } | null = null;

/** Called whenever the `me` query's preferences change (see PreferencesSync). */
export const rememberNotificationPreferences = (userId: string, preferences: NotificationPreferences): void => {
  latest = { userId, preferences };
};

/** The member's current choice, synchronously; everything on until the server's answer is known. */
export const readNotificationPreferences = (userId: string): NotificationPreferences =>
  latest?.userId === userId ? latest.preferences : DEFAULT_NOTIFICATION_PREFERENCES;

export const useNotificationPreferences = (): NotificationPreferences => useSession().preferences.notifications;

/** Saves some switches; the others keep their value. */
export const useSaveNotificationPreferences = () => {
  const update = useUpdatePreferences();
  return {
    save: (changes: NonNullable<TUpdatePreferencesRequest["notifications"]>, options?: { onError?: (error: Error) => void }) =>
      update.mutate({ notifications: changes }, options),
    isPending: update.isPending,
  };
};
