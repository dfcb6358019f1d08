import { prng } from "@handoff/testing";
import { describe, expect, it } from "vitest";
import { ID_PATTERN, MAX_PRIORITY } from "../../src/domain/limits";
import {
  compareWaiting,
  ORDER_MEMBER_PREFIX_LENGTH,
  orderMember,
  queueScore,
  sessionIdOfMember,
  type WaitingOrderKey,
} from "../../src/domain/queue-order";

const ID_CHARS = "ABCXYZabcxyz0189_.:@-";

/** How Redis orders a sorted set: by score, then by member bytes. */
function redisOrder(a: { score: number; member: string }, b: { score: number; member: string }): number {
  return a.score - b.score || Buffer.compare(Buffer.from(a.member), Buffer.from(b.member));
}

type Waiting = Required<WaitingOrderKey>;

function randomWaiting(random: () => number, count: number, firstSeq: number): Waiting[] {
  const priorities = [0, 1, 10, 500, 999, MAX_PRIORITY];
  const baseMs = 1_750_000_000_000;
  return Array.from({ length: count }, (_, i) => ({
    priority: priorities[Math.floor(random() * priorities.length)]!,
    // a narrow window of milliseconds, so many sessions share one
    enqueuedAtMs: baseMs + Math.floor(random() * 20),
    seq: firstSeq + i,
    sessionId: Array.from({ length: 1 + Math.floor(random() * 12) }, () =>
      ID_CHARS.charAt(Math.floor(random() * ID_CHARS.length)),
    ).join(""),
  }));
}

describe("queue order", () => {
  it("serves higher priority first, then the earlier enqueue, then the lower seq", () => {
    const early = { priority: 10, enqueuedAtMs: 1000, seq: 7 };
    expect(compareWaiting({ priority: 20, enqueuedAtMs: 9000, seq: 9 }, early)).toBeLessThan(0);
    expect(compareWaiting({ priority: 10, enqueuedAtMs: 999, seq: 9 }, early)).toBeLessThan(0);
    expect(compareWaiting({ priority: 10, enqueuedAtMs: 1000, seq: 6 }, early)).toBeLessThan(0);
    expect(compareWaiting({ priority: 10, enqueuedAtMs: 1000, seq: 8 }, early)).toBeGreaterThan(0);
    expect(compareWaiting(early, { ...early })).toBe(0);
  });

  it("gives the highest priority the lowest score", () => {
    expect(queueScore(MAX_PRIORITY)).toBe(0);
    expect(queueScore(0)).toBe(MAX_PRIORITY);
    expect(queueScore(600)).toBeLessThan(queueScore(599));
  });

  it("builds members with a fixed 18-character hex prefix and gives the session id back", () => {
    const member = orderMember(1_750_000_000_123, 42, "s-1@site.a");
    expect(member).toBe("001977420dc7b" + "0002a" + "s-1@site.a");
    expect(ORDER_MEMBER_PREFIX_LENGTH).toBe(18);
    expect(sessionIdOfMember(member)).toBe("s-1@site.a");
    expect(orderMember(0, 0, "x")).toBe("000000000000000000x");
  });

  it("refuses enqueue times and seqs the prefix cannot hold", () => {
    expect(() => orderMember(-1, 0, "x")).toThrow(RangeError);
    expect(() => orderMember(16 ** 13, 0, "x")).toThrow(RangeError);
    expect(() => orderMember(1.5, 0, "x")).toThrow(RangeError);
    expect(() => orderMember(0, -1, "x")).toThrow(RangeError);
  });

  it("sorts a Redis sorted set by (score, member) exactly as compareWaiting sorts, for random queues", () => {
    const random = prng(2024).next;
    for (let round = 0; round < 50; round++) {
      // Some rounds start the seq counter just below 2^20 so it wraps inside the round.
      const firstSeq = round % 5 === 0 ? 2 ** 20 - 100 : Math.floor(random() * 2 ** 30);
      const sessions = randomWaiting(random, 400, firstSeq);
      for (const s of sessions) expect(s.sessionId).toMatch(ID_PATTERN);

      const byComparator = [...sessions].sort(compareWaiting).map((s) => s.sessionId + "#" + s.seq);
      const byRedis = sessions
        .map((s) => ({ s, score: queueScore(s.priority), member: orderMember(s.enqueuedAtMs, s.seq, s.sessionId) }))
        .sort(redisOrder)
        .map(({ s }) => s.sessionId + "#" + s.seq);
      expect(byRedis).toEqual(byComparator);
    }
  });

  it("keeps first come first served within one priority and one millisecond", () => {
    const sameMs = Array.from({ length: 50 }, (_, i) => ({ priority: 5, enqueuedAtMs: 1234, seq: 100 + i }));
    const members = sameMs.map((s) => orderMember(s.enqueuedAtMs, s.seq, `z-${49 - (s.seq - 100)}`));
    expect([...members].sort()).toEqual(members);
    expect([...sameMs].reverse().sort(compareWaiting)).toEqual(sameMs);
  });

  it("lets an earlier enqueue win over a later one whatever their seqs", () => {
    const earlier = orderMember(1000, 999_999, "b");
    const later = orderMember(1001, 0, "a");
    expect(earlier < later).toBe(true);
    expect(
      compareWaiting({ priority: 0, enqueuedAtMs: 1000, seq: 999_999 }, { priority: 0, enqueuedAtMs: 1001, seq: 0 }),
    ).toBeLessThan(0);
  });
});
