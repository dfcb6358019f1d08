import { ID_PATTERN, MAX_ID_LENGTH } from "@handoff/proto";
import { InvalidArgumentError } from "./errors";

/** An id as the contract allows it, or INVALID_ARGUMENT naming `field`. */
export function requireId(value: string, field: string): string {
  if (!value) throw new InvalidArgumentError(field, "must not be empty");
  if (value.length > MAX_ID_LENGTH)
    throw new InvalidArgumentError(field, `must be at most ${MAX_ID_LENGTH} characters`);
  if (!ID_PATTERN.test(value)) throw new InvalidArgumentError(field, "may hold only letters, digits and _ . : @ -");
  return value;
}

/** An id that may be left empty. */
export function optionalId(value: string, field: string): string {
  return value ? requireId(value, field) : "";
}

/** A list of distinct ids of at most `max` entries. */
export function requireIdList(values: readonly string[], field: string, max: number): string[] {
  if (values.length > max) throw new InvalidArgumentError(field, `at most ${max} entries`);
  values.forEach((value, i) => requireId(value, `${field}[${i}]`));
  if (new Set(values).size !== values.length) throw new InvalidArgumentError(field, "must not repeat an entry");
  return [...values];
}
