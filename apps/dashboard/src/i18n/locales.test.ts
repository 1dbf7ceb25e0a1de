import { describe, expect, it } from "vitest";
import { settingsEn } from "../features/settings/i18n/settings.en";
import { directionOf, LANGUAGES } from "./i18n";
import { en, type Translation } from "./locales/en";

const locales = import.meta.glob<{ default: Translation }>(["./locales/*.ts", "!./locales/en.ts"], { eager: true });

type Tree = { [key: string]: string | Tree };

/** Every leaf as "path → placeholders", so a missing key or a lost {{variable}} shows by name. */
const leaves = (tree: Tree, prefix = ""): Map<string, string> => {
  const found = new Map<string, string>();
  for (const [key, value] of Object.entries(tree)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (typeof value === "string")
      found.set(
        path,
        [...value.matchAll(/\{\{\s*(\w+)\s*\}\}/g)]
          .map((m) => m[1])
          .sort()
          .join(","),
      );
    else for (const [leaf, placeholders] of leaves(value, path)) found.set(leaf, placeholders);
  }
  return found;
};

/** Every English string: the bundled ones and those the settings route adds. */
const englishStrings: Translation = { ...en, settings: settingsEn };

describe("dashboard translations", () => {
  const english = leaves(englishStrings as unknown as Tree);

  it.each(LANGUAGES.filter((language) => language !== "en"))("%s has every string, with the same placeholders", (language) => {
    const module = locales[`./locales/${language}.ts`];
    expect(module, `src/i18n/locales/${language}.ts is missing`).toBeDefined();
    const translated = leaves(module?.default as unknown as Tree);
    expect([...translated.keys()].sort()).toEqual([...english.keys()].sort());
    for (const [path, placeholders] of english) expect(translated.get(path), path).toBe(placeholders);
    const untranslated = [...translated.entries()].filter(([path]) => {
      const text = String(path.split(".").reduce<unknown>((node, key) => (node as Tree)[key], module?.default));
      const source = String(path.split(".").reduce<unknown>((node, key) => (node as Tree)[key], englishStrings));
      return (
        text === source &&
        /[a-z]{4,}/i.test(source) &&
        !/^(Parley|OK|API|SSO|SAML|OpenID Connect|URL|IP|CSV|HTML|Email|E-mail)$/i.test(source)
      );
    });
    // A few strings are the same in many languages (brand names, "Status"); most must be translated.
    expect(untranslated.length / english.size).toBeLessThan(0.1);
  });

  it("mirrors the layout for right-to-left languages only", () => {
    expect(LANGUAGES.filter((language) => directionOf(language) === "rtl").sort()).toEqual(["ar", "fa", "he", "ur"]);
  });
});
