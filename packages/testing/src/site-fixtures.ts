import { randomUUID } from "node:crypto";
import type { Team } from "@handoff/proto/acd_service";
import { RoutingStrategy } from "@handoff/proto/common";
import type { Acd } from "./service-clients";

/** A fresh site per test, so tests never see each other's reps or sessions. */
export const newSiteId = (): string => `test-${randomUUID()}`;

export const teamConfig = (id: string, overrides: Partial<Team> = {}): Team => ({
  id,
  name: `Team ${id}`,
  strategy: RoutingStrategy.ROUTING_STRATEGY_LONGEST_IDLE,
  offerTimeoutMs: 30_000,
  overflow: [],
  transferKeepsWaitTime: false,
  transferPriorityBoost: 0,
  memberRepIds: [],
  ...overrides,
});

export const teamTarget = (teamId: string) => ({ target: { $case: "teamId" as const, teamId } });
export const repTarget = (repId: string) => ({ target: { $case: "repId" as const, repId } });

/** A session of priority 0 with no skills, enqueued for a team; the acd's answer (who it was offered to at once). */
export function enqueueInTeam(acd: Acd, siteId: string, sessionId: string, teamId: string) {
  return acd.enqueueSession({
    siteId,
    sessionId,
    target: teamTarget(teamId),
    problemTypeId: "",
    priority: 0,
    requiredSkills: [],
  });
}
