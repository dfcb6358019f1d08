import { describe, expect, it } from "vitest";
import type { SessionEvent } from "@handoff/agent-sdk";
import { clock, estimate, logLine, secondsLeft, sessionIsOverFor, teamList, tokenClaims } from "../../src/format.js";

const event = (payload: Partial<SessionEvent>): SessionEvent => ({
  eventId: "e1",
  sessionId: "s1",
  sequence: 1,
  occurredAtMs: 0,
  state: "SESSION_STATE_ACTIVE",
  ...payload,
});

describe("console formatting", () => {
  it("shows durations as a clock and counts an offer's seconds up to its deadline", () => {
    expect([clock(0), clock(42_900), clock(725_000), clock(3_723_000), clock(-5)]).toEqual([
      "0:00",
      "0:42",
      "12:05",
      "1:02:03",
      "0:00",
    ]);
    expect([
      secondsLeft(10_000, 0),
      secondsLeft(10_000, 9_001),
      secondsLeft(10_000, 10_000),
      secondsLeft(1, 5),
    ]).toEqual([10, 1, 0, 0]);
  });

  it("says an estimate only when the acd knows one", () => {
    expect(estimate(null)).toBe("unknown");
    expect(estimate({ estimate: { known: false, p50Ms: 0, p90Ms: 0 } })).toBe("unknown");
    expect(estimate({ estimate: { known: true, p50Ms: 90_000, p90Ms: 240_000 } })).toBe("about 1:30 (90%: 4:00)");
  });

  it("reads team lists and a token's claims (display only), and survives a token that is not a JWT", () => {
    expect(teamList(" support, billing  support\tvip ")).toEqual(["support", "billing", "vip"]);
    const payload = btoa(JSON.stringify({ site: "demo", sub: "alice", exp: 100 })).replace(/=+$/, "");
    expect(tokenClaims(`h.${payload}.s`)).toEqual({ site: "demo", rep: "alice", expiresAtMs: 100_000 });
    expect(tokenClaims("not a token")).toEqual({});
  });

  it("turns session events into log lines: chat, notes, permission answers, people, the end", () => {
    expect(logLine(event({ chatMessageSent: { from: "ACTOR_CUSTOMER", text: "hi" } }))).toEqual({
      kind: "chat",
      who: "Customer",
      text: "hi",
    });
    expect(logLine(event({ chatMessageSent: { from: "ACTOR_REP", fromId: "alice", text: "hello" } }))?.who).toBe(
      "alice",
    );
    expect(logLine(event({ noteAdded: { repId: "alice", text: "called back" } }))).toEqual({
      kind: "note",
      who: "alice",
      text: "called back",
    });
    expect(
      logLine(
        event({
          permissionChanged: {
            permission: "PERMISSION_FILE_TRANSFER",
            change: "PERMISSION_CHANGE_GRANTED",
            actor: "ACTOR_CUSTOMER",
          },
        }),
      ),
    ).toEqual({ kind: "event", who: "Customer", text: "granted file transfer" });
    expect(logLine(event({ participantLeft: { repId: "alice", reason: "transferred" } }))?.text).toBe(
      "left (transferred)",
    );
    expect(logLine(event({ sessionClosed: { reason: "END_REASON_RESOLVED" } }))?.text).toBe("ended (resolved)");
    expect(logLine(event({ sessionOffered: { repId: "alice" } }))).toBeUndefined();
  });

  it("knows when a session is over for a rep: closed, or he left it", () => {
    expect(sessionIsOverFor(event({ sessionClosed: {} }), "alice")).toBe(true);
    expect(sessionIsOverFor(event({ participantLeft: { repId: "alice", reason: "transferred" } }), "alice")).toBe(true);
    expect(sessionIsOverFor(event({ participantLeft: { repId: "bob", reason: "left" } }), "alice")).toBe(false);
    expect(sessionIsOverFor(event({ chatMessageSent: { text: "x" } }), "alice")).toBe(false);
  });
});
