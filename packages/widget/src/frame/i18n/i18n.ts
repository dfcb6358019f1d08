import type { Locale } from "../../locale";
import { de } from "./messages-de";
import { en, type MessageKey, type Messages } from "./messages-en";

export type { MessageKey } from "./messages-en";

export const CATALOGUES: Record<Locale, Messages> = { en, de };

/** `{name}` placeholders of `template` filled from `values`; unknown ones are left as written. */
export const format = (template: string, values: Record<string, string | number> = {}): string =>
  template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in values ? String(values[name]) : whole));

/** The frame's strings and formats in one locale. */
export interface Translator {
  locale: Locale;
  t: (key: MessageKey, values?: Record<string, string | number>) => string;
  /** A wait in minutes ("less than a minute", "4 min"). */
  duration: (ms: number) => string;
  /** An instant as the customer reads it (weekday, time, in his own time zone). */
  instant: (iso: string) => string;
  time: (iso: string) => string;
}

export function translator(locale: Locale): Translator {
  const messages = CATALOGUES[locale];
  const t = (key: MessageKey, values?: Record<string, string | number>) => format(messages[key], values);
  const instant = new Intl.DateTimeFormat(locale, { weekday: "long", hour: "2-digit", minute: "2-digit" });
  const time = new Intl.DateTimeFormat(locale, { hour: "2-digit", minute: "2-digit" });
  return {
    locale,
    t,
    duration: (ms) => (ms < 60_000 ? t("lessThanMinute") : t("minutes", { count: Math.round(ms / 60_000) })),
    instant: (iso) => instant.format(new Date(iso)),
    time: (iso) => time.format(new Date(iso)),
  };
}
