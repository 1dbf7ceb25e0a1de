import { createContext } from "preact";
import { useContext } from "preact/hooks";
import { englishTranslator, type Translator } from "../i18n.ts";
import type { WidgetClient } from "../widget-client.ts";

export const TranslatorContext = createContext<Translator>(englishTranslator);
export const useTranslator = () => useContext(TranslatorContext);

export const ClientContext = createContext<WidgetClient | null>(null);
export const useClient = (): WidgetClient => {
  const client = useContext(ClientContext);
  if (!client) throw new Error("the widget client is missing");
  return client;
};
