import { Cluster, Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  countLiveSessions,
  loadRunProblems,
  startPrivateInfrastructure,
  SYSTEM_SERVICES,
  SystemStack,
  underLoad as sharedUnderLoad,
  type ContactCenter,
  type ContactCenterOptions,
  type LoadRun,
  type PrivateInfrastructure,
  type SystemService,
} from "@handoff/testing";

/**
 * The whole system under faults: two replicas of every service on a private Redis, a 3-node Kafka
 * (topics replicated 3 times, min.insync.replicas 2, as in production) and PostgreSQL, each fault injected during a light load of customers (intake's public API) and reps (the
 * agent SDK). After each: no acknowledged session lost, none assigned twice, every session ended once,
 * the events complete on Kafka after dedupe, reporting agrees with PostgreSQL, and the faulted part
 * ready again within READY_BOUND_MS. Recovery times are printed (figures; the bound is what is asserted).
 *
 * Besides kill -9 of each service, a leader killed holding its lock and a Kafka node killed: PostgreSQL
 * killed and restarted (no replica may exit: every pg client has an error listener), and Redis
 * FLUSHALL followed by the recovery runbook of docs/operations.md exactly as an operator performs it
 * (routing config put again, reps log in again; the broker's reconciler rebuilds the queues from
 * PostgreSQL). The rolling restart is in system-rolling-restart.test.ts.
 *
 * `SYSTEM_FAULTS_REDIS=cluster` runs the same suite with every service on a 3-master Redis Cluster
 * (issue 13 asks for at least one run on it; CI runs the suite on one Redis, to keep its time).
 */
const ON_REDIS_CLUSTER = process.env.SYSTEM_FAULTS_REDIS === "cluster";

/** A light load: ~2 customers/s on 6 reps busy ~0.8 s each (about 25 % utilised), so faults, not queues, are seen. */
const LOAD: Omit<ContactCenterOptions, "seed"> = {
  reps: 6,
  arrivalRatePerSecond: 2,
  meanHandleMs: 600,
  acceptDelayMs: [50, 300],
};
/**
 * A replica, Kafka or PostgreSQL is back (ready as Kubernetes' probes see it) within this. Generous: on
 * the 2-core machine shared with other builds a service's start alone took up to 70 s (a few s quiet).
 */
const READY_BOUND_MS = 90_000;
/** Every acknowledged session has ended within this after the load stops. */
const DRAIN_MS = 90_000;
/**
 * Load before the fault and after recovery: at 2 customers/s enough that sessions are live when the
 * fault strikes and a run proves something even when the recovery is quick (a quiet CI's FLUSHALL run
 * was over in 0.6 s, and 2 + 3 s had brought only 5 customers).
 */
const BEFORE_MS = 4_000;
const AFTER_MS = 4_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const figures: string[] = [];
const figure = (line: string) => {
  figures.push(line);
  console.log(`[system-faults] ${line}`);
};

let infra: PrivateInfrastructure;
let stack: SystemStack;
let seed = 100;

beforeAll(async () => {
  infra = await startPrivateInfrastructure({ kafkaNodes: 3, redisCluster: ON_REDIS_CLUSTER });
  stack = await SystemStack.start(infra.env, { replicas: 2 });
  figure(`on ${ON_REDIS_CLUSTER ? "a 3-master Redis Cluster" : "one Redis"}, a 3-node Kafka and PostgreSQL`);
}, 300_000);

afterAll(async () => {
  await stack?.stop();
  await infra?.stop();
  console.log(`[system-faults] figures:\n  ${figures.join("\n  ")}`);
}, 120_000);

/** A run of LOAD with the next seed around `fault` (the shared whole-system load run). */
const underLoad = (name: string, fault: (center: ContactCenter) => Promise<void>): Promise<LoadRun> =>
  sharedUnderLoad(
    stack,
    name,
    { load: LOAD, seed: seed++, beforeMs: BEFORE_MS, afterMs: AFTER_MS, drainMs: DRAIN_MS, figure },
    fault,
  );

