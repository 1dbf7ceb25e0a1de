import { useCallback } from "react";
import { useTranslation } from "react-i18next";

const DAY_KEYS = ["0", "1", "2", "3", "4", "5", "6"] as const;

/** 0 = Sunday … 6 = Saturday, as the API counts them, in the member's language. */
export const useDayName = (): ((day: number) => string) => {
  const { t } = useTranslation();
  return useCallback(
    (day: number) => {
      const key = DAY_KEYS[day];
      return key === undefined ? String(day) : t(`settings.days.${key}`);
    },
    [t],
  );
};
