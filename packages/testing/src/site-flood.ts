import type { Offer, SubscribeOffersResponse } from "@handoff/proto/acd_service";
import { setTimeout as sleep } from "node:timers/promises";
import { processCpuSeconds } from "./process-cpu";
import type { Acd, Presence } from "./service-clients";
import { newSiteId, teamConfig, teamTarget } from "./site-fixtures";

/**
 * Creates `count` sites the way a customer sets one up: a routing config with one team, and its rep
 * logged in through presence (which pushes his capacity to the acd). Returns their ids. After this the
 * sites are idle: nothing waits, nothing is offered.
 */
export async function floodSites(acd: Acd, presence: Presence, count: number, concurrency = 16): Promise<string[]> {
  const sites: string[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        next += 1;
        const siteId = newSiteId();
        await acd.putRoutingConfig({
          siteId,
          config: { teams: [teamConfig("support", { memberRepIds: ["rep"] })], problemTypes: [], version: 0 },
        });
        await presence.login({ siteId, repId: "rep", teamIds: ["support"], connectionId: "desk" });
        sites.push(siteId);
      }
    }),
  );
  return sites;
}

/** CPU of each process over `windowMs`, in % of one core. */
export async function cpuPercent(pids: Record<string, number>, windowMs: number): Promise<Record<string, number>> {
  const start = Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, processCpuSeconds(pid)]));
  const startedAt = performance.now();
  await sleep(windowMs);
  const seconds = (performance.now() - startedAt) / 1000;
  return Object.fromEntries(
    Object.entries(pids).map(([name, pid]) => [name, ((processCpuSeconds(pid) - start[name]!) / seconds) * 100]),
  );
}

/**
 * How late the acd fires offer deadlines, in ms, one figure per trial: each trial puts a team of two
 * reps on `siteId` with offers lasting `offerTimeoutMs`, enqueues a session, lets the first rep's offer
 * expire and reads when the expiry re-offered it to the second (the new offer's deadline less the
 * timeout; both deadlines are on Redis's clock). Adds teams `expiry-<n>` to the site's config.
 */
export async function offerExpiryLateness(
  acd: Acd,
  siteId: string,
  trials: number,
  offerTimeoutMs = 300,
): Promise<number[]> {
  const teams = Array.from({ length: trials }, (_, i) =>
    teamConfig(`expiry-${i}`, { offerTimeoutMs, memberRepIds: [`a-${i}`, `b-${i}`] }),
  );
  await acd.putRoutingConfig({ siteId, config: { teams, problemTypes: [], version: 0 } });
  const reps = teams.flatMap((team) => team.memberRepIds);
  const offers: Offer[] = [];
  const stream = acd.raw.subscribeOffers({ siteId, subscriberId: `expiry-${newSiteId()}`, repIds: reps });
  stream.on("error", () => undefined);
  const subscribed = new Promise<void>((resolve) =>
    stream.on("data", (message: SubscribeOffersResponse) => {
      if (message.event?.$case === "subscribed") resolve();
      if (message.event?.$case === "offer") offers.push(message.event.offer);
    }),
  );
  await subscribed;
  const lateness: number[] = [];
  try {
    for (const [i, team] of teams.entries()) {
      for (const repId of team.memberRepIds) {
        await acd.setRepCapacity({
          siteId,
          repId,
          teamIds: [team.id],
          skills: [],
          routableCapacity: 1,
          version: 1,
          connected: true,
        });
      }
      const sessionId = `expiry-session-${i}`;
      const placed = await acd.enqueueSession({
        siteId,
        sessionId,
        target: teamTarget(team.id),
        problemTypeId: "",
        priority: 0,
        requiredSkills: [],
      });
      const deadline = Date.now() + offerTimeoutMs + 10_000;
      let first: Offer | undefined;
      let second: Offer | undefined;
      while (!second) {
        if (Date.now() > deadline) throw new Error(`the offer of ${sessionId} never expired to its second rep`);
        first ??= offers.find((o) => o.sessionId === sessionId && o.repId === placed.offeredRepId);
        second = offers.find((o) => o.sessionId === sessionId && o.repId !== placed.offeredRepId);
        await sleep(10);
      }
      if (!first) throw new Error(`the first offer of ${sessionId} never reached the stream`);
      lateness.push(second.expiresAtMs - offerTimeoutMs - first.expiresAtMs);
    }
  } finally {
    stream.cancel();
  }
  return lateness;
}
