import { NotAllowedError, UnknownReferenceError } from "./errors";

/** A rep present in a session, as the rules need him. */
export interface PresentRep {
  repId: string;
  primary: boolean;
  joinedAtMs: number;
}

/**
 * What a rep's leaving does to the session: another rep just leaves; the primary hands control to
 * the rep present longest (earliest join, then the smaller id); the last rep puts the session back in
 * its queue.
 */
export type LeaveOutcome = { kind: "left" } | { kind: "handed_over"; toRepId: string } | { kind: "last" };

/** @throws NotAllowedError when `repId` is not present. */
export function leaveOutcome(present: readonly PresentRep[], repId: string): LeaveOutcome {
  const me = present.find((p) => p.repId === repId);
  if (!me) throw new NotAllowedError(`rep ${repId} is not in this session`);
  const others = present
    .filter((p) => p.repId !== repId)
    .sort((a, b) => a.joinedAtMs - b.joinedAtMs || (a.repId < b.repId ? -1 : 1));
  const next = others[0];
  if (!next) return { kind: "last" };
  return me.primary ? { kind: "handed_over", toRepId: next.repId } : { kind: "left" };
}

/**
 * The rep who gets control, or undefined when `toRepId` has it already (handing over to the
 * primary changes nothing).
 * @throws UnknownReferenceError("to_rep_id") when he is not present.
 */
export function handOverTarget(present: readonly PresentRep[], toRepId: string): PresentRep | undefined {
  const to = present.find((p) => p.repId === toRepId);
  if (!to) throw new UnknownReferenceError("to_rep_id", `rep ${toRepId} is not in this session`);
  return to.primary ? undefined : to;
}
