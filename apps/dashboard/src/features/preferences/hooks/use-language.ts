import { notifications } from "@mantine/notifications";
import type { TMeResponse } from "@parley/shared";
import { useQueryClient } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { changeLanguage, isLanguage, type Language } from "../../../i18n/i18n";
import { useErrorMessage } from "../../../lib/use-error-message";
import { meQueryKey } from "../../auth/api/auth-api";
import { useUpdatePreferences } from "../api/preferences-api";

/** The interface language, for components outside the query client (the app's direction). */
export const useCurrentLanguage = (): Language => {
  const { i18n } = useTranslation();
  return isLanguage(i18n.resolvedLanguage) ? i18n.resolvedLanguage : "en";
};

/** The interface language; choosing one while signed in also saves it for the member, so it follows them to other devices. */
export const useLanguage = (): { language: Language; setLanguage: (language: Language) => void } => {
  const { t } = useTranslation();
  const language = useCurrentLanguage();
  const queryClient = useQueryClient();
  const update = useUpdatePreferences();
  const describeError = useErrorMessage();
  return {
    language,
    setLanguage: (language) => {
      void changeLanguage(language);
      const isSignedIn = Boolean(queryClient.getQueryData<TMeResponse | null>(meQueryKey));
      if (!isSignedIn) return;
      update.mutate(
        { language },
        {
          onError: (error) =>
            notifications.show({
              color: "red",
              title: t("preferences.saveFailed"),
              message: describeError(error),
            }),
        },
      );
    },
  };
};
