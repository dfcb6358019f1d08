// The languages the widget ships. The loader picks one (data-locale, else the host page's lang) and
// hands it to the frame in its URL; the frame falls back to English for anything else.

export const LOCALES = ["en", "de"] as const;
export type Locale = (typeof LOCALES)[number];

/** The shipped locale for a BCP 47 tag ("de-AT" → "de"), or English. */
export function pickLocale(tag: string | null | undefined): Locale {
  const language = (tag ?? "").slice(0, 35).toLowerCase().split("-")[0];
  return LOCALES.find((locale) => locale === language) ?? "en";
}
