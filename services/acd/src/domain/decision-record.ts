import type { RoutingStrategy } from "./routing-config";

/**
 * What made the acd match: every trigger an offer's decision record may carry. The Lua library takes
 * them from its generated constants (store/routing-library.ts), where an unknown one is an error.
 */
export const DECISION_TRIGGERS = [
  "enqueue",
  "capacity",
  "reject",
  "expiry",
  "overflow",
  "pull",
  "transfer",
  "withdraw",
  "rebuild",
  "end",
  "requeue",
  "return",
  "continued",
  "handover",
] as const;

export type DecisionTrigger = (typeof DECISION_TRIGGERS)[number];

/** Why a session went to a rep; carried by every offer event so a supervisor can follow the choice. */
export interface DecisionRecord {
  /** "personal": the session waited in the rep's own queue, so no strategy chose among reps. */
  strategy: RoutingStrategy | "personal";
  candidatesConsidered: number;
  /** The winner's index score; what it means depends on the strategy (see strategyScoreDescription). */
  winningScore: number;
  /** How a tie on the score was broken, e.g. "rep id, lowest first". */
  tieBreak: string;
  trigger: DecisionTrigger;
}

const SCORE_DESCRIPTIONS: Record<DecisionRecord["strategy"], string> = {
  longest_idle: "idle since (ms), lowest first",
  least_busy: "active sessions, then idle since (ms), lowest first",
  round_robin: "last offered (rotation counter), lowest first",
  manual: "none: the rep pulled the session",
  personal: "none: the session waited for this rep only",
};

export function strategyScoreDescription(strategy: DecisionRecord["strategy"]): string {
  return SCORE_DESCRIPTIONS[strategy];
}
