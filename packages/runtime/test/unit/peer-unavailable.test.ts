import { Metadata, status } from "@grpc/grpc-js";
import { DEPENDENCY_UNAVAILABLE, encodeRichStatus, peerUnavailable, STATUS_DETAILS_TRAILER } from "@handoff/runtime";
import { describe, expect, it } from "vitest";

/** A failed call as a grpc-js client sees it: its code, and the trailers the peer sent. */
function answered(code: status, metadata?: Record<string, string>, reason = DEPENDENCY_UNAVAILABLE) {
  const trailers = new Metadata();
  if (metadata)
    trailers.set(
      STATUS_DETAILS_TRAILER,
      Buffer.from(encodeRichStatus({ code, message: "x", errorInfo: { reason, domain: "handoff.runtime", metadata } })),
    );
  return { code, details: "x", metadata: trailers };
}

describe("peerUnavailable", () => {
  it("names the peer's dependency under the peer, with the peer's retry_after_s", () => {
    expect(
      peerUnavailable(answered(status.UNAVAILABLE, { dependency: "postgresql", retry_after_s: "5" }), "session-broker"),
    ).toEqual({ dependency: "session-broker/postgresql", retryAfterS: 5 });
  });

  it("names the peer itself when it was not reached, did not answer in time, or gave another reason", () => {
    const peer = { dependency: "session-broker", retryAfterS: 2 };
    expect(peerUnavailable(answered(status.UNAVAILABLE), "session-broker")).toEqual(peer);
    expect(peerUnavailable(answered(status.DEADLINE_EXCEEDED), "session-broker")).toEqual(peer);
    const other = answered(status.UNAVAILABLE, { dependency: "acd" }, "ROUTING_UNAVAILABLE");
    expect(peerUnavailable(other, "session-broker")).toEqual(peer);
  });

  it("does not pass on a dependency name or a wait it cannot trust", () => {
    const odd = answered(status.UNAVAILABLE, { dependency: "Postgres <script>", retry_after_s: "5" });
    expect(peerUnavailable(odd, "acd")).toEqual({ dependency: "acd", retryAfterS: 2 });
    for (const wait of ["0", "61", "-1", "1e3", "soon", ""])
      expect(
        peerUnavailable(answered(status.UNAVAILABLE, { dependency: "redis", retry_after_s: wait }), "acd"),
      ).toEqual({ dependency: "acd/redis", retryAfterS: 2 });
  });

  it("is undefined for every other failure", () => {
    expect(peerUnavailable(answered(status.FAILED_PRECONDITION, { dependency: "redis" }), "acd")).toBeUndefined();
    expect(peerUnavailable(answered(status.INTERNAL), "acd")).toBeUndefined();
    expect(peerUnavailable(new Error("plain"), "acd")).toBeUndefined();
    expect(peerUnavailable(undefined, "acd")).toBeUndefined();
  });
});
