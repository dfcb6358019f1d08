import { prng } from "@handoff/testing";
import { describe, expect, it } from "vitest";
import { compareWaiting, type WaitingOrderKey } from "../../src/domain/queue-order";
import { subscribeOffers } from "../support/acd-client";
import { redisBackends, runAcd } from "../support/acd-under-test";
import { repOnline, team, teamTarget } from "../support/routing-fixture";

const SESSIONS = 60;
const PRIORITIES = [0, 0, 0, 1, 5, 1000];

/**
 * domain/queue-order.ts is the rule the Lua library must follow; this runs it as an oracle against
 * the library. Sessions of random priorities are enqueued one after another into two team queues; one
 * rep of both teams then serves them one at a time, and the order he is offered them must be the
 * order compareWaiting sorts them in (enqueue order given by the call order).
 */
describe.each(redisBackends)("the queue order rule (domain/queue-order.ts) against the Lua on %s", (_name, env) => {
  const running = runAcd(env);

  it("offers a rep of two teams their sessions in compareWaiting's order", async () => {
    const { acd } = running;
    const siteId = await running.siteWith([team("support"), team("sales")]);
    const random = prng(4711);
    const waiting: (WaitingOrderKey & { sessionId: string })[] = [];
    for (let i = 0; i < SESSIONS; i++) {
      const sessionId = `s-${String(i).padStart(2, "0")}`;
      const priority = random.pick(PRIORITIES);
      await acd.enqueueSession({
        siteId,
        sessionId,
        target: teamTarget(random.pick(["support", "sales"])),
        problemTypeId: "",
        priority,
        requiredSkills: [],
      });
      waiting.push({ sessionId, priority, enqueuedAtMs: i, seq: i });
    }

    const inbox = await subscribeOffers(acd, siteId, ["ann"]);
    const offered: string[] = [];
    try {
      await repOnline(acd, siteId, "ann", ["support", "sales"], 1);
      for (let i = 0; i < SESSIONS; i++) {
        const offer = await inbox.next((o) => !offered.includes(o.sessionId));
        offered.push(offer.sessionId);
        await acd.acceptOffer({ siteId, sessionId: offer.sessionId, repId: "ann", epoch: offer.epoch });
        await acd.endSession({ siteId, sessionId: offer.sessionId, repId: "ann", epoch: offer.epoch });
      }
    } finally {
      inbox.close();
    }
    expect(offered).toEqual([...waiting].sort(compareWaiting).map((s) => s.sessionId));
  }, 120_000);
});
