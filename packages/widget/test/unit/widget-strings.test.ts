import { describe, expect, it } from "vitest";
import { CATALOGUES, format, translator } from "../../src/frame/i18n/i18n";
import { LAUNCHER_STRINGS } from "../../src/loader/launcher-strings";
import { LOCALES, pickLocale } from "../../src/locale";

const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((match) => match[1]).sort();

describe("widget strings", () => {
  it("ships every string in every language, with the same placeholders as English", () => {
    const english = CATALOGUES.en;
    for (const locale of LOCALES) {
      const catalogue = CATALOGUES[locale];
      expect(Object.keys(catalogue).sort()).toEqual(Object.keys(english).sort());
      for (const [key, text] of Object.entries(catalogue)) {
        expect(text.trim(), `${locale}.${key}`).not.toBe("");
        expect(placeholders(text), `${locale}.${key}`).toEqual(placeholders(english[key as keyof typeof english]));
      }
      expect(Object.values(LAUNCHER_STRINGS[locale]).every((text) => text.length > 0)).toBe(true);
    }
  });

  it("fills placeholders and leaves unknown ones as written", () => {
    expect(format("You are number {position}.", { position: 3 })).toBe("You are number 3.");
    expect(format("{a} and {b}", { a: "x" })).toBe("x and {b}");
  });

  it("says waits in minutes in the customer's language", () => {
    expect(translator("en").duration(30_000)).toBe("less than a minute");
    expect(translator("en").duration(4 * 60_000)).toBe("4 min");
    expect(translator("de").duration(4 * 60_000)).toBe("4 Min.");
  });

  it("picks a shipped locale from a language tag", () => {
    expect(pickLocale("de-CH")).toBe("de");
    expect(pickLocale("EN")).toBe("en");
    expect(pickLocale("")).toBe("en");
    expect(pickLocale(undefined)).toBe("en");
  });
});
