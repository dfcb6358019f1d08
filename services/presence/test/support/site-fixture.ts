import type { Team } from "@handoff/proto/acd_service";
import { RoutingStrategy } from "@handoff/proto/common";
import type { Acd } from "@handoff/testing";
import { randomUUID } from "node:crypto";

/** A fresh site per test, so tests never see each other's reps. */
export const newSite = (): string => `test-${randomUUID()}`;

export const team = (id: string, overrides: Partial<Team> = {}): Team => ({
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

/** Gives the site a routing config with these teams (presence reads team membership from it). */
export async function putTeams(acd: Acd, siteId: string, teams: Team[]): Promise<void> {
  await acd.putRoutingConfig({ siteId, config: { version: 0, problemTypes: [], teams } });
}

/** Queues a session for a team; returns the rep it was offered to at once ("" when none). */
export async function enqueue(acd: Acd, siteId: string, sessionId: string, teamId: string): Promise<string> {
  const { offeredRepId } = await acd.enqueueSession({
    siteId,
    sessionId,
    target: teamTarget(teamId),
    problemTypeId: "",
    priority: 0,
    requiredSkills: [],
  });
  return offeredRepId;
}
