import { ID_PATTERN, MAX_ID_LENGTH } from "@handoff/proto";
import type { QueueTarget as QueueTargetMessage } from "@handoff/proto/common";
import { displayNameProblem, textProblem } from "../text-rules";
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

/** Free text of `min`..`max` characters (code points); `min` 1 makes it required. */
export function requireText(value: string, field: string, max: number, min = 0): string {
  const problem = textProblem(value, max, min);
  if (problem) throw new InvalidArgumentError(field, problem);
  return value;
}

/** A display name (team name, label, person's name): one line, no control or bidi-override characters. */
export function requireDisplayName(value: string, field: string, max: number, min = 1): string {
  const problem = displayNameProblem(value, max, min);
  if (problem) throw new InvalidArgumentError(field, problem);
  return value;
}

/**
 * A value of a generated enum that the contract names (`UNRECOGNIZED`, -1, is ts-proto's marker for a
 * number it does not know, never a value). protobuf decodes an unknown number into an open enum as is,
 * so without this check it would be stored and published as a value nobody can read.
 */
export function requireEnumValue<E extends number>(
  value: E,
  values: Readonly<Record<string, string | number>>,
  field: string,
): E {
  if (!Number.isInteger(value) || value < 0 || typeof values[value] !== "string") {
    const known = Object.keys(values).filter((name) => !/^\d+$/.test(name) && name !== "UNRECOGNIZED");
    throw new InvalidArgumentError(field, `must be one of ${known.join(", ")} (got ${value})`);
  }
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
