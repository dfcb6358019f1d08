import pino from "pino";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { startLeaseLeadership, type Lease, type LeaseClient } from "../../src/leadership/kubernetes-lease";
import type { Leadership } from "../../src/leadership/leadership";

const logger = pino({ level: "silent" });
const apiError = (code: number) => Object.assign(new Error(`HTTP-Code: ${code}`), { code });

/** An API server holding one Lease, with resourceVersion checks like the real one. */
class FakeLeaseServer {
  lease: Lease | undefined;
  conflicts = 0;
  #version = 0;

  /** A replica's client; `link.state` cuts it off ("down": calls fail) or stalls it ("hung": no answers). */
  client(link: { state: "up" | "down" | "hung" }): () => Promise<LeaseClient> {
    const call = async <T>(run: () => T): Promise<T> => {
      await Promise.resolve();
      if (link.state === "down") throw new Error("connect ECONNREFUSED");
      if (link.state === "hung") return new Promise<T>(() => undefined);
      return run();
    };
    const api: LeaseClient["api"] = {
      readNamespacedLease: () =>
        call(() => {
          if (!this.lease) throw apiError(404);
          return structuredClone(this.lease);
        }),
      createNamespacedLease: ({ body }) =>
        call(() => {
          if (this.lease) return this.#conflict();
          return this.#store(body);
        }),
      replaceNamespacedLease: ({ body }) =>
        call(() => {
          if (!this.lease) throw apiError(404);
          if (body.metadata?.resourceVersion !== this.lease.metadata?.resourceVersion) return this.#conflict();
          return this.#store(body);
        }),
    };
    return () => Promise.resolve({ api, microTime: (ms) => new Date(ms) });
  }

  get holder(): string | undefined {
    return this.lease?.spec?.holderIdentity;
  }

  #conflict(): never {
    this.conflicts++;
    throw apiError(409);
  }

  #store(body: Lease): Lease {
    this.#version++;
    this.lease = structuredClone({ ...body, metadata: { ...body.metadata, resourceVersion: String(this.#version) } });
    return structuredClone(this.lease);
  }
}

describe("leadership through a Kubernetes Lease", () => {
  let server: FakeLeaseServer;
  let running: Leadership[] = [];

  beforeEach(() => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date", "performance"], now: 1_750_000_000_000 });
    server = new FakeLeaseServer();
  });
  afterEach(async () => {
    const stopping = Promise.all(running.map((leadership) => leadership.stop()));
    await vi.runAllTimersAsync();
    await stopping;
    running = [];
    vi.useRealTimers();
  });

  function replica(holderId: string, link: { state: "up" | "down" | "hung" } = { state: "up" }) {
    const leadership = startLeaseLeadership(server.client(link), {
      leaseName: "handoff-acd-leader",
      namespace: "handoff",
      holderId,
      leaseDurationSeconds: 3,
      logger,
    });
    running.push(leadership);
    return { holderId, link, leadership };
  }

  /** Advances fake time in small steps, checking that never more than one replica leads. */
  async function runFor(ms: number, replicas: { leadership: Leadership }[], until?: () => boolean): Promise<number> {
    let elapsed = 0;
    while (elapsed < ms) {
      await vi.advanceTimersByTimeAsync(50);
      elapsed += 50;
      expect(replicas.filter((r) => r.leadership.isLeader).length).toBeLessThanOrEqual(1);
      if (until?.()) break;
    }
    return elapsed;
  }

  it("elects exactly one of two replicas, and the Lease names it", async () => {
    const replicas = [replica("pod-a"), replica("pod-b")];
    await runFor(200, replicas);
    const leaders = replicas.filter((r) => r.leadership.isLeader);
    expect(leaders).toHaveLength(1);
    expect(server.holder).toBe(leaders[0]?.holderId);
    expect(server.conflicts).toBe(1);
    await runFor(10_000, replicas);
    expect(replicas.filter((r) => r.leadership.isLeader)).toHaveLength(1);
  });

  it("keeps the Lease fresh while it leads", async () => {
    replica("pod-a");
    await runFor(10_000, []);
    const renewedAt = new Date(server.lease?.spec?.renewTime ?? 0).getTime();
    expect(Date.now() - renewedAt).toBeLessThanOrEqual(1000);
    expect(server.lease?.spec).toMatchObject({ holderIdentity: "pod-a", leaseDurationSeconds: 3, leaseTransitions: 0 });
  });

  it("lets another replica lead within the lease duration plus a retry when the leader's API calls fail", async () => {
    const a = replica("pod-a");
    await runFor(200, [a]);
    const b = replica("pod-b");
    const changes: boolean[] = [];
    a.leadership.onChange((leader) => changes.push(leader));
    a.link.state = "down";
    const tookMs = await runFor(10_000, [a, b], () => b.leadership.isLeader);
    expect(b.leadership.isLeader).toBe(true);
    expect(a.leadership.isLeader).toBe(false);
    expect(changes).toEqual([false]);
    expect(tookMs).toBeLessThanOrEqual(4_000);
    expect(server.lease?.spec).toMatchObject({ holderIdentity: "pod-b", leaseTransitions: 1 });
  });

  it("makes a leader whose calls hang step down before anyone else may take over", async () => {
    const a = replica("pod-a");
    await runFor(200, [a]);
    const b = replica("pod-b");
    a.link.state = "hung";
    let aSteppedDownAt: number | undefined;
    a.leadership.onChange((leader) => {
      if (!leader) aSteppedDownAt = Date.now();
    });
    await runFor(10_000, [a, b], () => b.leadership.isLeader);
    expect(b.leadership.isLeader).toBe(true);
    expect(aSteppedDownAt).toBeDefined();
    const leaseTakenAt = new Date(server.lease?.spec?.acquireTime ?? 0).getTime();
    expect(leaseTakenAt - aSteppedDownAt!).toBeGreaterThanOrEqual(1000);
  });

  it("releases the Lease on stop so another replica leads on its next try", async () => {
    const a = replica("pod-a");
    await runFor(200, [a]);
    const b = replica("pod-b");
    await runFor(500, [a, b]);
    const stopped = a.leadership.stop();
    await vi.advanceTimersByTimeAsync(0);
    await stopped;
    expect(server.holder).toBe("");
    const tookMs = await runFor(5_000, [a, b], () => b.leadership.isLeader);
    expect(tookMs).toBeLessThanOrEqual(1_050);
  });

  it("stays a follower while another holder keeps renewing", async () => {
    server.lease = {
      metadata: { name: "handoff-acd-leader", namespace: "handoff", resourceVersion: "100" },
      spec: { holderIdentity: "pod-elsewhere", leaseDurationSeconds: 3, renewTime: new Date(Date.now()) },
    };
    const b = replica("pod-b");
    for (let i = 0; i < 10; i++) {
      server.lease.spec!.renewTime = new Date(Date.now());
      await runFor(1000, [b]);
      expect(b.leadership.isLeader).toBe(false);
    }
  });
});
