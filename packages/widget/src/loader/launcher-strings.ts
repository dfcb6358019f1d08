import type { Locale } from "../locale";

/** The loader's own few words (the frame has its own catalogue: the loader stays small). */
export const LAUNCHER_STRINGS: Record<Locale, { open: string; close: string; frameTitle: string; attention: string }> =
  {
    en: { open: "Get help", close: "Close help", frameTitle: "Support chat", attention: "new activity" },
    de: { open: "Hilfe", close: "Hilfe schließen", frameTitle: "Support-Chat", attention: "neue Aktivität" },
  };
