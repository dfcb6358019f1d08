import { describe, expect, it } from "vitest";
import type { SessionEvent } from "@handoff/proto/events";
import { visibleToCustomer } from "../../src/domain/customer-visibility";

const event = (payload: SessionEvent["payload"]): SessionEvent => ({
  eventId: "e",
  occurredAtMs: 1,
  siteId: "s",
  sessionId: "x",
  sequence: 1,
  state: 0,
  payload,
});

describe("what the customer sees", () => {
  it("never includes rep notes or rep surveys", () => {
    expect(visibleToCustomer(event({ $case: "noteAdded", noteAdded: { repId: "a", text: "vip" } }))).toBe(false);
    expect(
      visibleToCustomer(
        event({ $case: "repSurveySubmitted", repSurveySubmitted: { repId: "a", resolutionCode: "x", comment: "" } }),
      ),
    ).toBe(false);
  });

  it("includes chat and who joins the session", () => {
    expect(
      visibleToCustomer(event({ $case: "chatMessageSent", chatMessageSent: { from: 2, fromId: "a", text: "hi" } })),
    ).toBe(true);
    expect(
      visibleToCustomer(event({ $case: "participantJoined", participantJoined: { repId: "a", primary: true } })),
    ).toBe(true);
  });
});
