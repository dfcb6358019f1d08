import type { RoutingConfig, RoutingStrategy } from "../domain/routing-config";

/** Strategy codes as the scripts store them. */
const STRATEGY_CODES: Record<RoutingStrategy, string> = {
  longest_idle: "li",
  least_busy: "lb",
  round_robin: "rr",
  manual: "mn",
};

/** The flat shape putConfig-1.lua writes into the team and problem type hashes. */
export function toStoredConfig(config: RoutingConfig) {
  return {
    teams: config.teams.map((team) => ({
      id: team.id,
      strat: STRATEGY_CODES[team.strategy],
      tmo: team.offerTimeoutMs,
      keep: team.transferKeepsWaitTime ? "1" : "0",
      boost: team.transferPriorityBoost,
      ovf: JSON.stringify(team.overflow),
      ov1: team.overflow[0]?.afterMs ?? "",
    })),
    pts: config.problemTypes.map((pt) => ({
      id: pt.id,
      team: pt.teamId,
      prio: pt.priority,
      sk: pt.requiredSkills.join(","),
    })),
  };
}
