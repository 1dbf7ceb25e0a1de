import { describe, expect, it } from "vitest";
import {
  createTranslator,
  describeRefusal,
  directionOf,
  formatDuration,
  LOCALES,
  loadCatalog,
  loadTranslator,
  resolveLocale,
} from "./i18n.ts";
import en from "./locales/en.ts";

const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((match) => match[1]).sort();

describe("translations", () => {
  it("ship at least the 23 languages the widget promises, with right-to-left Arabic, Hebrew, Persian and Urdu", () => {
    expect(LOCALES.length).toBeGreaterThanOrEqual(23);
    for (const code of [
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
    ]) {
      expect(LOCALES).toContain(code);
    }
  });

  it.each(LOCALES.filter((locale) => locale !== "en"))(
    "%s has every key, no extra key, no empty text and the same placeholders",
    async (locale) => {
      const catalog = await loadCatalog(locale);
      expect(catalog).not.toBe(en);
      expect(Object.keys(catalog).sort()).toEqual(Object.keys(en).sort());
      for (const [key, english] of Object.entries(en)) {
        const text = Reflect.get(catalog, key);
        expect(typeof text === "string" && text.trim().length > 0, `${locale}.${key} is empty`).toBe(true);
        expect(placeholders(String(text)), `${locale}.${key} placeholders`).toEqual(placeholders(english));
      }
    },
  );

  it("are really translated, not copies of English", async () => {
    for (const locale of LOCALES.filter((code) => code !== "en")) {
      const catalog = await loadCatalog(locale);
      const same = Object.entries(en).filter(([key, english]) => Reflect.get(catalog, key) === english);
      // Brand words and "Bot" may match; most of a catalogue may not.
      expect(same.length, `${locale} copies ${same.map(([key]) => key).join(", ")}`).toBeLessThan(5);
    }
  });
});

describe("resolveLocale", () => {
  it("matches exact tags, regions to their language, and falls back to English", () => {
    expect(resolveLocale(["pt-BR"])).toBe("pt-BR");
    expect(resolveLocale(["pt-br"])).toBe("pt-BR");
    expect(resolveLocale(["pt-PT"])).toBe("pt");
    expect(resolveLocale(["de-AT", "en"])).toBe("de");
    expect(resolveLocale(["xx-YY", "fr-CA"])).toBe("fr");
    expect(resolveLocale(["xx"])).toBe("en");
    expect(resolveLocale([])).toBe("en");
    expect(resolveLocale(["", "  ", "ar-EG"])).toBe("ar");
  });

  it("tells Traditional from Simplified Chinese and knows Hebrew's old code", () => {
    expect(resolveLocale(["zh-Hant-HK"])).toBe("zh-TW");
    expect(resolveLocale(["zh-HK"])).toBe("zh-TW");
    expect(resolveLocale(["zh-Hans"])).toBe("zh-CN");
    expect(resolveLocale(["zh"])).toBe("zh-CN");
    expect(resolveLocale(["iw-IL"])).toBe("he");
  });
});

describe("direction", () => {
  it("is right to left for Arabic, Hebrew, Persian and Urdu only", () => {
    expect(LOCALES.filter((locale) => directionOf(locale) === "rtl").sort()).toEqual(["ar", "fa", "he", "ur"]);
    expect(directionOf("ar-EG")).toBe("rtl");
  });

  it("comes with the translator", async () => {
    const arabic = await loadTranslator("ar");
    expect(arabic.dir).toBe("rtl");
    expect(arabic.t("send")).toBe("إرسال");
    expect((await loadTranslator("fr")).dir).toBe("ltr");
  });
});

describe("translator", () => {
  it("fills placeholders and leaves unknown ones visible", () => {
    const { t } = createTranslator("en", en);
    expect(t("typing", { name: "Ada" })).toBe("Ada is typing…");
    expect(t("typing")).toBe("{name} is typing…");
  });

  it("formats durations with the language's own plural rules", () => {
    expect(formatDuration(300, "en")).toBe("5 minutes");
    expect(formatDuration(30, "en")).toBe("1 minute");
    expect(formatDuration(7200, "en")).toBe("2 hours");
    expect(formatDuration(3 * 86_400, "en")).toBe("3 days");
    expect(formatDuration(300, "ru")).toBe("5 минут");
  });
});

describe("refusals", () => {
  const blocked = { code: "forbidden", message: "This conversation is not accepting messages." };
  const collided = { code: "conflict", message: "This message collided with another one; send it again." };

  it("words the refusals a visitor can meet in their language, by reason before code", async () => {
    const german = await loadTranslator("de");
    expect(describeRefusal(german, blocked)).toBe(german.t("notAccepting"));
    expect(describeRefusal(german, { code: "rate_limited", message: "Slow down." })).toBe(german.t("tooFast"));
    expect(describeRefusal(german, { code: "bad_request", reason: "file_infected", message: "Infected." })).toBe(
      german.t("fileRejected"),
    );
    expect(german.t("notAccepting")).not.toBe(en.notAccepting);
  });

  it("keeps the server's precise English for an English reader, and a sentence in their language for others", async () => {
    const english = createTranslator("en", en);
    expect(describeRefusal(english, collided)).toBe(collided.message);
    const french = await loadTranslator("fr");
    expect(describeRefusal(french, collided)).toBe(french.t("error"));
    expect(describeRefusal(french, collided, "failed")).toBe(french.t("failed"));
    expect(describeRefusal(english, null, "failed")).toBe(en.failed);
    expect(describeRefusal(english, { code: "timeout", message: "" })).toBe(en.error);
  });
});
