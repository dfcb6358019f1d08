import { h } from "../dom";
import type { Translator } from "../i18n/i18n";
import type { Notice } from "../portal-client";

/** The site's active notices as a labelled list (the portal's front page). */
export function noticesList(i18n: Translator, notices: Notice[]): HTMLElement | null {
  if (notices.length === 0) return null;
  return h(
    "section",
    { class: "notices", "aria-label": i18n.t("notices") },
    h(
      "ul",
      {},
      ...notices.map((notice) => h("li", { class: "notice", "data-notice": notice.id }, h("p", {}, notice.text))),
    ),
  );
}
