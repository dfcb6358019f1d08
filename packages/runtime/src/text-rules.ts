// What text a person may give us, checked the same way by every service's gRPC and HTTP adapters and
// by domain code. Pure: no transport, so domain modules may use it through `@handoff/runtime/fields`.

// Control characters other than tab and newlines (C0, DEL and C1) have no business in text people read.
const TEXT_FORBIDDEN = "\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f";

// A name is one line: no control character at all, no line or paragraph separator, and no bidi
// control (ALM, LRM/RLM, embeddings and overrides LRE..RLO/PDF, isolates LRI..PDI), which could make a
// name display as another one ("Trojan Source", CVE-2021-42574). Right-to-left names need none of them.
const NAME_FORBIDDEN =
  "\\u0000-\\u001f\\u007f-\\u009f\\u061c\\u200e\\u200f\\u2028\\u2029\\u202a-\\u202e\\u2066-\\u2069";

/** The characters free text may hold, as a JSON Schema / ECMAScript pattern (for OpenAPI documents). */
export const TEXT_PATTERN = `^[^${TEXT_FORBIDDEN}]*$`;
/** The characters a display name may hold, as a JSON Schema / ECMAScript pattern. */
export const DISPLAY_NAME_PATTERN = `^[^${NAME_FORBIDDEN}]*$`;
const textAllowed = new RegExp(TEXT_PATTERN, "u");
const nameAllowed = new RegExp(DISPLAY_NAME_PATTERN, "u");

/** Length in characters (Unicode code points), as people count them: "👍" is one, not two UTF-16 units. */
export function characterCount(value: string): number {
  let count = value.length;
  for (let i = 0; i < value.length - 1; i++) {
    const unit = value.charCodeAt(i);
    const next = value.charCodeAt(i + 1);
    // A high surrogate followed by a low one is one code point in two units.
    if (unit >= 0xd800 && unit <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
      count--;
      i++;
    }
  }
  return count;
}

function lengthProblem(value: string, max: number, min: number): string | undefined {
  const length = characterCount(value);
  if (length < min) return min === 1 ? "must not be empty" : `at least ${min} characters`;
  if (length > max) return `at most ${max} characters`;
  return undefined;
}

/** Why free text (`min`..`max` characters, tab and newlines allowed) is refused; undefined when fine. */
export function textProblem(value: string, max: number, min = 0): string | undefined {
  return (
    lengthProblem(value, max, min) ?? (textAllowed.test(value) ? undefined : "must not contain control characters")
  );
}

/**
 * Why a display name (a team name, a label, a person's name: one line shown to others) is refused;
 * undefined when fine. `min` 1 also refuses a name of only spaces.
 */
export function displayNameProblem(value: string, max: number, min = 1): string | undefined {
  if (min > 0 && value.trim().length === 0) return "must not be empty";
  return (
    lengthProblem(value, max, min) ??
    (nameAllowed.test(value) ? undefined : "must not contain control, line-separator or bidi-override characters")
  );
}
