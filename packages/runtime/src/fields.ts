// zod fields every HTTP API validates the same way. Only zod here: domain modules may import this
// file (as `@handoff/runtime/fields`) without loading any transport.
import { ID_PATTERN, MAX_ID_LENGTH } from "@handoff/proto";
import { z } from "zod";

// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTERS = /^[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]*$/;

/** An id of the contract's alphabet (site, rep, team, session...), as the gRPC adapters check it. */
export const idField = z
  .string()
  .min(1, "must not be empty")
  .max(MAX_ID_LENGTH, `must be at most ${MAX_ID_LENGTH} characters`)
  .regex(ID_PATTERN, "may hold only letters, digits and _ . : @ -");

/** Free text people read: `min`..`max` characters, no control characters other than tab and newlines. */
export const textField = (max: number, min = 0) =>
  z
    .string()
    .min(min, min === 1 ? "must not be empty" : `at least ${min} characters`)
    .max(max, `at most ${max} characters`)
    .regex(CONTROL_CHARACTERS, "must not hold control characters");
