import type { Team } from "@handoff/proto/acd_service";
import { enqueueInTeam as enqueueSharedInTeam, teamConfig } from "@handoff/testing";
import type { Acd } from "./acd-client";

export { newSiteId as newSite, repTarget, teamTarget } from "@handoff/testing";

/**
 * Every rep the acd's tests push capacity for. The acd counts a rep only in teams that list him as a
 * member (issue 11), so a fixture team lists them all unless a test names its members; "mallory" is
 * the rep no fixture team lists.
 */
export const TEST_REPS: readonly string[] = [
  ...["alice", "ann", "bob", "broker", "carol", "cat", "cy", "dan", "dave", "dee", "eli", "erin", "eve", "fay"],
  ...["fin", "frank", "gina", "gus", "hal", "hank", "ida", "ivy", "jack", "jo", "kai", "kim", "late", "lee"],
  ...["lou", "max", "ned", "nina", "nobody", "oli", "omar", "pia", "quinn", "r", "ray", "rep", "rita", "sam"],
  ...["stranger", "tom", "uma", "vic", "wes", "zed", "zz-frida"],
  ...Array.from({ length: 100 }, (_, i) => `rep-${i}`),
  ...Array.from({ length: 10 }, (_, i) => `rep-0${i}`),
];

/** A routing-config team whose members are the test reps (overrides win). */
export const team = (id: string, overrides: Partial<Team> = {}): Team =>
  teamConfig(id, { memberRepIds: [...TEST_REPS], ...overrides });

/** Presence's count per rep: one more per push, as the acd allows only a bounded step. */
const versions = new Map<string, number>();
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
    version: nextVersion(siteId, repId),
    connected: true,
  });
}

/** The rep's next version as presence would number it. */
export function nextVersion(siteId: string, repId: string): number {
  const key = `${siteId}/${repId}`;
  const version = (versions.get(key) ?? 0) + 1;
  versions.set(key, version);
  return version;
}

/** A session of priority 0 with no skills, enqueued for `team` (the fixtures' "support" by default). */
export const enqueueInTeam = (acd: Acd, siteId: string, sessionId: string, team = "support") =>
  enqueueSharedInTeam(acd, siteId, sessionId, team);
