import type { BrokerSettingsValues } from "./broker-settings";
import type { QueueTargetValue } from "./queue-target";

/** What becomes of one active session whose rep did not come back within the site's grace period. */
export type DisconnectOutcome =
  /** Other reps are still in the session: he leaves; when he held control, it passes to `toRepId`. */
  | { rule: "hand_over"; toRepId: string | undefined }
  /** Back into a queue at its original place: his personal queue, its own queue, or a named team. */
  | { rule: "wait_for_rep" | "requeue" | "team"; target: QueueTargetValue }
  | { rule: "end" };

export type DisconnectRuleName = DisconnectOutcome["rule"];

export interface PresentRep {
  repId: string;
  primary: boolean;
  disconnectedAtMs: number | null;
}

/** When a rep's grace period ends, counted from the moment his last connection dropped. */
export const graceUntilMs = (disconnectedAtMs: number, settings: Pick<BrokerSettingsValues, "disconnectGraceMs">) =>
  disconnectedAtMs + settings.disconnectGraceMs;

/**
 * The site's fallback rule for a session `repId` was disconnected from. Reps still present take
 * precedence over the rule: he just leaves, and control goes to the longest-present rep who is still
 * connected (or, when all are disconnected too, to the longest-present one, whose own grace runs).
 * `present` is in the participant store's order: primary first, then by joining time.
 */
export function disconnectOutcome(
  settings: Pick<BrokerSettingsValues, "disconnectFallback" | "disconnectFallbackTeamId">,
  session: { target: QueueTargetValue },
  repId: string,
  present: readonly PresentRep[],
): DisconnectOutcome {
  const others = present.filter((p) => p.repId !== repId);
  if (others.length > 0) {
    const wasPrimary = present.some((p) => p.repId === repId && p.primary);
    const next = others.find((p) => p.disconnectedAtMs === null) ?? others[0]!;
    return { rule: "hand_over", toRepId: wasPrimary ? next.repId : undefined };
  }
  switch (settings.disconnectFallback) {
    case "wait_for_rep":
      return { rule: "wait_for_rep", target: { kind: "rep", id: repId } };
    case "team":
      return { rule: "team", target: { kind: "team", id: settings.disconnectFallbackTeamId } };
    case "end":
      return { rule: "end" };
    case "requeue":
      return { rule: "requeue", target: session.target };
  }
}
