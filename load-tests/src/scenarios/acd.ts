/*
 * `npm run bench:acd`: the acd's routing engine measured at the store level (its Redis adapter and Lua
 * scripts, against BullMQ on the same Redis), in Redis CPU per routing cycle, at the service level
 * (gRPC, offers on the SubscribeOffers stream), and at scale (100,000 waiting sessions). Starts its own
 * Redis, Kafka and acd; prints figures beside the issue's targets and never fails on them.
 * Traffic mixes and the meaning of every figure: load-tests/README.md.
 */
import { RoutingConfig } from "@handoff/proto/acd_service";
import { RoutingStrategy } from "@handoff/proto/common";
// Not the package index: it also exports the vitest lifecycle suite, and vitest refuses to load
// outside a vitest run.
import { startService, type ServiceProcess } from "@handoff/testing/dist/service-process";
import { Queue, Worker, type Job } from "bullmq";
import { Redis } from "ioredis";
import { cpus, loadavg } from "node:os";
import { setTimeout as sleep } from "node:timers/promises";
import { connectAcd, OfferInbox, type AcdClient } from "../lib/acd-client";
import { loadAcdKeys, loadRoutingStore, oneTeamConfig, type AcdStore } from "../lib/acd-store";
import { parseParameters, type ScenarioSpec } from "../lib/args";
import { closedLoop, openLoop, parallel, perSecond, type LoopResult } from "../lib/drivers";
import { onCleanup, runScenario, startBenchInfrastructure } from "../lib/infra";
import { benchMemory, CpuSplit, describeProcessMemory } from "../lib/process-stats";
import {
  describeCommandMix,
  measureRedisCost,
  nestedCommands,
  redisPid,
  usedMemory,
  type RedisCost,
} from "../lib/redis-stats";
import { bytes, describeError, heading, int, latencyLine, ms, ratio, Samples, table, target, us } from "../lib/stats";

type AcdParameters = {
  phases: string;
  storeConcurrency: number;
  storeDecisions: number;
  storeReps: number;
  storeRepCapacity: number;
  storeCycles: number;
  bullmqJobs: number;
  warmupOps: number;
  phaseMaxSeconds: number;
  serviceClients: readonly number[];
  serviceSeconds: number;
  serviceReps: number;
  pacedRates: readonly number[];
  pacedSeconds: number;
  pacedMaxInFlight: number;
  scaleWaiting: number;
  scaleBaselineWaiting: number;
  scaleReps: number;
  scaleProbes: number;
  fillConcurrency: number;
  acdOtel: boolean;
  acdNodeOptions: string;
  libraryA: string;
  abRounds: number;
  abCycles: number;
};

/** The named scenario "acd": the issue's benchmark. Every count and duration is a bound. */
const acdScenario: ScenarioSpec<AcdParameters> = {
  phases: {
    default: "store,bullmq,service,paced,scale",
    help: "which parts to run (comma list); ab: this build's Lua against --library-a's, interleaved",
  },
  storeConcurrency: { default: 64, help: "store-level calls in flight; also BullMQ add and worker concurrency" },
  storeDecisions: { default: 30_000, help: "enqueue+match decisions timed at store level" },
  storeReps: { default: 1_000, help: "reps of the decisions site" },
  storeRepCapacity: { default: 40, help: "their capacity (reps x capacity bounds the decisions)" },
  storeCycles: { default: 20_000, help: "full cycles (enqueue, accept, end) at store level: Redis CPU figure" },
  bullmqJobs: { default: 20_000, help: "BullMQ jobs added and processed" },
  warmupOps: { default: 2_000, help: "untimed operations before each store/BullMQ/service measurement" },
  phaseMaxSeconds: { default: 20, help: "upper bound on any timed loop" },
  serviceClients: { default: [1, 16, 64], help: "concurrent gRPC clients, one closed-loop run each" },
  serviceSeconds: { default: 5, help: "duration of each closed-loop service run" },
  serviceReps: { default: 1_000, help: "reps (capacity 1) of the service-level site, all on one subscription" },
  pacedRates: { default: [1_000, 5_000], help: "open-loop enqueue rates (sessions/s)" },
  pacedSeconds: { default: 5, help: "duration of each paced run" },
  pacedMaxInFlight: { default: 5_000, help: "paced cycles in flight before starts are skipped" },
  scaleWaiting: { default: 100_000, help: "waiting sessions of the large scale site" },
  scaleBaselineWaiting: { default: 100, help: "waiting sessions of the small scale site" },
  scaleReps: { default: 10_000, help: "reps logged in with capacity 0 on each scale site" },
  scaleProbes: { default: 500, help: "probe sessions per scale site" },
  fillConcurrency: { default: 256, help: "store calls in flight while setting up and filling" },
  acdNodeOptions: {
    default: "",
    help: 'NODE_OPTIONS for the acd process, e.g. "--cpu-prof --cpu-prof-dir=/tmp/acd-prof" to see where its time goes',
  },
  acdOtel: {
    default: true,
    help: "run the acd with its OpenTelemetry SDK on (as deployed); false sets OTEL_SDK_DISABLED",
  },
  libraryA: { default: "", help: "for phase ab: another build's services/acd/dist/store/library (A)" },
  abRounds: { default: 16, help: "phase ab: rounds, each one run of A and one of this build (B), order alternating" },
  abCycles: { default: 1_500, help: "phase ab: full store-level cycles per run" },
};

