import { status } from "@grpc/grpc-js";
import { errorInfo } from "@handoff/runtime";
import { asRep, eventually, SessionStack, teamConfig } from "@handoff/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { activeSession } from "../support/active-session";
import { Watch } from "../support/session-watch";

// Issue 11, "open streams per identity": a caller holds at most MAX_STREAMS_PER_CALLER session feeds
// (WatchSession) on a replica; one more is refused, the open ones keep delivering, and a slot comes
// back when a feed ends. Proven before by a unit test of the counter only.
describe("the broker's bound on open session feeds per caller", () => {
  let stack: SessionStack;
  const watches: Watch[] = [];
  beforeAll(async () => {
    stack = await SessionStack.start({ brokerEnv: { MAX_STREAMS_PER_CALLER: "2" } });
  }, 120_000);
  afterAll(async () => {
    for (const watch of watches) watch.cancel();
    await stack?.stop();
  });

  it("refuses a feed beyond the bound with RESOURCE_EXHAUSTED and takes one again once a feed ends", async () => {
    const b = stack.broker;
    const siteId = await stack.site([teamConfig("t1", { memberRepIds: ["alice"] })]);
    await stack.repOnline(siteId, "alice", ["t1"]);
    const s = await activeSession(b, siteId, "alice");
    const watch = (requester = s.customer) => {
      const opened = new Watch(b, { siteId, sessionId: s.sessionId, requester, afterSequence: 0 });
      watches.push(opened);
      return opened;
    };
    const customer = watch();
    const rep = watch(asRep("alice"));
    await Promise.all([customer.until(1), rep.until(1)]);

    // Intake opens every customer's feed, so the bound is per calling service, whoever the requester is.
    const third = watch();
    const refused = await eventually(() => third.error, 10_000, "the third feed's refusal");
    expect([refused.code, errorInfo(refused)?.reason, errorInfo(refused)?.metadata]).toEqual([
      status.RESOURCE_EXHAUSTED,
      "TOO_MANY_STREAMS",
      { caller: "intake", limit: "2" },
    ]);
    expect(third.events).toEqual([]);

    const { sequence } = await b.sendChatMessage({ ...s, requester: s.customer, text: "still there?" });
    await Promise.all([customer.until(sequence), rep.until(sequence)]);

    customer.cancel();
    const again = await eventually(
      async () => {
        const next = watch();
        await eventually(() => next.events.length > 0 || next.error !== undefined, 10_000, "an answer");
        return next.error ? undefined : next;
      },
      10_000,
      "a free slot",
    );
    expect((await again.until(sequence)).at(-1)?.sequence).toBe(sequence);
  });
});
