import { describe, expect, it } from "vitest";
import {
  AcdDomainError,
  OfferExpiredError,
  OfferFencedError,
  ProblemTypeUnknownError,
  RoutingConfigInvalidError,
  RoutingConfigMissingError,
  SessionAlreadyQueuedError,
  SessionNotFoundError,
  SessionStateConflictError,
  TeamUnknownError,
} from "../../src/domain/errors";

describe("acd domain errors", () => {
  const all: AcdDomainError[] = [
    new SessionNotFoundError("s1"),
    new SessionAlreadyQueuedError("s1"),
    new SessionStateConflictError("s1", "waiting", "be accepted"),
    new OfferFencedError("s1", 3, "rep-1", "stale_epoch"),
    new OfferExpiredError("s1", 3, 1_700_000_000_000),
    new TeamUnknownError("t1"),
    new ProblemTypeUnknownError("p1"),
    new RoutingConfigMissingError("site-1"),
    new RoutingConfigInvalidError("config.teams[0].id", "must not be empty"),
  ];

  it("gives each failure its own kind and its class name", () => {
    expect(new Set(all.map((e) => e.kind)).size).toBe(all.length);
    for (const error of all) {
      expect(error).toBeInstanceOf(AcdDomainError);
      expect(error).toBeInstanceOf(Error);
      expect(error.name).toBe(error.constructor.name);
    }
  });

  it("carries the cause it was given", () => {
    const cause = new Error("script returned -3");
    expect(new SessionNotFoundError("s1", { cause }).cause).toBe(cause);
  });

  it("says which state refused the transition", () => {
    const error = new SessionStateConflictError("s1", "waiting", "be accepted");
    expect(error.actualState).toBe("waiting");
    expect(error.message).toBe("session s1 is waiting, so it cannot be accepted");
  });

  it("calls a stale or misdirected fencing token stale", () => {
    expect(new OfferFencedError("s1", 3, "rep-1", "stale_epoch").message).toMatch(/fencing token 3 .* is stale/);
    expect(new OfferFencedError("s1", 3, "rep-2", "wrong_rep").message).toMatch(
      /is stale: the offer is not for rep rep-2/,
    );
  });

  it("names the field of an invalid routing config first in its message", () => {
    const error = new RoutingConfigInvalidError("config.teams[2].offer_timeout_ms", "must be between 100 and 600000");
    expect(error.field).toBe("config.teams[2].offer_timeout_ms");
    expect(error.message).toBe("config.teams[2].offer_timeout_ms: must be between 100 and 600000");
  });
});
