import { useCallback } from "react";
import { useTranslation } from "react-i18next";
import { en, type Translation } from "../i18n/locales/en";
import { type ApiError, isApiError } from "./api-client";

type TranslatedErrorCode = Exclude<keyof Translation["errors"], "reasons">;
type TranslatedReason = keyof Translation["errors"]["reasons"];

const isTranslatedErrorCode = (code: string): code is TranslatedErrorCode => code !== "reasons" && Object.hasOwn(en.errors, code);

const isTranslatedReason = (reason: string | undefined): reason is TranslatedReason =>
  reason !== undefined && Object.hasOwn(en.errors.reasons, reason);

/** Whether the dashboard has its own sentence for this error's reason (rather than only for its code). */
export const hasTranslatedReason = (error: unknown): boolean => isApiError(error) && isTranslatedReason(error.reason);

/**
 * Codes the server uses for many different causes (a conflict may be a taken name or a deleted message):
 * one generic sentence would be wrong for most of them, so without a reason the server's message is shown.
 */
const CALL_SITE_CODES: ReadonlySet<string> = new Set([
  "conflict",
  "forbidden",
  "bad_request",
  "in_use",
  "not_found",
  "validation_failed",
  "channel_not_connected",
  "channel_rejected",
]);

const hasOwnWords = (error: ApiError): boolean => CALL_SITE_CODES.has(error.code) && error.message !== "";

/**
 * Turns any thrown value into a sentence in the user's language: the error's reason when the dashboard
 * translates it, else its code's sentence when that is right whatever the cause, else the server's own
 * message (a call-site code without a reason, or a code this dashboard does not know yet).
 */
export const useErrorMessage = (): ((error: unknown) => string) => {
  const { t } = useTranslation();
  return useCallback(
    (error: unknown) => {
      if (!isApiError(error)) return t("errors.unknown");
      if (isTranslatedReason(error.reason)) return t(`errors.reasons.${error.reason}`, error.params);
      if (isTranslatedErrorCode(error.code) && !hasOwnWords(error)) return t(`errors.${error.code}`);
      return error.message || t("errors.unknown");
    },
    [t],
  );
};
