import { createRedis, redisReady, type RedisClient } from "@handoff/runtime";
import {
  type Acd,
  connectAcd,
  connectPresence,
  cpuPercent,
  floodSites,
  infrastructureEnv,
  newSiteId,
  offerExpiryLateness,
  type Presence,
  privateRedisUrl,
  type ServiceProcess,
  startService,
} from "@handoff/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { keys as acdKeys } from "../../src/store/keys";

const REDIS_DB = 8;
/** The measured flood was 5,000 sites (`npm run bench:site-flood`); a fifth keeps the suite quick. */
const SITES = 1_000;
const IDLE_WINDOW_MS = 4_000;
const EXPIRY_TRIALS = 5;
/** Idle CPU is a few % of a core; the kernel counts it in 10 ms ticks, so allow that much per window. */
const TICK_ALLOWANCE_PERCENT = (2 * 1_000) / IDLE_WINDOW_MS;

/** Due indexes of acd and presence (presence's prefix mirrors services/presence/src/store/keys.ts). */
const DUE_KEYS = ["timers", "relay"]
  .map((n) => `${acdKeys.due}${n}`)
  .concat(["heartbeats", "pushes", "relay"].map((n) => `hp:{#presence-due}:${n}`));

async function until(condition: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

// Issue 11: sites were never removed and the leaders of acd and presence visited every site in each
// sweep and relay pass; after 5,000 new sites idle CPU rose from 8–9 % to 43–52 % and offer expiry fired
// up to 955 ms late.
describe("leaders after a flood of idle sites", () => {
  let redis: RedisClient;
  let acdProcess: ServiceProcess;
  let presenceProcess: ServiceProcess;
  let acd: Acd;
  let presence: Presence;

  beforeAll(async () => {
    const env = { REDIS_URL: privateRedisUrl(REDIS_DB), KAFKA_BROKERS: infrastructureEnv().KAFKA_BROKERS };
    redis = createRedis({ url: env.REDIS_URL });
    await redisReady(redis);
    // The database is this file's own: earlier runs' sites would give the new leaders a first visit each.
    await redis.flushdb();
    acdProcess = await startService("acd", env);
    acd = connectAcd(`127.0.0.1:${acdProcess.grpcPort}`);
    // Heartbeats are not sent here: connections must outlive the test, so the sites stay idle.
    presenceProcess = await startService("presence", {
      ...env,
      ACD_ADDRESS: `127.0.0.1:${acdProcess.grpcPort}`,
      HEARTBEAT_INTERVAL_MS: "600000",
    });
    presence = connectPresence(`127.0.0.1:${presenceProcess.grpcPort}`);
  });
  afterAll(async () => {
    acd?.close();
    presence?.close();
    await presenceProcess?.stop();
    await acdProcess?.stop();
    await redis?.quit();
  });

  /** Until every mark is settled: nothing due within the next seconds in any index. */
  const settled = () =>
    until(async () => {
      const horizon = Date.now() + 3_000;
      const counts = await Promise.all(DUE_KEYS.map((key) => redis.zcount(key, "-inf", horizon)));
      return counts.every((n) => n === 0);
    }, 60_000);

  it("keeps idle CPU within 1.5× of a single site's and fires offer deadlines within 50 ms", async () => {
    const pids = { acd: acdProcess.child.pid!, presence: presenceProcess.child.pid! };
    const probe = newSiteId();
    const before = await offerExpiryLateness(acd, probe, EXPIRY_TRIALS);
    await floodSites(acd, presence, 1);
    await settled();
    const single = await cpuPercent(pids, IDLE_WINDOW_MS);

    const floodStart = Date.now();
    await floodSites(acd, presence, SITES);
    const floodMs = Date.now() - floodStart;
    await settled();
    const flooded = await cpuPercent(pids, IDLE_WINDOW_MS);
    const after = await offerExpiryLateness(acd, newSiteId(), EXPIRY_TRIALS);

    console.log(
      `[site-flood] idle CPU % of a core, 1 site → ${SITES} sites: ` +
        Object.keys(pids)
          .map((name) => `${name} ${single[name]!.toFixed(1)} → ${flooded[name]!.toFixed(1)}`)
          .join(", ") +
        `; ${SITES} sites created in ${floodMs} ms; offer expiry lateness ms before [${before.join(", ")}] after [${after.join(", ")}]`,
    );
    for (const name of Object.keys(pids)) {
      expect(flooded[name], name).toBeLessThanOrEqual(1.5 * single[name]! + TICK_ALLOWANCE_PERCENT);
    }
    // The median: on a machine shared by many test runs a single expiry can wait for the CPU.
    expect([...after].sort((a, b) => a - b)[Math.floor(after.length / 2)]).toBeLessThanOrEqual(50);
  }, 300_000);
});
