import { InvalidArgumentError } from "@handoff/runtime";
import type { QueueTarget as QueueTargetMessage } from "@handoff/proto/common";
import { ID_PATTERN, MAX_ID_LENGTH, MAX_PRIORITY, MAX_SKILLS } from "../domain/limits";
import type { QueueTarget } from "../domain/queue-target";

/** Ids end up inside Redis keys and comma lists, so their alphabet is closed. */
export function requireId(value: string, field: string): string {
  if (!value) throw new InvalidArgumentError(field, "must not be empty");
  if (value.length > MAX_ID_LENGTH)
    throw new InvalidArgumentError(field, `must be at most ${MAX_ID_LENGTH} characters`);
  if (!ID_PATTERN.test(value)) throw new InvalidArgumentError(field, "may hold only letters, digits and _ . : @ -");
  return value;
}

export function optionalId(value: string, field: string): string {
  return value ? requireId(value, field) : "";
}

export function requirePriority(value: number, field: string): number {
  if (!Number.isInteger(value) || value < 0 || value > MAX_PRIORITY) {
    throw new InvalidArgumentError(field, `must be an integer from 0 to ${MAX_PRIORITY}`);
  }
  return value;
}

export function requireEpoch(value: number, field: string): number {
  if (!Number.isInteger(value) || value < 1) throw new InvalidArgumentError(field, "must be the offer's epoch (≥ 1)");
  return value;
}

export function requireSkills(values: readonly string[], field: string): string[] {
  if (values.length > MAX_SKILLS) throw new InvalidArgumentError(field, `at most ${MAX_SKILLS} skills`);
  values.forEach((skill, i) => requireId(skill, `${field}[${i}]`));
  if (new Set(values).size !== values.length) throw new InvalidArgumentError(field, "must not repeat a skill");
  return [...values];
}

export function requireTarget(target: QueueTargetMessage | undefined, field: string): QueueTarget {
  switch (target?.target?.$case) {
    case "teamId":
      return { kind: "team", id: requireId(target.target.teamId, `${field}.team_id`) };
    case "repId":
      return { kind: "rep", id: requireId(target.target.repId, `${field}.rep_id`) };
    default:
      throw new InvalidArgumentError(field, "must name a team_id or a rep_id");
  }
}
