import { button, h } from "../dom";
import type { Translator } from "../i18n/i18n";
import type { Notice } from "../portal-client";

/**
 * The site's notices as a labelled list; an exitable one offers to leave the queue from it when
 * `onLeave` is given (waiting customers only).
 */
export function noticesList(
  i18n: Translator,
  notices: Notice[],
  onLeave?: (notice: Notice) => void,
): HTMLElement | null {
  if (notices.length === 0) return null;
  return h(
    "section",
    { class: "notices", "aria-label": i18n.t("notices") },
    h(
      "ul",
      {},
      ...notices.map((notice) =>
        h(
          "li",
          { class: "notice", "data-notice": notice.id },
          h("p", {}, notice.text),
          notice.exitable && onLeave ? button(i18n.t("leaveFromNotice"), () => onLeave(notice)) : null,
        ),
      ),
    ),
  );
}
