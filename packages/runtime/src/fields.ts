// zod fields every HTTP API validates the same way. Only zod here: domain modules may import this
// file (as `@handoff/runtime/fields`) without loading any transport.
import { ID_PATTERN, MAX_ID_LENGTH } from "@handoff/proto";
import { z } from "zod";
import { DISPLAY_NAME_PATTERN, displayNameProblem, TEXT_PATTERN, textProblem } from "./text-rules";

/** An id of the contract's alphabet (site, rep, team, session...), as the gRPC adapters check it. */
export const idField = z
  .string()
  .min(1, "must not be empty")
  .max(MAX_ID_LENGTH, `must be at most ${MAX_ID_LENGTH} characters`)
  .regex(ID_PATTERN, "may hold only letters, digits and _ . : @ -");

/** A string checked by one of the text rules; the bounds also go to the OpenAPI document. */
const checkedText = (problem: (value: string) => string | undefined, max: number, min: number, pattern: string) =>
  z
    .string()
    .superRefine((value, ctx) => {
      const found = problem(value);
      if (found) ctx.addIssue({ code: "custom", message: found });
    })
    .meta({ minLength: min, maxLength: max, pattern });

/**
 * Free text people read: `min`..`max` characters (code points), no control characters other than tab
 * and newlines.
 */
export const textField = (max: number, min = 0) =>
  checkedText((value) => textProblem(value, max, min), max, min, TEXT_PATTERN);

/** A display name (one line shown to others): `min`..`max` characters, no control or bidi controls. */
export const displayNameField = (max: number, min = 1) =>
  checkedText((value) => displayNameProblem(value, max, min), max, min, DISPLAY_NAME_PATTERN);

export { characterCount, displayNameProblem, textProblem } from "./text-rules";
