import { useCallback } from "react";
import { useTranslation } from "react-i18next";
import { en, type Translation } from "../i18n/locales/en";
import { isApiError } from "./api-client";

type TranslatedErrorCode = keyof Translation["errors"];

const isTranslatedErrorCode = (code: string): code is TranslatedErrorCode => Object.hasOwn(en.errors, code);

/**
 * Turns any thrown value into a sentence in the user's language, chosen by the error's stable code.
 * A code the dashboard does not know yet (a newer server) falls back to the server's own message.
 */
export const useErrorMessage = (): ((error: unknown) => string) => {
  const { t } = useTranslation();
  return useCallback(
    (error: unknown) => {
      if (!isApiError(error)) return t("errors.unknown");
      if (isTranslatedErrorCode(error.code)) return t(`errors.${error.code}`);
      return error.message || t("errors.unknown");
    },
    [t],
  );
};
