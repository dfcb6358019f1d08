import { describe, expect, it } from "vitest";
import { AbandonReason } from "@handoff/proto/common";
import { toRoutingEvent } from "../../src/events/routing-events";
import type { RoutingOutboxEntry } from "../../src/store/routing-records";

const entry = (type: string, data: Record<string, unknown>): RoutingOutboxEntry => ({
  id: "1795834639273-0",
  type,
  key: "s1",
  at: 1795834639273,
  data,
  traceparent: "",
  fields: {},
  sessionId: "s1",
  epoch: 2,
});

describe("routing events from the outbox", () => {
  it("keeps a requeue's reason as written and reads an abandon's reason as its enum", () => {
    const transferred = toRoutingEvent(
      "site-a",
      entry("SessionTransferred", {
        fromRepId: "r1",
        target: { teamId: "support" },
        priority: 0,
        reason: "commit_failed",
      }),
    );
    expect(transferred.payload).toMatchObject({
      $case: "sessionTransferred",
      sessionTransferred: { fromRepId: "r1", reason: "commit_failed", target: { target: { teamId: "support" } } },
    });
    const abandoned = toRoutingEvent(
      "site-a",
      entry("SessionAbandoned", { reason: "ABANDON_REASON_CUSTOMER_LEFT", waitedMs: 5 }),
    );
    expect(abandoned.payload).toMatchObject({
      $case: "sessionAbandoned",
      sessionAbandoned: { reason: AbandonReason.ABANDON_REASON_CUSTOMER_LEFT },
    });
  });
});