const TEAM = "support";
/** Long enough that no offer of the bench expires mid-run (the timer sweeper then has nothing to do). */
const OFFER_TIMEOUT_MS = 600_000;
/** How long a service-level cycle waits for its offer on the stream before counting it missing. */
const OFFER_WAIT_MS = 10_000;

const teamTarget = { target: { $case: "teamId" as const, teamId: TEAM } };
const storeTarget = { kind: "team" as const, id: TEAM };

/** One line per figure in the closing summary. */
const summary: string[][] = [["figure", "value", "target"]];

function note(figure: string, value: string, targetText = ""): void {
  summary.push([figure, value, targetText]);
}

function describeCost(cost: RedisCost, units: number, unit: string): string[] {
  const nested = nestedCommands(cost);
  return [
    `redis cpu (INFO cpu, incl. network): ${us(cost.cpuUsec / units)} per ${unit}`,
    `redis commandstats (scripts + top-level commands): ${us(cost.commandUsec / units)} per ${unit}, ` +
      `${(cost.scriptCalls / units).toFixed(2)} script calls per ${unit}`,
    `  inside: ${describeCommandMix(cost, units)}`,
    `  Σ ${(nested.calls / units).toFixed(1)} commands run by scripts ${us(nested.usec / units)}; ` +
      `script overhead (Lua: script body, redis.call bridging, reply conversion, cjson) ${us((cost.commandUsec - nested.usec) / units)} per ${unit}`,
  ];
}

function printLoop(title: string, result: LoopResult, unit: string): void {
  console.log(`  ${title}: ${int(result.done)} ${unit}s in ${ms(result.elapsedMs)} = ${int(perSecond(result))}/s`);
  console.log(`    per ${unit}: ${latencyLine(result.latency.summary())}`);
  if (result.failed > 0) console.log(`    FAILED: ${int(result.failed)} (first: ${describeError(result.firstError)})`);
}

async function setUpStoreSite(store: AcdStore, site: string, reps: number, capacity: number, concurrency: number) {
  const members = Array.from({ length: reps }, (_, i) => `rep-${i}`);
  await store.putConfigInput(site, oneTeamConfig(TEAM, OFFER_TIMEOUT_MS, members));
  await parallel(reps, concurrency, (i) =>
    store.setRepCapacity(site, {
      repId: `rep-${i}`,
      version: 1,
      routableCapacity: capacity,
      teamIds: [TEAM],
      skills: [],
      connected: true,
    }),
  );
}

/** enqueue → (offered at once) → accept → end through the store; throws when the session was not offered. */
async function storeCycle(store: AcdStore, site: string, sessionId: string): Promise<void> {
  const placed = await store.enqueue(site, {
    sessionId,
    target: storeTarget,
    problemTypeId: "",
    priority: 0,
    requiredSkills: [],
  });
  if (!placed.offeredRepId) {
    await store.abandon(site, sessionId, "bench");
    throw new Error(`${sessionId} was not offered at once`);
  }
  await store.accept(site, sessionId, placed.offeredRepId, placed.epoch);
  await store.end(site, sessionId, placed.offeredRepId, placed.epoch);
}

/**
 * Redis time per script of the cycle: the same transitions run phase by phase (all enqueues, then all
 * accepts, then all ends, 64 in flight), each phase measured on its own (commandstats only has the
 * sum over all scripts).
 */
async function printScriptSplit(p: AcdParameters, store: AcdStore, stats: Redis): Promise<void> {
  const sessions = Math.min(5_000, p.storeCycles);
  const site = "bench-split";
  const capacity = Math.ceil(sessions / (p.storeConcurrency * 2)) + 1;
  await setUpStoreSite(store, site, p.storeConcurrency * 2, capacity, p.fillConcurrency);
  const offers: { repId: string; epoch: number }[] = [];
  const loop = { concurrency: p.storeConcurrency, maxCount: sessions, maxMs: p.phaseMaxSeconds * 1000 };
  const phases: [string, (i: number) => Promise<void>][] = [
    [
      "enqueueSession",
      async (i) => {
        const placed = await store.enqueue(site, {
          sessionId: `x-${i}`,
          target: storeTarget,
          problemTypeId: "",
          priority: 0,
          requiredSkills: [],
        });
        if (!placed.offeredRepId) throw new Error(`x-${i} was not offered at once`);
        offers[i] = { repId: placed.offeredRepId, epoch: placed.epoch };
      },
    ],
    ["acceptOffer", (i) => store.accept(site, `x-${i}`, offers[i]!.repId, offers[i]!.epoch)],
    ["endSession", async (i) => void (await store.end(site, `x-${i}`, offers[i]!.repId, offers[i]!.epoch))],
  ];
  const parts: string[] = [];
  for (const [name, op] of phases) {
    const cost = await measureRedisCost(stats);
    const result = await closedLoop(loop, op);
    const c = await cost.finish();
    parts.push(
      `${name} ${us(c.commandUsec / result.done)} (${(nestedCommands(c).calls / result.done).toFixed(0)} commands)`,
    );
  }
  console.log(`  per script (commandstats, ${int(sessions)} of each run phase by phase): ${parts.join(", ")}`);
}

const median = (values: readonly number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return (sorted[(sorted.length - 1) >> 1]! + sorted[sorted.length >> 1]!) / 2;
};

/**
 * Redis time per store-level cycle of another build's Lua (A) against this build's (B). On a shared
 * machine one run against another says nothing (the same build varies by 2×), so both run on one
 * Redis in rounds of A B, B A, …, each run on a fresh site, and each round gives a paired ratio B/A.
 */
