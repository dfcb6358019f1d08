import { describe, expect, it } from "vitest";
import type { Offer } from "@handoff/proto/acd_service";
import type { Logger } from "@handoff/runtime";
import { RepChannel, type RepChannelDeps } from "../../src/socket/rep-channel";

/** A session feed that records where each watch starts and whether it was stopped. */
function recordingFeed() {
  const watches: { from: number; signal: AbortSignal }[] = [];
  const feed: RepChannelDeps["feed"] = {
    watch: (_site, _session, from, _audience, _sink, signal) => {
      watches.push({ from, signal });
      return new Promise((resolve) => signal.addEventListener("abort", () => resolve(), { once: true }));
    },
  };
  return { feed, watches };
}

function channelWith(
  resumeBuffer: number,
  resumeBufferBytes = 1_000_000,
  feed: RepChannelDeps["feed"] = { watch: () => Promise.resolve() },
) {
  let offerListener: ((offer: Offer) => void) | undefined;
  let unwatched = false;
  const deps: RepChannelDeps = {
    logger: { warn: () => undefined } as unknown as Logger,
    store: {
      find: (_site, sessionId) =>
        Promise.resolve(
          sessionId === "s-live"
            ? ({ lastSequence: 10 } as Awaited<ReturnType<RepChannelDeps["store"]["find"]>>)
            : undefined,
        ),
    },
    participants: { sessionIdsOfRep: () => Promise.resolve([]), all: () => Promise.resolve([]) },
    feed,
    repOffers: {
      watch: (_site, _rep, listener) => {
        offerListener = listener;
        return () => void (unwatched = true);
      },
    },
  };
  const retired: RepChannel[] = [];
  const channel = new RepChannel("site", "alice", deps, { resumeBuffer, resumeBufferBytes, retainMs: 60_000 }, (c) =>
    retired.push(c),
  );
  channel.start();
  const offer = (sessionId: string) =>
    offerListener!({ siteId: "site", sessionId, repId: "alice", epoch: 1, expiresAtMs: 1, fromQueue: undefined });
  return { channel, offer, retired, unwatched: () => unwatched };
}

const seqOf = (frame: string) => (JSON.parse(frame) as { seq: number }).seq;

describe("a rep's channel on one replica", () => {
  it("numbers every frame and fans it out to each socket of the rep", () => {
    const { channel, offer } = channelWith(10);
    const a: string[] = [];
    const b: string[] = [];
    channel.attach({ send: (f) => a.push(f) });
    channel.attach({ send: (f) => b.push(f) });
    offer("s1");
    offer("s2");
    expect(a.map(seqOf)).toEqual([1, 2]);
    expect(b).toEqual(a);
    expect(JSON.parse(a[0]!)).toMatchObject({ type: "offer", offer: { sessionId: "s1", epoch: 1, expiresAtMs: 1 } });
  });

  it("replays exactly what followed the client's sequence, and nothing when it is up to date", () => {
    const { channel, offer } = channelWith(10);
    for (let i = 0; i < 5; i++) offer(`s${i}`);
    expect(channel.attach({ send: () => undefined }, { logId: channel.logId, seq: 2 }).frames!.map(seqOf)).toEqual([
      3, 4, 5,
    ]);
    expect(channel.attach({ send: () => undefined }, { logId: channel.logId, seq: 5 }).frames).toEqual([]);
  });

  it("asks for a resync from another log, from beyond the buffer, or from ahead of the log", () => {
    const { channel, offer } = channelWith(3);
    for (let i = 0; i < 6; i++) offer(`s${i}`);
    const sub = { send: () => undefined };
    expect(channel.attach(sub, { logId: "00000000-0000-0000-0000-000000000000", seq: 6 }).resync).toBe("UNKNOWN_LOG");
    expect(channel.attach(sub, { logId: channel.logId, seq: 2 }).resync).toBe("TOO_FAR_BEHIND");
    expect(channel.attach(sub, { logId: channel.logId, seq: 3 }).frames!.map(seqOf)).toEqual([4, 5, 6]);
    expect(channel.attach(sub, { logId: channel.logId, seq: 7 }).resync).toBe("AHEAD_OF_LOG");
  });

  it("keeps no more of the log than its byte bound", () => {
    const { channel, offer } = channelWith(100, 300);
    for (let i = 0; i < 10; i++) offer(`s${i}`);
    const kept = channel.attach({ send: () => undefined }, { logId: channel.logId, seq: 9 }).frames!;
    expect(kept.map(seqOf)).toEqual([10]);
    expect(channel.attach({ send: () => undefined }, { logId: channel.logId, seq: 5 }).resync).toBe("TOO_FAR_BEHIND");
  });

  it("stops watching offers when retired", () => {
    const { channel, retired, unwatched } = channelWith(3);
    channel.retire();
    expect(unwatched()).toBe(true);
    expect(retired).toEqual([channel]);
  });

  it("replaces a session follow that started later than a client's afterSequence, and keeps one that started earlier", async () => {
    const { feed, watches } = recordingFeed();
    const { channel } = channelWith(10, 1_000_000, feed);
    const settle = () => new Promise((resolve) => setTimeout(resolve, 5));
    void channel.follow("s-live", { participant: true });
    await settle();
    void channel.follow("s-live", { afterSequence: 4, participant: true });
    await settle();
    void channel.follow("s-live", { afterSequence: 7, participant: true });
    void channel.follow("s-live");
    await settle();
    expect(watches.map((w) => [w.from, w.signal.aborted])).toEqual([
      [10, true],
      [4, false],
    ]);
    channel.retire();
  });
});
