import { button, h, heading } from "../dom";
import type { Translator } from "../i18n/i18n";
import { fallbackLink } from "./start-view";

/**
 * A view that only tells something: loading, unreachable, no rep available (with the fallback link),
 * ended, thanks; with one optional action (try again, ask again).
 */
export function messageView(
  i18n: Translator,
  title: string,
  options: { detail?: string; fallbackUrl?: string | null; action?: { label: string; run: () => void } } = {},
): HTMLElement {
  return h(
    "div",
    { class: "view message-view" },
    heading(title),
    options.detail ? h("p", {}, options.detail) : null,
    fallbackLink(i18n, options.fallbackUrl),
    options.action ? button(options.action.label, options.action.run) : null,
  );
}
