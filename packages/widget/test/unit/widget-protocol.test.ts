import { describe, expect, it } from "vitest";
import { invitationToken, parseFrameMessage, parseHostMessage, PROTOCOL, resumeLink } from "../../src/protocol";

const init = (invitationToken: string | null) => ({ protocol: PROTOCOL, type: "init", invitationToken, session: null });

describe("widget postMessage protocol", () => {
  it("accepts the host's init with or without an invitation token", () => {
    expect(parseHostMessage(init(null))).toEqual({
      protocol: PROTOCOL,
      type: "init",
      invitationToken: null,
      session: null,
      resume: null,
    });
    expect(parseHostMessage(init("abcdefghijklmnopqrstuv"))?.type).toBe("init");
  });

  it("passes a keep-my-place resume link on only when well formed, and bounded notifications", () => {
    const token = "R".repeat(43);
    expect(resumeLink(`s-1.${token}`)).toEqual({ sessionId: "s-1", resumeToken: token });
    // Session ids may hold dots: the token is after the last one.
    expect(resumeLink(`site.s-1.${token}`)).toEqual({ sessionId: "site.s-1", resumeToken: token });
    for (const bad of [null, "", token, `.${token}`, "s-1.short", `../x.${token}`, `s-1.${token}/`])
      expect(resumeLink(bad), String(bad)).toBeNull();
    const resume = { sessionId: "s-1", resumeToken: token };
    expect(parseHostMessage({ ...init(null), resume })).toMatchObject({ resume });
    expect(parseHostMessage({ ...init(null), resume: { ...resume, resumeToken: "x" } })).toBeNull();
    expect(parseFrameMessage({ protocol: PROTOCOL, type: "keep-place" })?.type).toBe("keep-place");
    const notify = { protocol: PROTOCOL, type: "notify", title: "Almost your turn", body: "Come back by 10:30." };
    expect(parseFrameMessage(notify)).toEqual(notify);
    expect(parseFrameMessage({ ...notify, body: "x".repeat(301) })).toBeNull();
    expect(parseFrameMessage({ ...notify, title: 42 })).toBeNull();
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
    expect(parseHostMessage(init("short"))).toBeNull();
    expect(parseHostMessage(init("a/b?c=" + "x".repeat(20)))).toBeNull();
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

  it("passes a remembered session only when both its id and its token are well-formed", () => {
    const session = { sessionId: "s-1", customerToken: "A".repeat(22) };
    expect(parseFrameMessage({ protocol: PROTOCOL, type: "remember", session })).toEqual({
      protocol: PROTOCOL,
      type: "remember",
      session,
    });
    expect(parseFrameMessage({ protocol: PROTOCOL, type: "remember", session: null })?.type).toBe("remember");
    expect(
      parseFrameMessage({ protocol: PROTOCOL, type: "remember", session: { ...session, sessionId: "../x" } }),
    ).toBeNull();
    expect(parseHostMessage({ ...init(null), session: { sessionId: "s" } })).toBeNull();
    expect(parseHostMessage({ ...init(null), session })).toMatchObject({ session });
  });
});
