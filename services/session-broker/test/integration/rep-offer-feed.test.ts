import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Offer } from "@handoff/proto/acd_service";
import { createLogger } from "@handoff/runtime";
import { devClientTls, eventually, issueRequest, SessionStack, teamConfig, siteWithTeams } from "@handoff/testing";
import { AcdPort } from "../../src/routing/acd-port";
import { RepOfferFeed } from "../../src/routing/rep-offer-feed";

describe("the broker's subscription to the acd's offers", () => {
  let stack: SessionStack;
  let acd: AcdPort;
  beforeAll(async () => {
    stack = await SessionStack.start();
    acd = new AcdPort(`127.0.0.1:${stack.acdProcess.grpcPort}`, devClientTls("session-broker"));
  }, 120_000);
  afterAll(async () => {
    acd?.close();
    await stack?.stop();
  });

  it("hands every offer of the watched reps over once and records it, while the rep set changes mid-burst", async () => {
    const reps = ["alice", "bob", "carol"];
    const siteId = await siteWithTeams(stack, [teamConfig("t1", { memberRepIds: reps })]);
    for (const rep of reps) await stack.repOnline(siteId, rep, ["t1"], 5);
    const recorded: Offer[] = [];
    const feed = new RepOfferFeed(
      acd,
      (offer) => Promise.resolve(void recorded.push(offer)),
      "test-replica",
      createLogger("test", "silent"),
    );
    const received = new Map<string, Offer[]>();
    const listen = (rep: string) =>
      feed.watch(siteId, rep, (offer) => received.set(rep, [...(received.get(rep) ?? []), offer]));
    try {
      listen("alice");
      await Promise.race([
        feed.live(siteId),
        new Promise((_, reject) => setTimeout(() => reject(new Error("not live in 10 s")), 10_000)),
      ]);
      // 15 customers arrive while bob and then carol are watched too (each change re-subscribes).
      const created = await Promise.all(
        Array.from({ length: 15 }, async (_, i) => {
          if (i === 5) listen("bob");
          if (i === 10) listen("carol");
          return (await stack.broker.createSession(issueRequest(siteId))).session!.sessionId;
        }),
      );
      const offered = await eventually(async () => {
        const routing = await Promise.all(
          created.map((sessionId) => stack.acd.getSessionRouting({ siteId, sessionId })),
        );
        return routing.every((r) => r.repId) ? routing : undefined;
      });
      await eventually(() => [...received.values()].flat().length >= offered.length || undefined);
      for (const rep of reps) {
        const got = (received.get(rep) ?? []).map((o) => o.sessionId).sort();
        const expected = created.filter((_, i) => offered[i]!.repId === rep).sort();
        expect(got).toEqual(expected);
      }
      expect(new Set(recorded.map((o) => `${o.sessionId}:${o.epoch}`)).size).toBe(recorded.length);
      expect(recorded.every((o) => o.decision !== undefined)).toBe(true);
    } finally {
      feed.close();
    }
  });
});