async function abLevel(p: AcdParameters, storeRedis: Redis, stats: Redis): Promise<void> {
  console.log(heading(`ab. store-level cycles, A = ${p.libraryA}, B = this build, interleaved`));
  if (!p.libraryA) throw new Error("phase ab needs --library-a");
  const stores = { A: loadRoutingStore(storeRedis, p.libraryA), B: loadRoutingStore(storeRedis) };
  const runs = { A: [] as RedisCost[], B: [] as RedisCost[] };
  const cycleReps = p.storeConcurrency * 2;
  const loop = { concurrency: p.storeConcurrency, maxCount: p.abCycles, maxMs: p.phaseMaxSeconds * 1000 };
  let site = 0;
  for (let round = 0; round < p.abRounds; round++) {
    for (const build of round % 2 ? (["B", "A"] as const) : (["A", "B"] as const)) {
      const name = `bench-ab-${site++}`;
      await setUpStoreSite(stores[build], name, cycleReps, 1, p.fillConcurrency);
      const cost = await measureRedisCost(stats);
      const result = await closedLoop(loop, (i) => storeCycle(stores[build], name, `ab-${i}`));
      if (result.done !== p.abCycles) throw new Error(`${build}: ${result.done} of ${p.abCycles} cycles`);
      const c = await cost.finish();
      runs[build].push(c);
      console.log(
        `  round ${round} ${build}: ${us(c.commandUsec / result.done)} commandstats, ${us(c.cpuUsec / result.done)} INFO cpu, ` +
          `${(nestedCommands(c).calls / result.done).toFixed(2)} commands in ${(c.scriptCalls / result.done).toFixed(2)} script calls per cycle`,
      );
    }
  }
  const per = (build: "A" | "B", pick: (c: RedisCost) => number) => runs[build].map((c) => pick(c) / p.abCycles);
  for (const [figure, pick] of [
    ["commandstats", (c: RedisCost) => c.commandUsec],
    ["INFO cpu", (c: RedisCost) => c.cpuUsec],
  ] as const) {
    const a = per("A", pick);
    const b = per("B", pick);
    const paired = b.map((value, i) => value / a[i]!);
    console.log(
      `  ${figure} per cycle: median A ${us(median(a))}, B ${us(median(b))}; paired B/A median ${median(paired).toFixed(3)}`,
    );
  }
  const commands = (build: "A" | "B") => median(runs[build].map((c) => nestedCommands(c).calls / p.abCycles));
  console.log(`  commands per cycle: A ${commands("A").toFixed(2)}, B ${commands("B").toFixed(2)}`);
}

interface StoreFigures {
  decisionsPerSecond: number;
  cyclesPerSecond: number;
}

async function storeLevel(p: AcdParameters, store: AcdStore, stats: Redis, pid: number): Promise<StoreFigures> {
  console.log(heading(`1. store level: RoutingStore → Redis, ${p.storeConcurrency} calls in flight`));
  const maxMs = p.phaseMaxSeconds * 1000;
  const cycleReps = p.storeConcurrency * 2;

  await setUpStoreSite(store, "bench-warmup", cycleReps, 1, p.fillConcurrency);
  const warm = await closedLoop({ concurrency: p.storeConcurrency, maxCount: p.warmupOps, maxMs }, (i) =>
    storeCycle(store, "bench-warmup", `w-${i}`),
  );
  console.log(`  warm-up: ${int(warm.done)} cycles (scripts loaded, JIT warm)`);

  await setUpStoreSite(store, "bench-decisions", p.storeReps, p.storeRepCapacity, p.fillConcurrency);
  const count = Math.min(p.storeDecisions, p.storeReps * p.storeRepCapacity);
  console.log(
    `  decision = one enqueueSession script call (one EVALSHA) that stores the session, appends SessionQueued, ` +
      `picks the longest-idle rep with free capacity among ${int(p.storeReps)} reps x capacity ${p.storeRepCapacity}, ` +
      `reserves his capacity and appends OfferCreated; only calls that return an offered rep count`,
  );
  let unmatched = 0;
  let cost = await measureRedisCost(stats);
  let cpu = new CpuSplit({ redis: pid });
  const decisions = await closedLoop({ concurrency: p.storeConcurrency, maxCount: count, maxMs }, async (i) => {
    const placed = await store.enqueue("bench-decisions", {
      sessionId: `d-${i}`,
      target: storeTarget,
      problemTypeId: "",
      priority: 0,
      requiredSkills: [],
    });
    if (!placed.offeredRepId) unmatched++;
  });
  const decisionCost = await cost.finish();
  const matched = decisions.done - unmatched;
  const decisionsPerSecond = (matched * 1000) / decisions.elapsedMs;
  printLoop("enqueue+match", decisions, "decision");
  console.log(
    `    decisions: ${int(matched)} matched at once (${int(unmatched)} left waiting) = ${int(decisionsPerSecond)}/s`,
  );
  for (const line of describeCost(decisionCost, matched, "decision")) console.log(`    ${line}`);
  console.log(`    ${cpu.describe()}`);

  await setUpStoreSite(store, "bench-cycles", cycleReps, 1, p.fillConcurrency);
  cost = await measureRedisCost(stats);
  cpu = new CpuSplit({ redis: pid });
  const cycles = await closedLoop({ concurrency: p.storeConcurrency, maxCount: p.storeCycles, maxMs }, (i) =>
    storeCycle(store, "bench-cycles", `c-${i}`),
  );
  const cycleCost = await cost.finish();
  console.log(heading("2. Redis CPU per full routing cycle (store level)"));
  console.log(
    `  cycle = enqueueSession (matched at once: SessionQueued + OfferCreated) → acceptOffer (OfferAccepted) → ` +
      `endSession (SessionEnded, rep freed, matchRep finds nothing waiting): 3 EVALSHA, 4 outbox XADDs; ` +
      `${cycleReps} reps x capacity 1`,
  );
  printLoop("full cycles", cycles, "cycle");
  for (const line of describeCost(cycleCost, cycles.done, "cycle")) console.log(`  ${line}`);
  console.log(`  ${cpu.describe()}`);
  await printScriptSplit(p, store, stats);
  console.log(`  bench memory: ${benchMemory()}`);

  const cpuPerCycle = cycleCost.cpuUsec / cycles.done;
  const cmdPerCycle = cycleCost.commandUsec / cycles.done;
  note("store: enqueue+match decisions/s", int(decisionsPerSecond));
  note("store: full cycles/s (3 scripts)", int(perSecond(cycles)));
  note("redis per cycle, INFO cpu", us(cpuPerCycle), target(cpuPerCycle, "≤", 40, "40 µs"));
  note("redis per cycle, commandstats", us(cmdPerCycle), target(cmdPerCycle, "≤", 40, "40 µs"));
  note("redis per decision (enqueue+match), INFO cpu", us(decisionCost.cpuUsec / matched));
  return { decisionsPerSecond, cyclesPerSecond: perSecond(cycles) };
}

