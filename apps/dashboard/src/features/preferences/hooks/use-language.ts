import { useTranslation } from "react-i18next";
import { changeLanguage, isLanguage, type Language } from "../../../i18n/i18n";

export const useLanguage = (): { language: Language; setLanguage: (language: Language) => void } => {
  const { i18n } = useTranslation();
  return {
    language: isLanguage(i18n.resolvedLanguage) ? i18n.resolvedLanguage : "en",
    setLanguage: (language) => void changeLanguage(language),
  };
};
