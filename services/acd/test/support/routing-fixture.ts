import { RoutingStrategy } from "@handoff/proto/common";
import type { Team } from "@handoff/proto/acd_service";
import { randomUUID } from "node:crypto";
import type { Acd } from "./acd-client";

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
export const repTarget = (repId: string) => ({ target: { $case: "repId" as const, repId } });

/** A fresh site per test, so tests never see each other's queues. */
export function newSite(): string {
  return `test-${randomUUID()}`;
}

let version = 0;
/** Presence's push of a rep's routable capacity, with an ever-growing version. */
export async function repOnline(
  acd: Acd,
  siteId: string,
  repId: string,
  teamIds: string[],
  capacity = 1,
  skills: string[] = [],
): Promise<void> {
  await acd.setRepCapacity({
    siteId,
    repId,
    teamIds,
    skills,
    routableCapacity: capacity,
    version: ++version + Date.now(),
    connected: true,
  });
}
