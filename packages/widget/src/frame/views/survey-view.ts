import { button, field, h, heading, onSubmit, text, uid } from "../dom";
import type { MessageKey, Translator } from "../i18n/i18n";

const MAX_COMMENT = 2_000;

/** The exit survey: a 1–5 rating (radio group) and an optional comment; skippable. */
export function surveyView(
  i18n: Translator,
  submit: (satisfaction: number, comment: string) => Promise<void>,
  skip: () => void,
): HTMLElement {
  const { t } = i18n;
  const ratings = [1, 2, 3, 4, 5].map((value) => {
    const input = h("input", {
      type: "radio",
      name: "satisfaction",
      value,
      id: uid("rating"),
      required: true,
      checked: value === 5,
    });
    return h("div", { class: "choice" }, input, h("label", { for: input.id }, t(`rating${value}` as MessageKey)));
  });
  const comment = h("textarea", { name: "comment", rows: 3, maxlength: MAX_COMMENT });
  const form = h(
    "form",
    { class: "survey" },
    h(
      "fieldset",
      {},
      h("fieldset", { class: "rating" }, h("legend", {}, t("satisfaction")), ...ratings),
      field(t("comment"), comment),
      h(
        "div",
        { class: "actions" },
        button(t("skip"), skip, { class: "secondary" }),
        h("button", { type: "submit" }, t("submit")),
      ),
    ),
  );
  onSubmit(form, (fields) => submit(Number(fields.get("satisfaction") ?? 5), text(fields, "comment")));
  return h(
    "div",
    { class: "view survey-view" },
    h("p", { role: "status" }, t("ended")),
    heading(t("surveyTitle")),
    form,
  );
}
