import type { Team } from "@handoff/proto/acd_service";
import { enqueueInTeam, type Acd } from "@handoff/testing";

export { newSiteId as newSite, teamConfig as team, teamTarget } from "@handoff/testing";

/** Gives the site a routing config with these teams (presence reads team membership from it). */
export async function putTeams(acd: Acd, siteId: string, teams: Team[]): Promise<void> {
  await acd.putRoutingConfig({ siteId, config: { version: 0, problemTypes: [], teams } });
}

/** Queues a session for a team; returns the rep it was offered to at once ("" when none). */
export async function enqueue(acd: Acd, siteId: string, sessionId: string, teamId: string): Promise<string> {
  return (await enqueueInTeam(acd, siteId, sessionId, teamId)).offeredRepId;
}