/** What an operator's redis-cli sees: the one Redis, or every master of the cluster. */
function operatorRedis() {
  const nodes = infra.env.REDIS_CLUSTER_NODES;
  const client = nodes
    ? new Cluster(nodes.split(",").map((node) => ({ host: node.split(":")[0], port: Number(node.split(":")[1]) })))
    : new Redis(infra.env.REDIS_URL);
  const masters = () => (client instanceof Cluster ? client.nodes("master") : [client]);
  return {
    get: (key: string) => client.get(key),
    flushAll: async () => void (await Promise.all(masters().map((node) => node.flushall()))),
    dbSize: async () => (await Promise.all(masters().map((node) => node.dbsize()))).reduce((a, b) => a + b, 0),
    disconnect: () => client.disconnect(),
  };
}

function expectWhole(run: LoadRun): void {
  expect(loadRunProblems(run)).toEqual([]);
}

describe("the whole system (2 replicas each) under faults during load", () => {
  it("kill -9 of one replica of each service in turn: the other serves, the killed one is ready again in bound", async () => {
    const readyMs: Partial<Record<SystemService, number>> = {};
    const result = await underLoad("kill -9 each service", async (center) => {
      for (const service of SYSTEM_SERVICES) {
        const exit = await stack.stopReplica(service, 0, "SIGKILL");
        expect(exit.signal).toBe("SIGKILL");
        const killedAt = performance.now();
        await sleep(1_000); // traffic runs on the survivor alone for a while
        await stack.startReplica(service, 0);
        await stack.waitReady(service, 0, READY_BOUND_MS);
        readyMs[service] = performance.now() - killedAt;
        figure(
          `kill -9 ${service}[0]: ready again ${Math.round(readyMs[service])} ms after the kill ` +
            `(1 s down on purpose); first offer after the kill ${Math.round(center.firstOfferAfter(killedAt) ?? NaN)} ms`,
        );
      }
    });
    expectWhole(result);
    for (const service of SYSTEM_SERVICES) expect(readyMs[service]).toBeLessThan(READY_BOUND_MS);
  }, 600_000);

  it("the leader replica of the broker, the acd and presence killed while it holds the lock: the other takes it", async () => {
    const redis = operatorRedis();
    try {
      const locks: [SystemService, string][] = [
        ["session-broker", "hq:leader:session-broker"],
        ["acd", "hq:leader:acd-due"],
        ["presence", "hp:leader:presence-due"],
      ];
      const result = await underLoad("leader killed", async (center) => {
        for (const [service, key] of locks) {
          const holder = await redis.get(key);
          const pid = Number(/-(\d+)-[0-9a-f]{8}$/.exec(holder ?? "")?.[1]);
          const leader = stack.replicaByPid(pid);
          expect(leader?.service, `${key} held by a ${service} replica (${holder})`).toBe(service);
          await stack.stopReplica(service, leader!.index, "SIGKILL");
          const killedAt = performance.now();
          let successor: string | null = null;
          while (performance.now() - killedAt < READY_BOUND_MS) {
            successor = await redis.get(key);
            if (successor && successor !== holder) break;
            await sleep(50);
          }
          const movedMs = performance.now() - killedAt;
          expect(successor, `${key} taken over`).not.toBe(holder);
          expect(successor).not.toBeNull();
          await stack.startReplica(service, leader!.index);
          await stack.waitReady(service, leader!.index, READY_BOUND_MS);
          const readyMs = performance.now() - killedAt;
          figure(
            `leader ${service}[${leader!.index}] killed: lock taken by the other replica in ${Math.round(movedMs)} ` +
              `ms (lock ttl 3 s); killed replica ready again within ${Math.round(readyMs)} ms; first offer after ` +
              `${Math.round(center.firstOfferAfter(killedAt) ?? NaN)} ms`,
          );
        }
      });
      expectWhole(result);
    } finally {
      redis.disconnect();
    }
  }, 600_000);

  it("a Kafka node of three killed (-9) and restarted: producers and consumers move to the others, no event lost after dedupe", async () => {
    const result = await underLoad("kafka node killed", async (center) => {
      const started = performance.now();
      // Node 1 (index 0) is the first of the quorum's voters, so often the controller as well.
      await infra.restart("KAFKA_BROKERS", "SIGKILL", 0);
      const restartMs = performance.now() - started;
      const { ms: readyMs } = await allReady();
      figure(
        `kafka node 1 of 3 killed (-9) and started again on its data: back in the cluster ${Math.round(restartMs)} ms ` +
          `after the kill; every replica ready ${Math.round(readyMs)} ms later; first offer after the kill ` +
          `${Math.round(center.firstOfferAfter(started) ?? NaN)} ms`,
      );
      expect(readyMs).toBeLessThan(READY_BOUND_MS);
    });
    expectWhole(result);
  }, 600_000);

  it("PostgreSQL is killed and restarts: no replica exits, every one is ready again in bound, nothing lost", async () => {
    const result = await underLoad("postgresql restart", async (center) => {
      const started = performance.now();
      await infra.restart("DATABASE_URL");
      const restartMs = performance.now() - started;
      const { ms: readyMs, restarted } = await allReady();
      figure(
        `postgresql kill -9 and restart (same data and port): ${Math.round(restartMs)} ms; every replica ready ` +
          `${Math.round(readyMs)} ms later; first offer after the kill ` +
          `${Math.round(center.firstOfferAfter(started) ?? NaN)} ms`,
      );
      expect(restarted, "replicas that exited on the PostgreSQL restart").toEqual([]);
      expect(readyMs).toBeLessThan(READY_BOUND_MS);
    });
    expectWhole(result);
  }, 600_000);

  it("Redis loses everything (FLUSHALL): the runbook of docs/operations.md brings routing back, nothing lost", async () => {
    const redis = operatorRedis();
    try {
      const result = await underLoad("redis flushall", async (center) => {
        const liveAtFlush = await countLiveSessions(infra.env.DATABASE_URL, center.siteId);
        await redis.flushAll();
        const flushedAt = performance.now();
        // The runbook of docs/operations.md ("Recovery after Redis loses data"), step by step.
        // 1. Confirm the loss.
        expect(await redis.dbSize(), "keys right after FLUSHALL").toBeLessThan(10);
        // 2. Keep the services running: every replica is (or becomes again) ready by itself.
        const { ms: readyMs, restarted } = await allReady();
        expect(restarted, "replicas that exited on the Redis loss").toEqual([]);
        // 3. Put every site's routing config again (admin API), then the reps' desktops log in again.
        await center.reapplyRoutingConfig();
        await center.repsLogIn();
        const runbookDoneAt = performance.now();
        // 4. Routing is back: the queue the reconciler rebuilds from PostgreSQL is offered again.
        while (
          center.firstOfferAfter(runbookDoneAt) === undefined &&
          performance.now() - runbookDoneAt < READY_BOUND_MS
        )
          await sleep(50);
        const offeredAfterMs = center.firstOfferAfter(runbookDoneAt);
        figure(
          `redis flushall (${liveAtFlush} sessions live in PostgreSQL at the flush): every replica ready ` +
            `${Math.round(readyMs)} ms after; runbook steps 1-3 done ${Math.round(runbookDoneAt - flushedAt)} ms ` +
            `after the flush; first offer ${Math.round(offeredAfterMs ?? NaN)} ms after the runbook ` +
            `(${Math.round(performance.now() - flushedAt)} ms after the flush)`,
        );
        expect(offeredAfterMs, "an offer after the runbook").toBeLessThan(READY_BOUND_MS);
      });
      expectWhole(result);
    } finally {
      redis.disconnect();
    }
  }, 600_000);
});

/**
 * ms until every replica of every service is ready after a fault in what they depend on. A replica
 * that exited meanwhile is started again, as Kubernetes restarts a container; that is reported.
 */
async function allReady(): Promise<{ ms: number; restarted: string[] }> {
  const started = performance.now();
  await Promise.allSettled(stack.replicas.map((r) => stack.waitReady(r.service, r.index, READY_BOUND_MS)));
  const restarted = await stack.restartExited();
  for (const line of restarted) figure(`restarted as Kubernetes would: ${line}`);
  await Promise.all(stack.replicas.map((r) => stack.waitReady(r.service, r.index, READY_BOUND_MS)));
  return { ms: performance.now() - started, restarted };
}
