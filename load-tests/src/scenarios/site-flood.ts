/*
 * `npm run bench:site-flood`: issue 11's site flood. Starts its own Redis (and Kafka unless
 * KAFKA_BROKERS is set), an acd and a presence; measures the idle CPU of acd, presence and Redis and
 * how late offer deadlines fire with one site, then after 5,000 more sites were created (a routing
 * config and a logged-in rep each) and left idle. Bounded by the site count; never fails on a figure.
 */
import { connectAcd, connectPresence } from "@handoff/testing/dist/service-clients";
import { startService } from "@handoff/testing/dist/service-process";
// Not the package index: it also exports the vitest lifecycle suite, which loads only under vitest.
import { cpuPercent, floodSites, offerExpiryLateness } from "@handoff/testing/dist/site-flood";
import { newSiteId } from "@handoff/testing/dist/site-fixtures";
import { Redis } from "ioredis";
import { setTimeout as sleep } from "node:timers/promises";
import { parseParameters, type ScenarioSpec } from "../lib/args";
import { onCleanup, runScenario, startBenchInfrastructure } from "../lib/infra";
import { benchMemory } from "../lib/process-stats";
import { redisPid } from "../lib/redis-stats";

type SiteFloodParameters = {
  sites: number;
  concurrency: number;
  idleSeconds: number;
  settleSeconds: number;
  expiryTrials: number;
};

const spec: ScenarioSpec<SiteFloodParameters> = {
  sites: { default: 5_000, help: "sites created after the single-site baseline" },
  concurrency: { default: 16, help: "site creations in flight" },
  idleSeconds: { default: 10, help: "length of each idle CPU window" },
  settleSeconds: { default: 10, help: "pause after the sites were created, before measuring" },
  expiryTrials: { default: 10, help: "offers left to expire (300 ms timeout) after each window" },
};

const describe = (figures: Record<string, number>) =>
  Object.entries(figures)
    .map(([name, percent]) => `${name} ${percent.toFixed(1)} %`)
    .join(", ");
const spread = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return `median ${sorted[Math.floor(sorted.length / 2)]} ms, max ${sorted.at(-1)} ms (${values.join(", ")})`;
};

runScenario(async () => {
  const p = parseParameters("site-flood", spec);
  const infra = await startBenchInfrastructure({ kafka: true, privateRedis: true });
  const redis = new Redis(infra.redisUrl);
  onCleanup("redis client", () => redis.quit());
  const common = { REDIS_URL: infra.redisUrl, KAFKA_BROKERS: infra.kafkaBrokers! };
  const acdProcess = await startService("acd", common, 90_000);
  onCleanup("acd", () => acdProcess.stop());
  const presenceProcess = await startService(
    "presence",
    // Connections outlive the run, so the sites stay idle without heartbeats.
    { ...common, ACD_ADDRESS: `127.0.0.1:${acdProcess.grpcPort}`, HEARTBEAT_INTERVAL_MS: "3600000" },
    90_000,
  );
  onCleanup("presence", () => presenceProcess.stop());
  const acd = connectAcd(`127.0.0.1:${acdProcess.grpcPort}`);
  const presence = connectPresence(`127.0.0.1:${presenceProcess.grpcPort}`);
  onCleanup("clients", () => {
    acd.close();
    presence.close();
    return Promise.resolve();
  });
  const pids = { acd: acdProcess.child.pid!, presence: presenceProcess.child.pid!, redis: await redisPid(redis) };

  await floodSites(acd, presence, 1);
  await sleep(p.settleSeconds * 1000);
  const single = await cpuPercent(pids, p.idleSeconds * 1000);
  const singleExpiry = await offerExpiryLateness(acd, newSiteId(), p.expiryTrials);
  console.log(`1 site: idle CPU ${describe(single)} (% of one core); offer expiry lateness ${spread(singleExpiry)}`);

  const started = Date.now();
  await floodSites(acd, presence, p.sites, p.concurrency);
  console.log(`${p.sites} sites created in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  await sleep(p.settleSeconds * 1000);
  const flooded = await cpuPercent(pids, p.idleSeconds * 1000);
  const floodedExpiry = await offerExpiryLateness(acd, newSiteId(), p.expiryTrials);
  console.log(`${p.sites + 1} sites: idle CPU ${describe(flooded)}; offer expiry lateness ${spread(floodedExpiry)}`);
  console.log(
    `ratio flooded / single: ${Object.keys(pids)
      .map((name) => `${name} ${(flooded[name]! / Math.max(single[name]!, 0.1)).toFixed(2)}×`)
      .join(", ")}; bench ${benchMemory()}`,
  );
});
