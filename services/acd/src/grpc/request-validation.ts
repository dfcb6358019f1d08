import { InvalidArgumentError, requireId, requireIdList, requireQueueTarget } from "@handoff/runtime";
import type { QueueTarget as QueueTargetMessage } from "@handoff/proto/common";
import { MAX_PRIORITY, MAX_SKILLS } from "../domain/limits";
import type { QueueTarget } from "../domain/queue-target";

export function requirePriority(value: number, field: string): number {
  if (!Number.isInteger(value) || value < 0 || value > MAX_PRIORITY) {
    throw new InvalidArgumentError(field, `must be an integer from 0 to ${MAX_PRIORITY}`);
  }
  return value;
}

/** The highest epoch a caller knows for a session; 0 when it knows none. */
export function requireKnownEpoch(value: number, field: string): number {
  if (!Number.isInteger(value) || value < 0) throw new InvalidArgumentError(field, "must be an integer ≥ 0");
  return value;
}

/** At most `max` ids, each valid; repeats are allowed (the caller decides what they mean). */
export function requireIds(values: readonly string[], field: string, max: number): string[] {
  if (values.length > max) throw new InvalidArgumentError(field, `at most ${max} entries`);
  values.forEach((value, i) => requireId(value, `${field}[${i}]`));
  return [...values];
}

export const requireSkills = (values: readonly string[], field: string) => requireIdList(values, field, MAX_SKILLS);

/** A team queue or a rep's personal queue (the runtime's check, typed as the acd's target). */
export const requireTarget = (target: QueueTargetMessage | undefined, field: string): QueueTarget =>
  requireQueueTarget(target, field);
