import { useEffect } from "react";
import { changeLanguage, currentLanguage } from "../../../i18n/i18n";
import { useSession } from "../../auth/hooks/use-session";
import { rememberNotificationPreferences } from "../../notifications/api/notification-preferences";

/**
 * Applies the member's saved preferences once signed in: the server's language wins over this
 * browser's cached one, and alerts read the saved notification switches.
 */
export const PreferencesSync = () => {
  const { user, preferences } = useSession();
  const savedLanguage = preferences.language;

  useEffect(() => {
    if (savedLanguage !== null && savedLanguage !== currentLanguage()) void changeLanguage(savedLanguage);
  }, [savedLanguage]);

  useEffect(() => {
    rememberNotificationPreferences(user.id, preferences.notifications);
  }, [user.id, preferences.notifications]);

  return null;
};
