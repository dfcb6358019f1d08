import { button, field, h, heading, onSubmit, text, type Child } from "../dom";
import type { Translator } from "../i18n/i18n";
import type { VerifiedField } from "../identity-claims";
import type { PortalView, StartSession } from "../portal-client";
import { noticesList } from "./notices-list";

/** How the customer chose to start, before the agreement adds his consent. */
export type StartChoice = Omit<StartSession, "consent" | "identityToken">;

export interface StartViewState {
  /** A problem for the whole view (closed, key refused…). */
  error?: string;
  /** Problems by field name (problemTypeId, name, company, companyCode, description, sessionKey). */
  fieldErrors?: Record<string, string>;
  /** What the customer typed before, kept across a refused attempt. */
  typed?: Record<string, string>;
  /** Fields the host site's identity token vouches for: shown filled in and locked. */
  verified?: Partial<Record<VerifiedField, string>>;
}

/** Input bounds: intake's limits (services/intake/README.md, StartSession). */
const LIMITS = { name: 200, company: 200, companyCode: 64, email: 320, description: 4_000, sessionKey: 16 } as const;

/**
 * The portal's front page: notices, open or closed (with the next opening), and one section for each
 * start method the site enables. When closed only the session key is offered, as intake allows only
 * keys then.
 */
export function startView(
  i18n: Translator,
  view: PortalView,
  state: StartViewState,
  choose: (choice: StartChoice) => void,
): HTMLElement {
  const { t } = i18n;
  const errors = state.fieldErrors ?? {};
  const typed = state.typed ?? {};
  const methods = view.startMethods;
  const sections: Child[] = [];

  if (!view.open) {
    sections.push(
      h(
        "div",
        { class: "closed", role: "status" },
        h("p", {}, view.opensAt ? t("closedUntil", { when: i18n.instant(view.opensAt) }) : t("closed")),
        methods.sessionKey ? h("p", {}, t("closedKeyHint")) : null,
        fallbackLink(i18n, view.fallbackUrl),
      ),
    );
  }

  if (view.open && methods.repList) {
    sections.push(
      h(
        "section",
        { "aria-labelledby": "method-reps" },
        h("h3", { id: "method-reps" }, t("methodRepList")),
        view.reps.length === 0
          ? h("p", {}, t("noRepsListed"))
          : h(
              "ul",
              { class: "reps" },
              ...view.reps.map((rep) =>
                h(
                  "li",
                  {},
                  button(t("talkTo", { name: rep.displayName }), () =>
                    choose({ method: "rep_list", repId: rep.repId, customer: {} }),
                  ),
                ),
              ),
            ),
      ),
    );
  }

  if (view.open && methods.issue) {
    const problemType = h(
      "select",
      { name: "problemTypeId", required: true },
      ...view.problemTypes.map((type) =>
        h("option", { value: type.id, selected: type.id === typed.problemTypeId }, type.label),
      ),
    );
    const verified = state.verified ?? {};
    const person = (name: VerifiedField, autocomplete: string) => {
      const value = verified[name];
      const control = h("input", {
        name,
        type: name === "email" ? "email" : "text",
        autocomplete,
        maxlength: LIMITS[name],
        value: value ?? typed[name],
        readonly: value !== undefined,
      });
      return field(value === undefined ? t(name) : `${t(name)} (${t("verified")})`, control, errors[name]);
    };
    const description = h("textarea", { name: "description", maxlength: LIMITS.description, rows: 3, required: true });
    description.value = typed.description ?? "";
    const form = h(
      "form",
      { class: "issue", "aria-labelledby": "method-issue", novalidate: true },
      h(
        "fieldset",
        {},
        field(t("problemType"), problemType, errors.problemTypeId),
        person("name", "name"),
        person("company", "organization"),
        person("companyCode", "off"),
        person("email", "email"),
        field(t("description"), description, errors.description),
        h("button", { type: "submit" }, t("continue")),
      ),
    );
    onSubmit(form, (fields) =>
      choose({
        method: "issue",
        problemTypeId: text(fields, "problemTypeId"),
        customer: {
          name: text(fields, "name"),
          company: text(fields, "company"),
          companyCode: text(fields, "companyCode"),
          email: text(fields, "email"),
          description: text(fields, "description"),
          locale: i18n.locale,
        },
      }),
    );
    sections.push(h("section", {}, h("h3", { id: "method-issue" }, t("methodIssue")), form));
  }

  if (methods.sessionKey) {
    const key = h("input", {
      name: "sessionKey",
      autocomplete: "off",
      spellcheck: "false",
      maxlength: LIMITS.sessionKey,
      required: true,
      value: typed.sessionKey,
    });
    const form = h(
      "form",
      { class: "session-key", "aria-labelledby": "method-key", novalidate: true },
      h(
        "fieldset",
        {},
        field(t("sessionKey"), key, errors.sessionKey, t("sessionKeyHint")),
        h("button", { type: "submit" }, t("continue")),
      ),
    );
    onSubmit(form, (fields) =>
      choose({ method: "session_key", sessionKey: text(fields, "sessionKey"), customer: { locale: i18n.locale } }),
    );
    sections.push(h("section", {}, h("h3", { id: "method-key" }, t("methodSessionKey")), form));
  }

  return h(
    "div",
    { class: "view start-view" },
    heading(view.open ? t("chooseHow") : t("closedTitle")),
    state.error ? h("p", { class: "error", role: "alert" }, state.error) : null,
    Object.keys(errors).length > 0 && !state.error ? h("p", { class: "error", role: "alert" }, t("checkFields")) : null,
    noticesList(i18n, view.notices),
    ...sections,
  );
}

/** The site's fallback link (opens outside the widget), or nothing when it has none. */
export function fallbackLink(i18n: Translator, url: string | null | undefined): HTMLElement | null {
  if (!url || !/^https?:\/\//.test(url)) return null;
  return h(
    "p",
    {},
    h("a", { href: url, target: "_blank", rel: "noopener noreferrer", class: "fallback" }, i18n.t("fallback")),
  );
}
