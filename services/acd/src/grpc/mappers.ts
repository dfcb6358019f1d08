import { requireEnumValue } from "@handoff/runtime";
import { RoutingStrategy, SessionState, type QueueTarget as QueueTargetMessage } from "@handoff/proto/common";
import type { DecisionRecord, Offer, RoutingConfig as RoutingConfigMessage } from "@handoff/proto/acd_service";
import type { QueueTarget } from "../domain/queue-target";
import type { RoutingConfig, RoutingConfigInput, RoutingStrategy as Strategy } from "../domain/routing-config";
import type { PendingOffer, RoutingOutboxEntry, StoredDecision } from "../store/routing-records";
import type { SessionStateName } from "../store/session-states";

const STRATEGY_FROM_PROTO: Partial<Record<RoutingStrategy, Strategy>> = {
  [RoutingStrategy.ROUTING_STRATEGY_LONGEST_IDLE]: "longest_idle",
  [RoutingStrategy.ROUTING_STRATEGY_LEAST_BUSY]: "least_busy",
  [RoutingStrategy.ROUTING_STRATEGY_ROUND_ROBIN]: "round_robin",
  [RoutingStrategy.ROUTING_STRATEGY_MANUAL]: "manual",
};

const STRATEGY_TO_PROTO: Record<Strategy, RoutingStrategy> = {
  longest_idle: RoutingStrategy.ROUTING_STRATEGY_LONGEST_IDLE,
  least_busy: RoutingStrategy.ROUTING_STRATEGY_LEAST_BUSY,
  round_robin: RoutingStrategy.ROUTING_STRATEGY_ROUND_ROBIN,
  manual: RoutingStrategy.ROUTING_STRATEGY_MANUAL,
};

const STATE_TO_PROTO: Record<SessionStateName, SessionState> = {
  waiting: SessionState.SESSION_STATE_WAITING,
  offered: SessionState.SESSION_STATE_OFFERED,
  active: SessionState.SESSION_STATE_ACTIVE,
  ended: SessionState.SESSION_STATE_ENDED,
  abandoned: SessionState.SESSION_STATE_ABANDONED,
};

export function configFromProto(config: RoutingConfigMessage): RoutingConfigInput {
  return {
    teams: config.teams.map((team, i) => ({
      ...team,
      // UNSPECIFIED falls back to the default strategy; a number the contract does not name is refused.
      strategy: STRATEGY_FROM_PROTO[requireEnumValue(team.strategy, RoutingStrategy, `config.teams[${i}].strategy`)],
    })),
    problemTypes: config.problemTypes,
  };
}

export function configToProto(config: RoutingConfig, version: number): RoutingConfigMessage {
  return {
    version,
    teams: config.teams.map((team) => ({ ...team, strategy: STRATEGY_TO_PROTO[team.strategy] })),
    problemTypes: config.problemTypes,
  };
}

export function targetToProto(target: QueueTarget): QueueTargetMessage {
  return target.kind === "team"
    ? { target: { $case: "teamId", teamId: target.id } }
    : { target: { $case: "repId", repId: target.id } };
}

export const stateToProto = (state: SessionStateName): SessionState => STATE_TO_PROTO[state];

/** A decision record as the scripts write it; "personal" (and anything unknown) has no proto strategy. */
function decisionToProto(decision: StoredDecision = {}): DecisionRecord {
  return {
    strategy: STRATEGY_TO_PROTO[decision.strategy as Strategy] ?? RoutingStrategy.ROUTING_STRATEGY_UNSPECIFIED,
    candidatesConsidered: decision.candidatesConsidered ?? 0,
    winningScore: decision.winningScore ?? 0,
    tieBreak: decision.tieBreak ?? "",
    trigger: decision.trigger ?? "",
  };
}

/** The Offer message of an OfferCreated outbox entry (what subscribers receive). */
export function offerFromOutbox(site: string, entry: RoutingOutboxEntry): Offer {
  const data = entry.data as {
    repId: string;
    expiresAtMs: number;
    fromQueue?: { teamId?: string; repId?: string };
    decision?: StoredDecision;
  };
  const from = data.fromQueue?.teamId
    ? targetToProto({ kind: "team", id: data.fromQueue.teamId })
    : targetToProto({ kind: "rep", id: data.fromQueue?.repId ?? "" });
  return {
    siteId: site,
    sessionId: entry.sessionId,
    repId: data.repId,
    epoch: entry.epoch,
    expiresAtMs: data.expiresAtMs,
    fromQueue: from,
    decision: decisionToProto(data.decision),
  };
}

/** The Offer message of an offer pending at subscribe time: the same as its OfferCreated entry's. */
export function pendingOfferToProto(site: string, offer: PendingOffer): Offer {
  return {
    siteId: site,
    sessionId: offer.sessionId,
    repId: offer.repId,
    epoch: offer.epoch,
    expiresAtMs: offer.expiresAtMs,
    fromQueue: targetToProto(offer.from),
    decision: decisionToProto(offer.decision),
  };
}
