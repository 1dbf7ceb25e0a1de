/** Every string the frame shows. Add a language by adding a catalog; `dir` drives RTL layout. */

const en = {
  title: "Chat with us",
  close: "Close chat",
  connecting: "Connecting…",
  connected: "Connected.",
  reconnecting: "Connection lost. Reconnecting…",
  ended: "The chat service closed the connection.",
  unavailable: "Chat is unavailable",
  refusedWithoutReason: "The chat service did not accept this connection.",
  missingInbox: "This chat is not set up: the page did not say which inbox to use.",
  retry: "Try again",
} as const;

export type MessageKey = keyof typeof en;
export type TextDirection = "ltr" | "rtl";
type Catalog = { dir: TextDirection; messages: Record<MessageKey, string> };

const CATALOGS: Readonly<Record<string, Catalog>> = {
  en: { dir: "ltr", messages: en },
};

export const DEFAULT_LOCALE = "en";

/** First supported locale among the requested BCP 47 tags, trying `pt-BR` then `pt`; English otherwise. */
export const resolveLocale = (requested: readonly string[]): string => {
  for (const tag of requested) {
    const normalised = tag.trim().toLowerCase();
    if (CATALOGS[normalised]) return normalised;
    const language = normalised.split("-")[0];
    if (language && CATALOGS[language]) return language;
  }
  return DEFAULT_LOCALE;
};

export type Translator = { locale: string; dir: TextDirection; t: (key: MessageKey) => string };

export const createTranslator = (locale: string): Translator => {
  const catalog = CATALOGS[locale] ?? { dir: "ltr", messages: en };
  return { locale: CATALOGS[locale] ? locale : DEFAULT_LOCALE, dir: catalog.dir, t: (key) => catalog.messages[key] };
};
