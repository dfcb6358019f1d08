import { status } from "@grpc/grpc-js";
import type { RedisClient } from "@handoff/runtime";
import type { Acd } from "./acd-client";
import { readSnapshot, type SiteSnapshot } from "./routing-snapshot";

/**
 * Brings a site to rest once clients stopped: accepts every open offer (an accept starts no new match, so
 * capacity stays as the acd left it) and waits out the pending deadlines (overflow steps, which may
 * match again), until no offer is open and no deadline is due. Returns the resting snapshot and how
 * many offers it accepted.
 */
export async function settleSite(
  acd: Acd,
  redis: RedisClient,
  site: string,
  timeoutMs = 20_000,
): Promise<{ snapshot: SiteSnapshot; accepted: number }> {
  const deadline = Date.now() + timeoutMs;
  let accepted = 0;
  for (;;) {
    const snapshot = await readSnapshot(redis, site);
    const open = [...snapshot.sessions.values()].filter((s) => s.st === "o");
    if (open.length === 0 && snapshot.deadlines.length === 0) return { snapshot, accepted };
    if (Date.now() > deadline) {
      throw new Error(
        `site did not come to rest within ${timeoutMs} ms: ${open.length} open offers, ${snapshot.deadlines.length} deadlines`,
      );
    }
    for (const s of open) {
      try {
        await acd.acceptOffer({ siteId: site, sessionId: s.id, repId: s.r!, epoch: s.e });
        accepted++;
      } catch (error) {
        // The offer expired or was withdrawn in the meantime; the next round sees what followed.
        if ((error as { code?: number }).code !== status.FAILED_PRECONDITION) throw error;
      }
    }
    if (open.length === 0) {
      const next = Math.min(...snapshot.deadlines.map((d) => d.score));
      await new Promise((resolve) => setTimeout(resolve, Math.min(500, Math.max(20, next - Date.now() + 20))));
    }
  }
}
