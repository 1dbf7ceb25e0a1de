import i18next from "i18next";
import { initReactI18next } from "react-i18next";
import { ar } from "./locales/ar";
import { en } from "./locales/en";

export const LANGUAGES = ["en", "ar"] as const;
export type Language = (typeof LANGUAGES)[number];

const STORAGE_KEY = "parley.language";

export const isLanguage = (value: unknown): value is Language => LANGUAGES.some((language) => language === value);

export const directionOf = (language: Language): "ltr" | "rtl" => (language === "ar" ? "rtl" : "ltr");

// Storage can throw (disabled cookies, some private modes); the language then lasts for the tab only.
const readStoredLanguage = (): Language | undefined => {
  try {
    const stored = window.localStorage.getItem(STORAGE_KEY);
    return isLanguage(stored) ? stored : undefined;
  } catch {
    return undefined;
  }
};

const storeLanguage = (language: Language) => {
  try {
    window.localStorage.setItem(STORAGE_KEY, language);
  } catch {
    // The choice still applies to this tab.
  }
};

const detectLanguage = (): Language => {
  const stored = readStoredLanguage();
  if (stored) return stored;
  const base = navigator.language.toLowerCase().split("-")[0];
  return isLanguage(base) ? base : "en";
};

const applyToDocument = (language: Language) => {
  document.documentElement.lang = language;
  document.documentElement.dir = directionOf(language);
};

export const currentLanguage = (): Language => (isLanguage(i18next.language) ? i18next.language : "en");

export const changeLanguage = async (language: Language): Promise<void> => {
  storeLanguage(language);
  await i18next.changeLanguage(language);
};

/** Initialises i18next synchronously (resources are bundled) and sets `<html lang dir>` before the first render. */
export const setUpI18n = () => {
  const language = detectLanguage();
  applyToDocument(language);
  i18next.on("languageChanged", (next) => {
    if (isLanguage(next)) applyToDocument(next);
  });
  void i18next.use(initReactI18next).init({
    resources: { en: { translation: en }, ar: { translation: ar } },
    lng: language,
    fallbackLng: "en",
    supportedLngs: [...LANGUAGES],
    initAsync: false,
    interpolation: { escapeValue: false },
  });
  return i18next;
};
