import { LANGUAGE_CODES, type TLanguageCode } from "@parley/shared";
import i18next from "i18next";
import { initReactI18next } from "react-i18next";
import { en, type Translation } from "./locales/en";

/** The dashboard's languages (the widget's too, codes in @parley/shared), each named in itself in the language menus. */
export const LANGUAGE_NAMES: Readonly<Record<TLanguageCode, string>> = {
  en: "English",
  ar: "العربية",
  de: "Deutsch",
  es: "Español",
  fa: "فارسی",
  fr: "Français",
  he: "עברית",
  hi: "हिन्दी",
  id: "Bahasa Indonesia",
  it: "Italiano",
  ja: "日本語",
  ko: "한국어",
  nl: "Nederlands",
  pl: "Polski",
  pt: "Português",
  "pt-BR": "Português (Brasil)",
  ru: "Русский",
  sv: "Svenska",
  tr: "Türkçe",
  uk: "Українська",
  ur: "اردو",
  "zh-CN": "简体中文",
  "zh-TW": "繁體中文",
};
export type Language = TLanguageCode;
export const LANGUAGES: readonly Language[] = LANGUAGE_CODES;
const RIGHT_TO_LEFT: ReadonlySet<Language> = new Set(["ar", "he", "fa", "ur"]);

/** Every locale but English (bundled) is its own chunk, downloaded when first used. */
const LOCALE_MODULES = import.meta.glob<{ default: Translation }>(["./locales/*.ts", "!./locales/en.ts"]);

/** A first-paint cache only: once signed in, the member's server-side preference wins. */
const STORAGE_KEY = "parley.language";

export const isLanguage = (value: unknown): value is Language => LANGUAGES.some((language) => language === value);

export const directionOf = (language: Language): "ltr" | "rtl" => (RIGHT_TO_LEFT.has(language) ? "rtl" : "ltr");

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
  // The browser's exact tag first (pt-BR, zh-TW), then its base language (pt, zh → zh-CN).
  for (const tag of navigator.languages ?? [navigator.language]) {
    const exact = LANGUAGES.find((language) => language.toLowerCase() === tag.toLowerCase());
    if (exact) return exact;
    const base = tag.toLowerCase().split("-")[0];
    const related = LANGUAGES.find((language) => language === base || language.toLowerCase().startsWith(`${base}-`));
    if (related) return related;
  }
  return "en";
};

const applyToDocument = (language: Language) => {
  document.documentElement.lang = language;
  document.documentElement.dir = directionOf(language);
};

export const currentLanguage = (): Language => (isLanguage(i18next.language) ? i18next.language : "en");

/** English ships with the app; other languages download when first used, keeping the first load small. */
const loadLanguage = async (language: Language): Promise<void> => {
  if (language === "en" || i18next.hasResourceBundle(language, "translation")) return;
  const load = LOCALE_MODULES[`./locales/${language}.ts`];
  if (!load) return;
  i18next.addResourceBundle(language, "translation", (await load()).default);
};

/** Adds English strings that download with their screens instead of with the shell (see locales/en.ts). */
export const addEnglishStrings = (strings: Partial<Translation>): void => {
  i18next.addResourceBundle("en", "translation", strings, true, true);
};

/** Switches this tab (and this browser's cache); saving it for the member is `useLanguage`'s job. */
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
