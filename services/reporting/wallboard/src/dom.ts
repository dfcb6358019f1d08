// Builds elements from attributes and children. Text always goes in as text nodes: nothing the
// stream sends is ever parsed as HTML.

type Child = Node | string | false | null | undefined;

export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Record<string, string | undefined> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) if (value !== undefined) element.setAttribute(name, value);
  for (const child of children) if (child) element.append(child);
  return element;
}

/** A labelled input: `<div class="field"><label for>text</label>input</div>`. */
export function labelled(label: string, control: HTMLInputElement | HTMLTextAreaElement): HTMLElement {
  return el("div", { class: "field" }, el("label", { for: control.id }, label), control);
}
