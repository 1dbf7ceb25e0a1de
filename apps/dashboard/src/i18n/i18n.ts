import i18next from "i18next";
import { initReactI18next } from "react-i18next";
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

/** English ships with the app; other languages download when first used, keeping the first load small. */
const loadLanguage = async (language: Language): Promise<void> => {
  if (language === "en" || i18next.hasResourceBundle(language, "translation")) return;
  const { ar } = await import("./locales/ar");
  i18next.addResourceBundle(language, "translation", ar);
};

export const changeLanguage = async (language: Language): Promise<void> => {
  storeLanguage(language);
  await loadLanguage(language);
  await i18next.changeLanguage(language);
};

/** Initialises i18next with the reader's language loaded and sets `<html lang dir>`; render after it resolves. */
export const setUpI18n = async () => {
  const language = detectLanguage();
  applyToDocument(language);
  i18next.on("languageChanged", (next) => {
    if (isLanguage(next)) applyToDocument(next);
  });
  await i18next.use(initReactI18next).init({
    resources: { en: { translation: en } },
    lng: "en",
    fallbackLng: "en",
    supportedLngs: [...LANGUAGES],
    initAsync: false,
    interpolation: { escapeValue: false },
  });
  if (language !== "en") {
    await loadLanguage(language);
    await i18next.changeLanguage(language);
  }
  return i18next;
};
