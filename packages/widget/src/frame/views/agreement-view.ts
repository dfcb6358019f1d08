import { button, h, heading, onSubmit, uid } from "../dom";
import type { Translator } from "../i18n/i18n";
import type { PortalView } from "../portal-client";

export interface Consent {
  agreementVersion: string;
  recordingAllowed: boolean;
}

/**
 * The customer agreement (accepted with its version) and the recording prompt (allow or not), asked
 * before anything is queued. Submitting without the agreement ticked says so and keeps him here. A
 * site without an agreement asks only about recording.
 */
export function agreementView(
  i18n: Translator,
  view: PortalView,
  options: { invitation: boolean; error?: string },
  onAccept: (consent: Consent) => Promise<void>,
  onBack: (() => void) | null,
): HTMLElement {
  const { t } = i18n;
  const agreement = view.agreement;
  const agreementId = uid("agreement");
  const errorId = uid("error");
  const accept = h("input", { type: "checkbox", name: "accept", id: uid("accept"), "aria-describedby": agreementId });
  const error = h("p", { class: "error", id: errorId, role: "alert" }, options.error ?? "");
  const radio = (value: "allow" | "deny", label: string) => {
    const input = h("input", {
      type: "radio",
      name: "recording",
      value,
      id: uid("recording"),
      checked: value === "deny",
    });
    return h("div", { class: "choice" }, input, h("label", { for: input.id }, label));
  };
  const form = h(
    "form",
    { class: "agreement", novalidate: true },
    h(
      "fieldset",
      {},
      agreement && h("div", { class: "agreement-text", id: agreementId, tabindex: 0 }, agreement.text),
      agreement && h("div", { class: "choice" }, accept, h("label", { for: accept.id }, t("agreementAccept"))),
      h(
        "fieldset",
        { class: "recording" },
        h("legend", {}, t("recording")),
        view.recordingPrompt ? h("p", {}, view.recordingPrompt) : null,
        radio("allow", t("recordingAllow")),
        radio("deny", t("recordingDeny")),
      ),
      error,
      h(
        "div",
        { class: "actions" },
        onBack ? button(t("back"), onBack, { class: "secondary" }) : null,
        h("button", { type: "submit" }, t("start")),
      ),
    ),
  );
  onSubmit(form, async (fields) => {
    if (agreement && !accept.checked) {
      error.textContent = t("agreementRequired");
      accept.setAttribute("aria-invalid", "true");
      accept.setAttribute("aria-describedby", `${agreementId} ${errorId}`);
      accept.focus();
      return;
    }
    await onAccept({
      agreementVersion: agreement?.version ?? "",
      recordingAllowed: fields.get("recording") === "allow",
    });
  });
  return h(
    "div",
    { class: "view agreement-view" },
    heading(t("agreementTitle")),
    options.invitation ? h("p", {}, t("invitation")) : null,
    form,
  );
}
