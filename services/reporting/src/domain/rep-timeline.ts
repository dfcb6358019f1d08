import type { RepStateChangeRow } from "./rep-facts";
import type { HandledPartRow, SessionFacts } from "./session-facts";
import { subtract, union, type Span } from "./spans";

export const AVAILABLE = "REP_STATE_AVAILABLE";
export const OFFLINE = "REP_STATE_OFFLINE";

export interface StateSpan extends Span {
  state: string;
  reasonCode: string;
}

export interface RepStateChange extends RepStateChangeRow {
  repId: string;
}

/** A rep's time line up to `untilMs`: presence states, and the sessions he held. */
export interface RepTimeline {
  repId: string;
  states: StateSpan[];
  /** His accepted sessions, each from acceptance to the end of his part (or `untilMs`). */
  parts: Span[];
  /** Holding at least one accepted session. */
  engaged: Span[];
  /** Available and holding no accepted session (ringing time is idle). */
  availableIdle: Span[];
}

/**
 * Builds each rep's time line. Every state change closes the previous state's span with the duration
 * presence measured; the latest change opens a span that runs to `untilMs`.
 */
export function repTimelines(
  changes: readonly RepStateChange[],
  sessions: readonly Pick<SessionFacts, "parts">[],
  untilMs: number,
): Map<string, RepTimeline> {
  const timelines = new Map<string, RepTimeline>();
  const timelineOf = (repId: string) => {
    let timeline = timelines.get(repId);
    if (!timeline) timelines.set(repId, (timeline = { repId, states: [], parts: [], engaged: [], availableIdle: [] }));
    return timeline;
  };
  const latest = new Map<string, RepStateChange>();
  for (const change of changes) {
    const timeline = timelineOf(change.repId);
    if (change.changedAtMs > change.previousStartedAtMs)
      timeline.states.push({
        startMs: change.previousStartedAtMs,
        endMs: Math.min(change.changedAtMs, untilMs),
        state: change.previousState,
        reasonCode: change.previousReasonCode,
      });
    const current = latest.get(change.repId);
    if (!current || change.changedAtMs >= current.changedAtMs) latest.set(change.repId, change);
  }
  for (const change of latest.values())
    timelineOf(change.repId).states.push({
      startMs: change.changedAtMs,
      endMs: untilMs,
      state: change.state,
      reasonCode: change.reasonCode,
    });
  const partSpan = (part: HandledPartRow): Span => ({
    startMs: part.acceptedAtMs,
    endMs: Math.min(part.endedAtMs ?? untilMs, untilMs),
  });
  for (const facts of sessions) for (const part of facts.parts) timelineOf(part.repId).parts.push(partSpan(part));
  for (const timeline of timelines.values()) {
    timeline.states = timeline.states.filter((s) => s.endMs > s.startMs).sort((a, b) => a.startMs - b.startMs);
    timeline.engaged = union(timeline.parts);
    timeline.availableIdle = subtract(
      timeline.states.filter((s) => s.state === AVAILABLE),
      timeline.engaged,
    );
  }
  return timelines;
}