/** Commands BullMQ sends outside its scripts while adding and processing (the worker's blocking wait). */
const BULLMQ_TOP_LEVEL = ["bzpopmin", "bzpopmax", "blmove", "brpoplpush", "zpopmin", "ping", "client|setname"];

async function bullmqLevel(p: AcdParameters, redisUrl: string, stats: Redis, pid: number): Promise<number> {
  console.log(heading(`1b. BullMQ on the same Redis: Queue.add → Worker (concurrency ${p.storeConcurrency})`));
  const url = new URL(redisUrl);
  const connection = { host: url.hostname, port: Number(url.port), maxRetriesPerRequest: null };
  const name = "bench-bullmq";
  const queue = new Queue<{ t: number }>(name, {
    connection,
    defaultJobOptions: { removeOnComplete: true, removeOnFail: true },
  });
  let addToStart = new Samples();
  let processed = 0;
  let wanted = 0;
  let reached: (() => void) | undefined;
  const worker = new Worker<{ t: number }>(
    name,
    async (job: Job<{ t: number }>) => {
      addToStart.add(performance.now() - job.data.t);
      await Promise.resolve();
    },
    { connection, concurrency: p.storeConcurrency },
  );
  worker.on("completed", () => {
    processed++;
    if (processed >= wanted) reached?.();
  });
  worker.on("error", (error) => console.error("  bullmq worker error:", error));
  onCleanup("bullmq", async () => {
    await worker.close(true);
    await queue.close();
  });
  await worker.waitUntilReady();
  await queue.waitUntilReady();
  const maxMs = p.phaseMaxSeconds * 1000;

  /** Adds `count` jobs with `concurrency` adds in flight and waits until that many more were processed. */
  const run = async (count: number) => {
    wanted = processed + count;
    const done = new Promise<void>((resolve) => (reached = resolve));
    const started = performance.now();
    const adds = await closedLoop({ concurrency: p.storeConcurrency, maxCount: count, maxMs }, async () => {
      await queue.add("job", { t: performance.now() });
    });
    await Promise.race([done, sleep(Math.max(1_000, maxMs - (performance.now() - started)))]);
    return { adds, processed: count - Math.max(0, wanted - processed), elapsedMs: performance.now() - started };
  };

  await run(p.warmupOps);
  addToStart = new Samples();
  const cost = await measureRedisCost(stats, BULLMQ_TOP_LEVEL);
  const cpu = new CpuSplit({ redis: pid });
  const measured = await run(p.bullmqJobs);
  const jobCost = await cost.finish();
  const jobsPerSecond = (measured.processed * 1000) / measured.elapsedMs;
  console.log(
    `  job = Queue.add (addStandardJob script) → worker moveToActive → processor (empty) → moveToFinished ` +
      `(removeOnComplete: true, BullMQ's fastest setting)`,
  );
  console.log(
    `  add→process: ${int(measured.processed)} jobs in ${ms(measured.elapsedMs)} = ${int(jobsPerSecond)} jobs/s ` +
      `(adds alone: ${int(perSecond(measured.adds))}/s)`,
  );
  console.log(`    per add call: ${latencyLine(measured.adds.latency.summary())}`);
  console.log(`    add→processor start: ${latencyLine(addToStart.summary())}`);
  for (const line of describeCost(jobCost, measured.processed, "job")) console.log(`  ${line}`);
  console.log(`  ${cpu.describe()}`);
  await worker.close();
  await queue.obliterate({ force: true });
  await queue.close();
  note("bullmq: add→process jobs/s", int(jobsPerSecond));
  note("bullmq per job, INFO cpu", us(jobCost.cpuUsec / measured.processed));
  note("bullmq per job, commandstats", us(jobCost.commandUsec / measured.processed));
  return jobsPerSecond;
}

interface ScaleSites {
  small: string;
  large: string;
}

