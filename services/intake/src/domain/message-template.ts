/**
 * Messages a waiting customer reads (greeting, hold message) may hold placeholders the portal fills in
 * for him: `{{position}}` (his place in the queue) and `{{estimatedWait}}` (the estimate, in words).
 * Anything else between double braces, or a brace pair left open, is a mistake the admin should hear
 * of when he saves, not a customer when he reads it.
 */
export const PLACEHOLDERS = ["position", "estimatedWait"] as const;
export type Placeholder = (typeof PLACEHOLDERS)[number];

const PLACEHOLDER = /\{\{\s*([^{}]*?)\s*\}\}/g;

/** What is wrong with a template's placeholders, or undefined when they are all known. */
export function templateProblem(template: string): string | undefined {
  for (const match of template.matchAll(PLACEHOLDER)) {
    const name = match[1] ?? "";
    if (!(PLACEHOLDERS as readonly string[]).includes(name))
      return `unknown placeholder {{${name}}}: use ${PLACEHOLDERS.map((p) => `{{${p}}}`).join(" or ")}`;
  }
  const rest = template.replace(PLACEHOLDER, "");
  if (rest.includes("{{") || rest.includes("}}")) return "has a placeholder that is not closed: write {{position}}";
  return undefined;
}
