import { describe, expect, it } from "vitest";
import { closedDrift, DriftSuspects, liveDrift, type AcdSessionView } from "../../src/domain/routing-drift";

const unknown: AcdSessionView = { known: false, state: "unknown", repId: "", epoch: 0 };
const acd = (state: AcdSessionView["state"], repId = "", epoch = 1): AcdSessionView => ({
  known: true,
  state,
  repId,
  epoch,
});

describe("drift between PostgreSQL and the acd", () => {
  it("rebuilds waiting and offered sessions the acd lost into their queues", () => {
    expect(liveDrift("waiting", unknown)).toBe("rebuild_waiting");
    expect(liveDrift("offered", unknown)).toBe("rebuild_waiting");
  });

  it("holds active sessions the acd lost as their rep's load", () => {
    expect(liveDrift("active", unknown)).toBe("rebuild_held");
  });

  it("leaves created sessions to the enqueue step", () => {
    expect(liveDrift("created", unknown)).toBe("none");
    expect(liveDrift("created", acd("waiting"))).toBe("none");
  });

  it("re-queues in the acd an assignment PostgreSQL never committed", () => {
    expect(liveDrift("waiting", acd("active", "alice", 3))).toBe("requeue_in_acd");
    expect(liveDrift("offered", acd("active", "alice", 3))).toBe("requeue_in_acd");
    expect(liveDrift("created", acd("active", "alice", 3))).toBe("requeue_in_acd");
  });

  it("sees agreement when both hold the session as active, whoever carries the load", () => {
    expect(liveDrift("active", acd("active", "bob"))).toBe("none");
  });

  it("withdraws in PostgreSQL an offer the acd no longer has, and waits for one the acd made", () => {
    // The acd makes and fences offers: one it does not hold cannot be accepted (see liveDrift).
    expect(liveDrift("offered", acd("waiting"))).toBe("withdraw_offer");
    // The OfferCreated on its way to the broker records it.
    expect(liveDrift("waiting", acd("offered", "alice"))).toBe("none");
    expect(liveDrift("offered", acd("offered", "alice"))).toBe("none");
    expect(liveDrift("waiting", acd("waiting"))).toBe("none");
  });

  it("does not guess when the acd closed or un-assigned a session PostgreSQL holds", () => {
    expect(liveDrift("active", acd("waiting"))).toBe("mismatch");
    expect(liveDrift("waiting", acd("abandoned"))).toBe("mismatch");
    expect(liveDrift("active", acd("ended"))).toBe("mismatch");
  });

  it("ends or abandons in the acd what PostgreSQL closed", () => {
    expect(closedDrift(acd("active", "alice"))).toBe("end_in_acd");
    expect(closedDrift(acd("waiting"))).toBe("abandon_in_acd");
    expect(closedDrift(acd("offered", "alice"))).toBe("abandon_in_acd");
    expect(closedDrift(acd("ended"))).toBe("none");
    expect(closedDrift(unknown)).toBe("none");
  });
});

describe("drift suspects", () => {
  it("confirms a disagreement only when it lasted settleMs unchanged", () => {
    const suspects = new DriftSuspects(1_000);
    expect(suspects.confirm("s1", "a", 0)).toBe(false);
    expect(suspects.confirm("s1", "a", 500)).toBe(false);
    expect(suspects.confirm("s1", "a", 1_000)).toBe(true);
  });

  it("starts over when either side changed in between", () => {
    const suspects = new DriftSuspects(1_000);
    suspects.confirm("s1", "a", 0);
    expect(suspects.confirm("s1", "b", 1_500)).toBe(false);
    expect(suspects.confirm("s1", "b", 2_500)).toBe(true);
  });

  it("forgets sightings that were not repeated", () => {
    const suspects = new DriftSuspects(1_000);
    suspects.confirm("s1", "a", 0);
    suspects.confirm("s2", "a", 5_000);
    suspects.forgetOlderThan(1_000);
    expect(suspects.size).toBe(1);
    expect(suspects.confirm("s1", "a", 6_000)).toBe(false);
  });
});
