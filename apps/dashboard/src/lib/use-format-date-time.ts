import { useTranslation } from "react-i18next";

/** Formats ISO timestamps in the interface language (Arabic gets Arabic month names and digits). */
export const useFormatDateTime = (): ((iso: string) => string) => {
  const { i18n } = useTranslation();
  const formatter = new Intl.DateTimeFormat(i18n.language, { dateStyle: "medium", timeStyle: "short" });
  return (iso: string) => formatter.format(new Date(iso));
};
