import type { Acd } from "./acd-client";

export { newSiteId as newSite, repTarget, teamConfig as team, teamTarget } from "@handoff/testing";

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
