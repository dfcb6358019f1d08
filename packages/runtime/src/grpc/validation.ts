import { ID_PATTERN, MAX_ID_LENGTH } from "@handoff/proto";
import type { QueueTarget as QueueTargetMessage } from "@handoff/proto/common";
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

/** An offer's fencing token as the contract allows it (≥ 1). */
export function requireEpoch(value: number, field: string): number {
  if (!Number.isInteger(value) || value < 1) throw new InvalidArgumentError(field, "must be the offer's epoch (≥ 1)");
  return value;
}

/** Free text of at most `max` characters; `min` 1 makes it required. */
export function requireText(value: string, field: string, max: number, min = 0): string {
  if (value.length < min)
    throw new InvalidArgumentError(field, min === 1 ? "must not be empty" : `at least ${min} characters`);
  if (value.length > max) throw new InvalidArgumentError(field, `at most ${max} characters`);
  // Control characters other than tab and newlines have no business in text people read.
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(value))
    throw new InvalidArgumentError(field, "must not contain control characters");
  return value;
}

/** A team queue or a rep's personal queue, naming `field.team_id` / `field.rep_id` when bad. */
export function requireQueueTarget(
  target: QueueTargetMessage | undefined,
  field: string,
): { kind: "team" | "rep"; id: string } {
  switch (target?.target?.$case) {
    case "teamId":
      return { kind: "team", id: requireId(target.target.teamId, `${field}.team_id`) };
    case "repId":
      return { kind: "rep", id: requireId(target.target.repId, `${field}.rep_id`) };
    default:
      throw new InvalidArgumentError(field, "must name a team_id or a rep_id");
  }
}