/** Fills the scale sites through the store (before the acd runs, so nothing else touches Redis) and measures memory. */
async function scaleFill(p: AcdParameters, store: AcdStore, stats: Redis): Promise<ScaleSites> {
  console.log(
    heading(`4a. scale: Redis memory per waiting session (${int(p.scaleWaiting)} waiting, ${int(p.scaleReps)} reps)`),
  );
  const sites = { small: "bench-scale-small", large: "bench-scale-large" };
  const keys = loadAcdKeys();
  for (const site of [sites.small, sites.large]) {
    await setUpStoreSite(store, site, p.scaleReps, 0, p.fillConcurrency);
  }
  console.log(
    `  ${int(p.scaleReps)} reps logged in to team ${TEAM} with capacity 0 on each of two sites, so sessions stay waiting`,
  );
  await stats.xtrim(keys.outbox(sites.large), "MAXLEN", 0);
  await stats.xtrim(keys.outbox(sites.small), "MAXLEN", 0);
  const before = await usedMemory(stats);
  const started = performance.now();
  let offered = 0;
  const enqueueWaiting = (site: string, prefix: string) => async (i: number) => {
    const placed = await store.enqueue(site, {
      sessionId: `${prefix}-${i}`,
      target: storeTarget,
      problemTypeId: "",
      priority: 0,
      requiredSkills: [],
    });
    if (placed.offeredRepId) offered++;
  };
  await parallel(p.scaleWaiting, p.fillConcurrency, enqueueWaiting(sites.large, "wait"));
  const fillMs = performance.now() - started;
  const withOutbox = await usedMemory(stats);
  const outboxBytes = Number(await stats.call("MEMORY", "USAGE", keys.outbox(sites.large), "SAMPLES", "0"));
  const outboxLength = await stats.xlen(keys.outbox(sites.large));
  await stats.xtrim(keys.outbox(sites.large), "MAXLEN", 0);
  const withoutOutbox = await usedMemory(stats);
  await parallel(p.scaleBaselineWaiting, p.fillConcurrency, enqueueWaiting(sites.small, "wait"));
  await stats.xtrim(keys.outbox(sites.small), "MAXLEN", 0);

  const n = p.scaleWaiting;
  const perSession = (withoutOutbox - before) / n;
  console.log(
    `  filled ${int(n)} waiting sessions in ${ms(fillMs)} (${int((n * 1000) / fillMs)}/s, ${p.fillConcurrency} in flight` +
      `${offered ? `; ${int(offered)} were offered, which should not happen` : ""})`,
  );
  console.log(
    `  used_memory before ${bytes(before)}, after ${bytes(withOutbox)}, after trimming the outbox ${bytes(withoutOutbox)}`,
  );
  console.log(
    `  per waiting session, state only (session hash + queue entry): ${bytes(perSession)} ${target(perSession, "≤", 600, "600 B")}`,
  );
  console.log(
    `  per waiting session with its outbox entry (SessionQueued; the relay trims entries 60 s after Kafka acknowledged them): ` +
      `${bytes((withOutbox - before) / n)}; the stream alone: ${int(outboxLength)} entries, ${bytes(outboxBytes)} = ${bytes(outboxBytes / n)} per entry (MEMORY USAGE)`,
  );
  note("scale: bytes per waiting session (state)", bytes(perSession), target(perSession, "≤", 600, "600 B"));
  note("scale: bytes per waiting session (+outbox)", bytes((withOutbox - before) / n));
  return sites;
}

/** A gRPC full cycle: enqueue, offer on the stream, accept, end. Resolves with enqueue→offer in ms. */
async function serviceCycle(
  acd: AcdClient,
  inbox: OfferInbox,
  siteId: string,
  sessionId: string,
  missing: { count: number },
  latencyFrom?: number,
  offerWaitMs = OFFER_WAIT_MS,
): Promise<number> {
  const offerArrival = inbox.wait(sessionId, offerWaitMs);
  const sentAt = performance.now();
  const placed = await acd.enqueueSession({
    siteId,
    sessionId,
    target: teamTarget,
    problemTypeId: "",
    priority: 0,
    requiredSkills: [],
  });
  const received = await offerArrival;
  let repId = placed.offeredRepId;
  // A new session's first offer carries epoch 1; used when the stream did not deliver it.
  let epoch = 1;
  if (received) {
    repId = received.offer.repId;
    epoch = received.offer.epoch;
  } else {
    missing.count++;
    if (!repId) throw new Error(`${sessionId}: no offer within ${offerWaitMs} ms`);
  }
  await acd.acceptOffer({ siteId, sessionId, repId, epoch });
  await acd.endSession({ siteId, sessionId, repId, epoch });
  return received ? received.atMs - (latencyFrom ?? sentAt) : Number.NaN;
}

async function setUpServiceSite(acd: AcdClient, siteId: string, reps: number, concurrency: number): Promise<string[]> {
  const repIds = Array.from({ length: reps }, (_, i) => `rep-${i}`);
  // fromPartial fills every field this bench does not care about with its proto default.
  const config = RoutingConfig.fromPartial({
    teams: [
      {
        id: TEAM,
        name: `Team ${TEAM}`,
        strategy: RoutingStrategy.ROUTING_STRATEGY_LONGEST_IDLE,
        offerTimeoutMs: OFFER_TIMEOUT_MS,
        memberRepIds: repIds,
      },
    ],
  });
  await acd.putRoutingConfig({ siteId, config });
  await parallel(reps, concurrency, (i) =>
    acd.setRepCapacity({
      siteId,
      repId: repIds[i]!,
      teamIds: [TEAM],
      skills: [],
      routableCapacity: 1,
      version: 1,
      connected: true,
    }),
  );
  return repIds;
}

