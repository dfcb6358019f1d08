import { describe, expect, it } from "vitest";
import { invitationToken, parseFrameMessage, parseHostMessage, PROTOCOL } from "../../src/protocol";

describe("widget postMessage protocol", () => {
  it("accepts the host's init with or without an invitation token", () => {
    expect(parseHostMessage({ protocol: PROTOCOL, type: "init", invitationToken: null })).toEqual({
      protocol: PROTOCOL,
      type: "init",
      invitationToken: null,
    });
    const token = "abcdefghijklmnopqrstuv";
    expect(parseHostMessage({ protocol: PROTOCOL, type: "init", invitationToken: token })?.type).toBe("init");
  });

  it("ignores messages of other libraries, other versions and unknown types", () => {
    for (const data of [
      null,
      "ready",
      { type: "ready" },
      { protocol: "handoff-widget/0", type: "ready" },
      { protocol: PROTOCOL, type: "eval" },
    ]) {
      expect(parseFrameMessage(data)).toBeNull();
      expect(parseHostMessage(data)).toBeNull();
    }
  });

  it("refuses an invitation token that is malformed rather than passing it on", () => {
    expect(parseHostMessage({ protocol: PROTOCOL, type: "init", invitationToken: "short" })).toBeNull();
    expect(
      parseHostMessage({ protocol: PROTOCOL, type: "init", invitationToken: "a/b?c=" + "x".repeat(20) }),
    ).toBeNull();
    expect(invitationToken("x".repeat(129))).toBeNull();
  });

  it("bounds the identity token and the request id", () => {
    const identity = (requestId: unknown, token: unknown) =>
      parseHostMessage({ protocol: PROTOCOL, type: "identity", requestId, token });
    expect(identity("1", "header.payload.signature")?.type).toBe("identity");
    expect(identity("1", null)?.type).toBe("identity");
    expect(identity("1", "x".repeat(4_097))).toBeNull();
    expect(identity("1", "")).toBeNull();
    expect(identity("x".repeat(33), "t")).toBeNull();
    expect(parseFrameMessage({ protocol: PROTOCOL, type: "identity-request", requestId: "" })).toBeNull();
  });

  it("keeps only the known fields of a frame message", () => {
    expect(parseFrameMessage({ protocol: PROTOCOL, type: "minimize", extra: "<script>" })).toEqual({
      protocol: PROTOCOL,
      type: "minimize",
    });
  });
});
