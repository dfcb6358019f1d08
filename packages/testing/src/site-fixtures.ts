import { randomUUID } from "node:crypto";
import type { Team } from "@handoff/proto/acd_service";
import { RoutingStrategy } from "@handoff/proto/common";

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