/** The subscription is live once an offer comes through; the feed only delivers offers made after it started. */
async function awaitLiveSubscription(acd: AcdClient, inbox: OfferInbox, siteId: string): Promise<void> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const missing = { count: 0 };
    await serviceCycle(acd, inbox, siteId, `ready-${attempt}`, missing, undefined, 500);
    if (missing.count === 0) return;
  }
  throw new Error("SubscribeOffers delivered no offer in 20 attempts");
}

async function serviceLevel(
  p: AcdParameters,
  acd: AcdClient,
  service: ServiceProcess,
  stats: Redis,
  pid: number,
): Promise<void> {
  console.log(heading("3. service level: gRPC AcdService, offers received on one SubscribeOffers stream"));
  const siteId = "bench-service";
  const repIds = await setUpServiceSite(acd, siteId, p.serviceReps, p.fillConcurrency);
  const inbox = new OfferInbox(acd, siteId, repIds);
  await awaitLiveSubscription(acd, inbox, siteId);
  console.log(
    `  cycle = EnqueueSession → OfferCreated on the stream (one subscriber for all ${int(p.serviceReps)} reps, capacity 1) ` +
      `→ AcceptOffer → EndSession; enqueue→offer = EnqueueSession sent → offer message received`,
  );
  const pids = { acd: service.child.pid, redis: pid };
  let sequence = 0;
  const warm = await closedLoop(
    { concurrency: 16, maxCount: p.warmupOps, maxMs: p.phaseMaxSeconds * 1000 },
    async () => {
      await serviceCycle(acd, inbox, siteId, `sw-${sequence++}`, { count: 0 });
    },
  );
  console.log(`  warm-up: ${int(warm.done)} cycles`);

  if (p.phases.includes("service")) {
    for (const clients of p.serviceClients) {
      const offerLatency = new Samples();
      const missing = { count: 0 };
      const cost = await measureRedisCost(stats, ["xread", "xrange", "xrevrange", "xtrim", "get", "set", "smembers"]);
      const cpu = new CpuSplit(pids);
      const result = await closedLoop(
        { concurrency: clients, maxCount: 1_000_000, maxMs: p.serviceSeconds * 1000 },
        async () => {
          offerLatency.add(await serviceCycle(acd, inbox, siteId, `s-${sequence++}`, missing));
        },
      );
      const redisCost = await cost.finish();
      const rate = perSecond(result);
      console.log(
        `\n  ${clients} concurrent client${clients > 1 ? "s" : ""}: ${int(result.done)} cycles in ${ms(result.elapsedMs)} = ${int(rate)} cycles/s`,
      );
      console.log(`    enqueue→offer: ${latencyLine(offerLatency.summary())}`);
      console.log(`    full cycle:    ${latencyLine(result.latency.summary())}`);
      if (missing.count || result.failed) {
        console.log(
          `    offers missing on the stream: ${int(missing.count)}; failed cycles: ${int(result.failed)} ${result.firstError === undefined ? "" : describeError(result.firstError)}`,
        );
      }
      console.log(
        `    redis per cycle incl. the acd's position lookups, offer feed reads and outbox relay: ${us(redisCost.cpuUsec / result.done)} INFO cpu, ` +
          `${us(redisCost.commandUsec / result.done)} commandstats (${(redisCost.scriptCalls / result.done).toFixed(2)} script calls)`,
      );
      console.log(`    ${cpu.describe()}`);
      console.log(`    ${cpu.perUnit(result.done, "cycle")}`);
      console.log(`    acd memory: ${describeProcessMemory(service.child.pid!)}; bench memory: ${benchMemory()}`);
      const isTargetRun = clients === 64;
      note(
        `service: cycles/s at ${clients} client${clients > 1 ? "s" : ""}`,
        int(rate),
        isTargetRun ? target(rate, "≥", 5_000, "5,000/s") : "",
      );
    }
  }

  if (p.phases.includes("paced")) {
    for (const rate of p.pacedRates) {
      const fromSchedule = new Samples();
      const fromSend = new Samples();
      const missing = { count: 0 };
      const cpu = new CpuSplit(pids);
      const result = await openLoop(
        {
          ratePerSecond: rate,
          durationMs: p.pacedSeconds * 1000,
          maxInFlight: p.pacedMaxInFlight,
          drainMs: OFFER_WAIT_MS + 5_000,
        },
        async (_i, scheduledAt) => {
          const sentAt = performance.now();
          const offerMs = await serviceCycle(acd, inbox, siteId, `p-${sequence++}`, missing, scheduledAt);
          fromSchedule.add(offerMs);
          fromSend.add(offerMs - (sentAt - scheduledAt));
        },
      );
      const s = fromSchedule.summary();
      const goal = rate <= 1_000 ? 5 : 20;
      console.log(
        `\n  paced ${int(rate)} sessions/s for ${p.pacedSeconds} s: ${int(result.started)} started ` +
          `(${int((result.started * 1000) / result.sendMs)}/s achieved), ${int(result.done)} full cycles done ` +
          `(${int((result.done * 1000) / result.elapsedMs)}/s until the last one finished)` +
          `${result.skipped ? `, ${int(result.skipped)} skipped (over ${int(p.pacedMaxInFlight)} in flight)` : ""}` +
          `${result.abandoned ? `, ${int(result.abandoned)} still running at the end` : ""}`,
      );
      console.log(`    enqueue→offer from scheduled send: ${latencyLine(s)}`);
      console.log(
        `    enqueue→offer from actual send:    ${latencyLine(fromSend.summary())} (worst start lag ${ms(result.maxStartLagMs)})`,
      );
      if (missing.count || result.failed) {
        console.log(
          `    offers missing on the stream: ${int(missing.count)}; failed cycles: ${int(result.failed)} ${result.firstError === undefined ? "" : describeError(result.firstError)}`,
        );
      }
      console.log(`    ${cpu.describe()}`);
      console.log(`    ${cpu.perUnit(result.done, "cycle")}`);
      console.log(`    acd memory: ${describeProcessMemory(service.child.pid!)}`);
      note(`service: p99 enqueue→offer at ${int(rate)}/s`, ms(s.p99), target(s.p99, "≤", goal, `${goal} ms`));
      note(`service: p50 / p999 at ${int(rate)}/s`, `${ms(s.p50)} / ${ms(s.p999)}`);
    }
  }
  inbox.close();
}

