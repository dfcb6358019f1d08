import type { RoutingConfig, RoutingStrategy } from "../domain/routing-config";

/** Strategy codes as the library stores them; generated into its constants module. */
export const STRATEGY_CODES: Record<RoutingStrategy, string> = {
  longest_idle: "li",
  least_busy: "lb",
  round_robin: "rr",
  manual: "mn",
};

/** The flat shape library/functions/putConfig.lua writes into the team and problem type hashes. */
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
      mem: team.memberRepIds,
    })),
    pts: config.problemTypes.map((pt) => ({
      id: pt.id,
      team: pt.teamId,
      prio: pt.priority,
      sk: pt.requiredSkills.join(","),
    })),
  };
}
