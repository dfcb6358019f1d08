// DOM helpers, so each view reads as the markup it builds. Text always goes in as text nodes: nothing
// the portal, a rep or the customer sends is ever parsed as HTML. No inline styles anywhere (the
// frame's CSP has no 'unsafe-inline'): looks come from widget.css through classes and attributes.

type Attributes = Record<string, string | number | boolean | undefined>;
export type Child = Node | string | false | null | undefined;

/** `<tag attr...>children</tag>`; `true` sets an empty attribute, `false`/`undefined` leaves it out. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Attributes = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === false || value === undefined) continue;
    element.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children) if (child) element.append(child);
  return element;
}

let lastId = 0;
/** A document-unique id, to tie a label or a message to its control. */
export const uid = (prefix: string): string => `${prefix}-${++lastId}`;

/** A button that runs `onClick`. */
export function button(label: string, onClick: () => void, attributes: Attributes = {}): HTMLButtonElement {
  const element = h("button", { type: "button", ...attributes }, label);
  element.addEventListener("click", onClick);
  return element;
}

/**
 * A labelled control with a slot for its error: the error is tied to it by aria-describedby and marks
 * it aria-invalid, so a screen reader reads the problem with the field.
 */
export function field(
  label: string,
  control: HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement,
  error?: string,
  hint?: string,
): HTMLElement {
  control.id ||= uid("field");
  const described: string[] = [];
  const hintElement = hint ? h("p", { class: "hint", id: uid("hint") }, hint) : null;
  if (hintElement) described.push(hintElement.id);
  const errorElement = error ? h("p", { class: "field-error", id: uid("error") }, error) : null;
  if (errorElement) {
    described.push(errorElement.id);
    control.setAttribute("aria-invalid", "true");
  }
  if (described.length > 0) control.setAttribute("aria-describedby", described.join(" "));
  return h("div", { class: "field" }, h("label", { for: control.id }, label), control, hintElement, errorElement);
}

/** Calls `run` with the form's fields on submit, disabling it meanwhile so a double click sends once. */
export function onSubmit(form: HTMLFormElement, run: (fields: FormData) => Promise<void> | void): void {
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    // Read before disabling: a disabled fieldset's controls are left out of FormData.
    const fields = new FormData(form);
    const fieldset = form.querySelector("fieldset");
    if (fieldset) fieldset.disabled = true;
    void Promise.resolve(run(fields)).finally(() => {
      if (fieldset) fieldset.disabled = false;
    });
  });
}

/** The trimmed text of a form field ("" when missing). */
export function text(fields: FormData, name: string): string {
  const value = fields.get(name);
  return typeof value === "string" ? value.trim() : "";
}

/** A view's heading, focusable so that moving to a view moves the screen reader there too. */
export const heading = (label: string): HTMLHeadingElement => h("h2", { tabindex: -1, class: "view-heading" }, label);