/**
 * Probes a scale site: a high-priority session is enqueued (it waits, ahead of everything in the same
 * team queue), then one rep is made available, so matchRep has to pick the probe from the head of the
 * queue that holds the other waiting sessions. The rep is taken back to capacity 0 before the session
 * ends, so he never takes a waiting session and the queue keeps its size.
 */
async function probeScaleSites(
  p: AcdParameters,
  acd: AcdClient,
  sites: ScaleSites,
  service: ServiceProcess,
): Promise<void> {
  console.log(
    heading(`4b. scale: enqueue→offer with ${int(p.scaleWaiting)} waiting vs ${int(p.scaleBaselineWaiting)} waiting`),
  );
  const probeReps = Array.from({ length: Math.min(p.scaleProbes, p.scaleReps) }, (_, i) => `rep-${i}`);
  const probes = {
    [sites.small]: {
      inbox: new OfferInbox(acd, sites.small, probeReps),
      enqueueToOffer: new Samples(),
      capacityToOffer: new Samples(),
      done: 0,
    },
    [sites.large]: {
      inbox: new OfferInbox(acd, sites.large, probeReps),
      enqueueToOffer: new Samples(),
      capacityToOffer: new Samples(),
      done: 0,
    },
  };
  let version = 1_000;
  let missing = 0;
  const probe = async (siteId: string, n: number) => {
    const state = probes[siteId]!;
    const sessionId = `probe-${n}`;
    const repId = probeReps[n % probeReps.length]!;
    const arrival = state.inbox.wait(sessionId, OFFER_WAIT_MS);
    const enqueuedAt = performance.now();
    await acd.enqueueSession({
      siteId,
      sessionId,
      target: teamTarget,
      problemTypeId: "",
      priority: 100,
      requiredSkills: [],
    });
    const availableAt = performance.now();
    const rep = { siteId, repId, teamIds: [TEAM], skills: [], connected: true };
    await acd.setRepCapacity({ ...rep, routableCapacity: 1, version: ++version });
    const received = await arrival;
    if (!received) {
      missing++;
      return;
    }
    if (received.offer.repId !== repId) throw new Error(`${sessionId} went to ${received.offer.repId}, not ${repId}`);
    state.enqueueToOffer.add(received.atMs - enqueuedAt);
    state.capacityToOffer.add(received.atMs - availableAt);
    await acd.acceptOffer({ siteId, sessionId, repId, epoch: received.offer.epoch });
    await acd.setRepCapacity({ ...rep, routableCapacity: 0, version: ++version });
    await acd.endSession({ siteId, sessionId, repId, epoch: received.offer.epoch });
    state.done++;
  };
  // Both subscriptions must be live before timing: the first probe of each site is retried until its offer arrives.
  for (const siteId of [sites.small, sites.large]) {
    for (let attempt = 0; attempt < 50 && probes[siteId]!.done === 0; attempt++)
      await probe(siteId, 1_000_000 + attempt);
    probes[siteId]!.enqueueToOffer = new Samples();
    probes[siteId]!.capacityToOffer = new Samples();
  }
  missing = 0;
  // Interleaved rounds, so background work (relay, Kafka) weighs on both sides alike.
  const round = 25;
  const deadline = performance.now() + p.phaseMaxSeconds * 1000;
  for (let n = 0; n < p.scaleProbes && performance.now() < deadline; n += round) {
    for (const siteId of [sites.small, sites.large]) {
      for (let k = n; k < Math.min(n + round, p.scaleProbes); k++) await probe(siteId, k);
    }
  }
  const small = probes[sites.small]!;
  const large = probes[sites.large]!;
  const waiting = await Promise.all(
    [sites.small, sites.large].map(async (siteId) => (await acd.getTeamAvailability({ siteId, teamId: TEAM })).waiting),
  );
  console.log(
    `  probe = EnqueueSession at priority 100 (waits at the head of team ${TEAM}'s queue) → SetRepCapacity(1) for one rep ` +
      `→ offer on the stream; then AcceptOffer, SetRepCapacity(0), EndSession. One probe at a time, sites interleaved.`,
  );
  const smallE = small.enqueueToOffer.summary();
  const largeE = large.enqueueToOffer.summary();
  console.log(
    table([
      ["", "enqueue→offer", "", "", "rep available→offer", ""],
      ["waiting", "p50", "p99", "max", "p50", "p99"],
      ...[
        [p.scaleBaselineWaiting, small],
        [p.scaleWaiting, large],
      ].map(([count, state]) => {
        const s = state as typeof small;
        const e = s.enqueueToOffer.summary();
        const c = s.capacityToOffer.summary();
        return [int(count as number), ms(e.p50), ms(e.p99), ms(e.max), ms(c.p50), ms(c.p99)];
      }),
    ]),
  );
  const scaleRatio = largeE.p99 / smallE.p99;
  console.log(
    `  p99 ratio ${int(p.scaleWaiting)} / ${int(p.scaleBaselineWaiting)} waiting: ${ratio(scaleRatio)} ${target(scaleRatio, "≤", 1.5, "1.5×")}` +
      ` (probes ${int(small.done)} + ${int(large.done)}${missing ? `, ${missing} offers missing` : ""}; still waiting after: ${waiting.map(int).join(" / ")})`,
  );
  console.log(`  acd memory: ${describeProcessMemory(service.child.pid!)}`);
  small.inbox.close();
  large.inbox.close();
  note(`scale: p99 enqueue→offer at ${int(p.scaleBaselineWaiting)} waiting`, ms(smallE.p99));
  note(`scale: p99 enqueue→offer at ${int(p.scaleWaiting)} waiting`, ms(largeE.p99));
  note("scale: p99 ratio", ratio(scaleRatio), target(scaleRatio, "≤", 1.5, "1.5×"));
}

