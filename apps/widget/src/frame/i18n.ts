import type { AckError } from "./connection.ts";
import en from "./locales/en.ts";

/**
 * The frame's strings. English ships in the main bundle; every other language is its own small
 * chunk, loaded only when picked, so 20+ languages cost a visitor one catalogue.
 */

export type MessageKey = keyof typeof en;
export type Catalog = { readonly [Key in MessageKey]: string };
export type TextDirection = "ltr" | "rtl";

export const LOCALES = [
  "en",
  "ar",
  "he",
  "fa",
  "ur",
  "es",
  "fr",
  "de",
  "it",
  "pt",
  "pt-BR",
  "nl",
  "pl",
  "tr",
  "ru",
  "uk",
  "ja",
  "ko",
  "zh-CN",
  "zh-TW",
  "id",
  "hi",
  "sv",
] as const;
export type Locale = (typeof LOCALES)[number];

const RTL_LOCALES: ReadonlySet<string> = new Set(["ar", "he", "fa", "ur"]);
export const DEFAULT_LOCALE: Locale = "en";

export const directionOf = (locale: string): TextDirection => (RTL_LOCALES.has(locale.split("-")[0] ?? "") ? "rtl" : "ltr");

/** Chinese is told apart by script or region: Traditional for Hant, TW, HK and MO; Simplified otherwise. */
const chineseVariant = (tag: string): Locale => (/-(hant|tw|hk|mo)\b/.test(tag) ? "zh-TW" : "zh-CN");

/** The first supported locale among BCP 47 tags (exact, then by language); English when none fits. */
export const resolveLocale = (requested: readonly string[]): Locale => {
  for (const raw of requested) {
    const tag = raw.trim().toLowerCase().replace(/_/g, "-");
    if (!tag) continue;
    const exact = LOCALES.find((locale) => locale.toLowerCase() === tag);
    if (exact) return exact;
    const language = tag.split("-")[0];
    if (language === "zh") return chineseVariant(tag);
    // Old code for Hebrew that some browsers still send.
    if (language === "iw") return "he";
    const byLanguage = LOCALES.find((locale) => locale === language);
    if (byLanguage) return byLanguage;
  }
  return DEFAULT_LOCALE;
};

export type Translator = {
  locale: Locale;
  dir: TextDirection;
  t: (key: MessageKey, values?: Record<string, string | number>) => string;
};

export const createTranslator = (locale: Locale, catalog: Catalog): Translator => ({
  locale,
  dir: directionOf(locale),
  t: (key, values) => {
    const template = catalog[key] ?? en[key];
    return values ? template.replace(/\{(\w+)\}/g, (match, name: string) => String(values[name] ?? match)) : template;
  },
});

const CATALOG_LOADERS = import.meta.glob<{ default: Catalog }>(["./locales/*.ts", "!./locales/en.ts"]);

export const loadCatalog = async (locale: Locale): Promise<Catalog> => {
  if (locale === "en") return en;
  const load = CATALOG_LOADERS[`./locales/${locale}.ts`];
  return load ? (await load()).default : en;
};

export const loadTranslator = async (locale: Locale): Promise<Translator> =>
  createTranslator(locale, await loadCatalog(locale).catch(() => en));

export const englishTranslator = createTranslator("en", en);

/** "5 minutes", "2 Stunden", "٣ ساعات": the plural rules come from Intl, not from our catalogues. */
export const formatDuration = (seconds: number, locale: string): string => {
  const [value, unit] =
    seconds < 3600
      ? [Math.max(1, Math.round(seconds / 60)), "minute"]
      : seconds < 86_400
        ? [Math.round(seconds / 3600), "hour"]
        : [Math.round(seconds / 86_400), "day"];
  return new Intl.NumberFormat(locale, { style: "unit", unit, unitDisplay: "long" }).format(value);
};

/** Refusals a visitor can meet, worded in their language (by reason first, then by code). */
const REFUSAL_KEYS: Readonly<Record<string, MessageKey>> = {
  rate_limited: "tooFast",
  too_many_attempts: "tooFast",
  forbidden: "notAccepting",
  visitor_banned: "notAccepting",
  not_found: "chatGone",
  file_infected: "fileRejected",
};

/**
 * What the visitor reads when the server refused something: a sentence in their language for the
 * refusals above; otherwise the server's own words for an English reader (they are English and more
 * precise), and `fallback` for everyone else.
 */
export const describeRefusal = ({ t, locale }: Translator, refusal: AckError | null, fallback: MessageKey = "error"): string => {
  if (!refusal) return t(fallback);
  const key = (refusal.reason && REFUSAL_KEYS[refusal.reason]) || REFUSAL_KEYS[refusal.code];
  if (key) return t(key);
  return locale === "en" && refusal.message ? refusal.message : t(fallback);
};
