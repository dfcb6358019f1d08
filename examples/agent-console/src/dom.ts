// A few DOM helpers, so each view reads as the markup it builds. Text always goes in as text nodes:
// nothing a customer or the broker sends is ever parsed as HTML.

type Attributes = Record<string, string | number | boolean | undefined>;
type Child = Node | string | false | null | undefined;

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
/** A document-unique id, to tie a label to its control. */
export const uid = (prefix: string): string => `${prefix}-${++lastId}`;

/** A labelled control: `<div class="field"><label for>text</label>control</div>`. */
export function field(label: string, control: HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement): HTMLElement {
  control.id ||= uid("field");
  return h("div", { class: "field" }, h("label", { for: control.id }, label), control);
}

/** A `<select>` of `options` (value, label pairs). */
export function select(name: string, options: [string, string][], selected?: string): HTMLSelectElement {
  return h(
    "select",
    { name },
    ...options.map(([value, label]) => h("option", { value, selected: value === selected }, label)),
  );
}

/**
 * Calls `run` on submit (Enter in a field or the submit button) with the form's fields, disabling
 * the form while it runs so a double click does not send a command twice.
 */
export function onSubmit(form: HTMLFormElement, run: (fields: FormData) => Promise<void>): void {
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    // Read before disabling: a disabled field is left out of FormData.
    const fields = new FormData(form);
    const fieldset = form.querySelector("fieldset");
    if (fieldset) fieldset.disabled = true;
    void run(fields).finally(() => {
      if (fieldset) fieldset.disabled = false;
    });
  });
}

/** The text of a form field ("" when missing). */
export function text(fields: FormData, name: string): string {
  const value = fields.get(name);
  return typeof value === "string" ? value.trim() : "";
}