runScenario(async () => {
  const p = parseParameters("acd", acdScenario);
  const phases = new Set(p.phases.split(","));
  const started = performance.now();
  console.log(
    `bench:acd on ${cpus().length} cores (${cpus()[0]?.model ?? "?"}), node ${process.version}, ` +
      `load average ${loadavg()
        .map((l) => l.toFixed(2))
        .join(" ")} at start`,
  );
  const needsAcd = phases.has("service") || phases.has("paced") || phases.has("scale");
  const infra = await startBenchInfrastructure({ kafka: needsAcd });
  const stats = new Redis(infra.redisUrl, { connectionName: "bench-stats" });
  const storeRedis = new Redis(infra.redisUrl, { connectionName: "bench-store" });
  onCleanup("redis clients", async () => {
    stats.disconnect();
    storeRedis.disconnect();
    await Promise.resolve();
  });
  const pid = await redisPid(stats);
  const store = loadRoutingStore(storeRedis);

  let storeFigures: StoreFigures | undefined;
  let bullmqJobsPerSecond: number | undefined;
  if (phases.has("ab")) await abLevel(p, storeRedis, stats);
  if (phases.has("store")) storeFigures = await storeLevel(p, store, stats, pid);
  if (phases.has("bullmq")) bullmqJobsPerSecond = await bullmqLevel(p, infra.redisUrl, stats, pid);
  if (storeFigures && bullmqJobsPerSecond) {
    const decisionRatio = storeFigures.decisionsPerSecond / bullmqJobsPerSecond;
    console.log(heading("1c. store level against BullMQ"));
    console.log(
      `  enqueue+match decisions/s ÷ BullMQ add→process jobs/s: ${ratio(decisionRatio)} ${target(decisionRatio, "≥", 2, "2×")}`,
    );
    console.log(
      `  full routing cycles/s (enqueue+accept+end, 3 scripts) ÷ BullMQ jobs/s (add+moveToActive+moveToFinished): ` +
        `${ratio(storeFigures.cyclesPerSecond / bullmqJobsPerSecond)}`,
    );
    note("store ÷ bullmq (decisions/s ÷ jobs/s)", ratio(decisionRatio), target(decisionRatio, "≥", 2, "2×"));
    note("store ÷ bullmq (full cycles/s ÷ jobs/s)", ratio(storeFigures.cyclesPerSecond / bullmqJobsPerSecond));
  }

  // A clean Redis for the rest: no leftovers of the store-level and BullMQ runs in memory figures or timers.
  await stats.flushall("SYNC");
  let scaleSites: ScaleSites | undefined;
  if (phases.has("scale")) scaleSites = await scaleFill(p, store, stats);

  if (needsAcd) {
    if (!infra.kafkaBrokers) throw new Error("the acd needs Kafka (its outbox relay)");
    const service = await startService(
      "acd",
      {
        REDIS_URL: infra.redisUrl,
        KAFKA_BROKERS: infra.kafkaBrokers,
        ...(p.acdOtel ? {} : { OTEL_SDK_DISABLED: "true" }),
        ...(p.acdNodeOptions ? { NODE_OPTIONS: p.acdNodeOptions } : {}),
        // The scale phase probes a queue of --scale-waiting (100,000) sessions through the acd: above
        // its production bounds (10,000 per team, 50,000 per site), which refused the probe.
        MAX_WAITING_PER_TEAM: "1000000",
        MAX_SESSIONS_PER_SITE: "10000000",
      },
      // A fresh broker can take a while to hand out the idempotent producer's id on a busy machine.
      90_000,
    );
    onCleanup("acd", () => service.stop("SIGTERM"));
    const acd = connectAcd(`127.0.0.1:${service.grpcPort}`);
    onCleanup("acd client", () => Promise.resolve(acd.close()));
    console.log(
      `\n  acd started (pid ${service.child.pid}, gRPC port ${service.grpcPort}, OpenTelemetry ${p.acdOtel ? "on" : "off"})`,
    );
    const idle = new CpuSplit({ acd: service.child.pid, redis: pid });
    await sleep(2_000);
    console.log(`  idle for 2 s (relay, timer sweeper, leadership and Kafka client timers only): ${idle.describe()}`);
    if (phases.has("service") || phases.has("paced")) await serviceLevel(p, acd, service, stats, pid);
    if (scaleSites) await probeScaleSites(p, acd, scaleSites, service);
  }

  console.log(heading("summary (targets are printed, not asserted)"));
  console.log(table(summary));
  console.log(`\n  bench memory at the end: ${benchMemory()}; redis used_memory ${bytes(await usedMemory(stats))}`);
  console.log(`  total run time ${ms(performance.now() - started)}`);
});
