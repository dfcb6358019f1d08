/*
 * `npm run bench:presence`: presence with 10,000 connected reps heartbeating every 10 s plus a trickle
 * of state changes. Starts its own Redis, Kafka, acd and presence; prints logins/s, heartbeats/s
 * sustained (and the closed-loop ceiling), how long a state change takes until the acd reflects it,
 * the CPU of presence (acd and Redis beside it) and Redis memory per rep. Never fails on a figure.
 * Traffic mix and the meaning of every figure: load-tests/README.md.
 */
import { RoutingConfig } from "@handoff/proto/acd_service";
import { Actor, RepState, RoutingStrategy } from "@handoff/proto/common";
// Not the package index: it also exports the vitest lifecycle suite, and vitest refuses to load
// outside a vitest run.
import { startService, type ServiceProcess } from "@handoff/testing/dist/service-process";
import { Redis } from "ioredis";
import { randomUUID } from "node:crypto";
import { cpus, loadavg } from "node:os";
import { setTimeout as sleep } from "node:timers/promises";
import { connectAcd, type AcdClient } from "../lib/acd-client";
import { parseParameters, type ScenarioSpec } from "../lib/args";
import { closedLoop, openLoop, perSecond, type LoopResult, type OpenLoopResult } from "../lib/drivers";
import { onCleanup, runScenario, startBenchInfrastructure } from "../lib/infra";
import { connectPresence, type PresenceClient } from "../lib/presence-client";
import { benchMemory, CpuSplit, describeProcessMemory } from "../lib/process-stats";
import { measureRedisCost, memoryByKeyGroup, redisPid, usedMemory, type RedisCost } from "../lib/redis-stats";
import { bytes, describeError, heading, int, latencyLine, ms, Samples, table, us } from "../lib/stats";

type PresenceParameters = {
  phases: string;
  reps: number;
  teams: number;
  loginConcurrency: number;
  loginMaxSeconds: number;
  heartbeatIntervalMs: number;
  heartbeatTolerance: number;
  sustainedSeconds: number;
  stateChangesPerSecond: number;
  maxInFlight: number;
  maxConcurrency: number;
  maxSeconds: number;
  reflectChanges: number;
  reflectConcurrency: number;
  reflectPollMs: number;
  reflectMaxSeconds: number;
  reflectWithHeartbeats: boolean;
  flipPool: number;
  serviceOtel: boolean;
  presenceNodeOptions: string;
};

/** The named scenario "presence": the issue's benchmark. Every count and duration is a bound. */
const presenceScenario: ScenarioSpec<PresenceParameters> = {
  phases: { default: "memory,sustained,max,reflect", help: "which parts to run after the logins (comma list)" },
  reps: { default: 10_000, help: "reps logged in, one desktop connection each" },
  teams: { default: 10, help: "teams of the routing config; reps are split evenly, one team each" },
  loginConcurrency: { default: 64, help: "Login calls in flight while logging the reps in" },
  loginMaxSeconds: { default: 25, help: "upper bound on the login phase (must stay below interval x tolerance)" },
  heartbeatIntervalMs: { default: 10_000, help: "HEARTBEAT_INTERVAL_MS of presence; every rep heartbeats this often" },
  heartbeatTolerance: { default: 3, help: "HEARTBEAT_TOLERANCE of presence" },
  sustainedSeconds: { default: 20, help: "duration of the sustained run at the real heartbeat rate" },
  stateChangesPerSecond: { default: 20, help: "SetState trickle during the sustained run (available <-> away/break)" },
  maxInFlight: { default: 5_000, help: "open-loop calls in flight before starts are skipped" },
  maxConcurrency: { default: 64, help: "heartbeats in flight in the closed-loop ceiling run" },
  maxSeconds: { default: 5, help: "duration of the closed-loop ceiling run" },
  reflectChanges: { default: 1_000, help: "state changes timed until the acd reflects them" },
  reflectConcurrency: { default: 50, help: "state changes in flight (each on its own rep)" },
  reflectPollMs: { default: 1, help: "pause between GetRepRouting polls while the acd does not show the change" },
  reflectMaxSeconds: { default: 20, help: "upper bound on the state-change run" },
  reflectWithHeartbeats: { default: true, help: "keep the real heartbeat rate running under the state-change run" },
  flipPool: { default: 1_000, help: "reps whose state the bench changes (spread over all teams)" },
  serviceOtel: { default: true, help: "run acd and presence with OpenTelemetry on (as deployed)" },
  presenceNodeOptions: {
    default: "",
    help: 'NODE_OPTIONS for presence, e.g. "--cpu-prof --cpu-prof-dir=/tmp/presence-prof" to see where its time goes',
  },
};

/** A state change the acd does not show after this long counts as failed. */
const REFLECT_TIMEOUT_MS = 5_000;
const OPEN_LOOP_DRAIN_MS = 10_000;

/** One line per figure in the closing summary. */
const summary: string[][] = [["figure", "value"]];
const note = (figure: string, value: string) => void summary.push([figure, value]);

const repId = (i: number) => `rep-${i}`;
const connectionId = (i: number) => `desk-${i}`;

interface Bench {
  p: PresenceParameters;
  siteId: string;
  presence: PresenceClient;
  acd: AcdClient;
  stats: Redis;
  pids: Record<string, number | undefined>;
  services: { presence: ServiceProcess; acd: ServiceProcess };
  /** Indexes of the reps that logged in: the ones that heartbeat. */
  active: number[];
  flipper: StateFlipper;
}

function teamOf(p: PresenceParameters, i: number): string {
  return `team-${Math.floor(i / Math.ceil(p.reps / p.teams))}`;
}

function serviceMemory(b: Bench): string {
  return `presence ${describeProcessMemory(b.services.presence.child.pid!)}, acd ${describeProcessMemory(b.services.acd.child.pid!)}`;
}

function printFailures(label: string, result: { failed: number; firstError?: unknown }): void {
  if (result.failed > 0) console.log(`    ${label} FAILED: ${int(result.failed)} (first: ${describeError(result.firstError)})`);
}

/**
 * Hands out the reps whose state the bench changes, one change per rep at a time, and remembers each
 * one's state so the next change flips it (available → away/break → available ...).
 */
class StateFlipper {
  private cursor = 0;
  private readonly busy = new Set<number>();
  private readonly away = new Set<number>();
  toAway = 0;
  toAvailable = 0;

  constructor(
    private readonly b: Pick<Bench, "presence" | "siteId">,
    private readonly pool: readonly number[],
  ) {}

  get awayCount(): number {
    return this.away.size;
  }

  /**
   * Sets the next free rep of the pool to the other state; `then` runs before the rep is free again.
   * Returns when both are done.
   */
  async flip(then?: (rep: { repId: string; capacity: number; version: number }) => Promise<void>): Promise<void> {
    let rep: number | undefined;
    for (let n = 0; n < this.pool.length && rep === undefined; n++) {
      const candidate = this.pool[this.cursor++ % this.pool.length]!;
      if (!this.busy.has(candidate)) rep = candidate;
    }
    if (rep === undefined) throw new Error("every rep of the flip pool has a change in flight");
    this.busy.add(rep);
    try {
      const toAvailable = this.away.has(rep);
      const response = await this.b.presence.setState({
        siteId: this.b.siteId,
        repId: repId(rep),
        state: toAvailable ? RepState.REP_STATE_AVAILABLE : RepState.REP_STATE_AWAY,
        reasonCode: toAvailable ? "" : "break",
        actor: Actor.ACTOR_REP,
        actorId: "",
      });
      if (toAvailable) {
        this.away.delete(rep);
        this.toAvailable++;
      } else {
        this.away.add(rep);
        this.toAway++;
      }
      const snapshot = response.rep!;
      await then?.({ repId: repId(rep), capacity: toAvailable ? snapshot.capacity : 0, version: snapshot.version });
    } finally {
      this.busy.delete(rep);
    }
  }
}

async function setUpSite(p: PresenceParameters, acd: AcdClient, siteId: string): Promise<void> {
  const perTeam = Math.ceil(p.reps / p.teams);
  const config = RoutingConfig.fromPartial({
    teams: Array.from({ length: p.teams }, (_, t) => ({
      id: `team-${t}`,
      name: `Team ${t}`,
      strategy: RoutingStrategy.ROUTING_STRATEGY_LONGEST_IDLE,
      offerTimeoutMs: 30_000,
      memberRepIds: Array.from({ length: Math.max(0, Math.min(perTeam, p.reps - t * perTeam)) }, (_, k) =>
        repId(t * perTeam + k),
      ),
    })),
  });
  await acd.putRoutingConfig({ siteId, config });
  const probe = new Samples();
  let size = 0;
  for (let n = 0; n < 20; n++) {
    const started = performance.now();
    const stored = await acd.getRoutingConfig({ siteId });
    probe.add(performance.now() - started);
    size = RoutingConfig.encode(stored.config!).finish().length;
  }
  console.log(
    `  routing config: ${p.teams} teams x ${int(perTeam)} member rep ids; GetRoutingConfig (what presence's Login ` +
      `reads to check membership) returns ${bytes(size)}: ${latencyLine(probe.summary())}`,
  );
  note("GetRoutingConfig p50 (10,000 member ids)", `${ms(probe.summary().p50)}, ${bytes(size)}`);
}

async function logIn(b: Bench): Promise<void> {
  const { p } = b;
  console.log(
    heading(`setup: ${int(p.reps)} reps log in (one team, one connection each), ${p.loginConcurrency} in flight`),
  );
  const cost = await measureRedisCost(b.stats);
  const cpu = new CpuSplit(b.pids);
  const loggedIn = new Uint8Array(p.reps);
  const result = await closedLoop(
    { concurrency: p.loginConcurrency, maxCount: p.reps, maxMs: p.loginMaxSeconds * 1000 },
    async (i) => {
      const response = await b.presence.login({
        siteId: b.siteId,
        repId: repId(i),
        teamIds: [teamOf(p, i)],
        connectionId: connectionId(i),
      });
      if (response.rep?.state !== RepState.REP_STATE_AVAILABLE) throw new Error(`${repId(i)} is not available`);
      loggedIn[i] = 1;
    },
  );
  const cpuLine = cpu.describe();
  const perLogin = cpu.perUnit(result.done, "login");
  const c = await cost.finish();
  for (let i = 0; i < p.reps; i++) if (loggedIn[i]) b.active.push(i);
  console.log(
    `  login = Login(team, connection): membership check against the routing config, login script, ` +
      `SetRepCapacity pushed to the acd, markPushed`,
  );
  console.log(
    `  ${int(result.done)} reps logged in in ${ms(result.elapsedMs)} = ${int(perSecond(result))} logins/s` +
      `${result.done < p.reps ? ` (bounded by ${p.loginMaxSeconds} s: ${int(p.reps - result.done)} not logged in)` : ""}`,
  );
  console.log(`    per login: ${latencyLine(result.latency.summary())}`);
  printFailures("logins", result);
  console.log(`    ${describeRedis(c, result.done, "login")}`);
  console.log(`    ${cpuLine}`);
  console.log(`    ${perLogin}`);
  console.log(`    memory: ${serviceMemory(b)}`);
  note("setup: logins", `${int(result.done)} in ${ms(result.elapsedMs)} = ${int(perSecond(result))}/s`);
  note("setup: Login p50 / p99", `${ms(result.latency.summary().p50)} / ${ms(result.latency.summary().p99)}`);
}

function describeRedis(cost: RedisCost, units: number, unit: string): string {
  return (
    `redis per ${unit}: ${us(cost.cpuUsec / units)} INFO cpu, ${us(cost.commandUsec / units)} in scripts, ` +
    `${(cost.scriptCalls / units).toFixed(2)} script calls (presence's and the acd's, background duties included)`
  );
}

/** The part after `hp:{site}:` / `hq:{site}:` up to the next colon: rep, conns, team, hb, ob... */
const keyGroup = (prefix: string) => (key: string) => key.slice(prefix.length).split(":")[0] ?? key;

const KEY_MEANING: Record<string, string> = {
  rep: "rep hash (state, teams, capacity, version...)",
  conns: "connections hash (connection → deadline)",
  hb: "heartbeat deadlines zset (rep|connection)",
  team: "team member sets",
  reps: "set of all reps",
  dirty: "reps not yet acknowledged by the acd",
  ob: "outbox stream",
  obc: "relay cursor",
};

async function measureMemory(b: Bench, before: number): Promise<void> {
  const { p, stats, siteId } = b;
  const n = b.active.length;
  console.log(heading(`Redis memory per rep (${int(n)} logged-in reps, each with a connection and a deadline)`));
  // Pushes and their markPushed land right after the last Login returns; let them settle.
  await sleep(1_000);
  const presencePrefix = `hp:{${siteId}}:`;
  const acdPrefix = `hq:{${siteId}}:`;
  const after = await usedMemory(stats);
  const presenceKeys = await memoryByKeyGroup(stats, `${presencePrefix}*`, keyGroup(presencePrefix));
  const acdKeys = await memoryByKeyGroup(stats, `${acdPrefix}*`, keyGroup(acdPrefix));
  const presenceOutbox = `${presencePrefix}ob`;
  const acdOutbox = `${acdPrefix}ob`;
  const [presenceEntries, acdEntries] = await Promise.all([stats.xlen(presenceOutbox), stats.xlen(acdOutbox)]);
  await stats.xtrim(presenceOutbox, "MAXLEN", 0);
  const withoutPresenceOutbox = await usedMemory(stats);
  await stats.xtrim(acdOutbox, "MAXLEN", 0);
  const withoutOutboxes = await usedMemory(stats);

  const rows: string[][] = [["key (MEMORY USAGE, exact)", "keys", "bytes", "per rep", "what"]];
  let presenceState = 0;
  for (const [group, m] of [...presenceKeys].sort((x, y) => y[1].bytes - x[1].bytes)) {
    if (group !== "ob") presenceState += m.bytes;
    rows.push([`hp:{site}:${group}`, int(m.keys), bytes(m.bytes), bytes(m.bytes / n), KEY_MEANING[group] ?? ""]);
  }
  let acdState = 0;
  let acdOutboxBytes = 0;
  for (const [group, m] of acdKeys) {
    if (group === "ob") acdOutboxBytes = m.bytes;
    else if (group !== "cfg") acdState += m.bytes;
  }
  const presenceOutboxBytes = presenceKeys.get("ob")?.bytes ?? 0;
  rows.push(["acd: hq:{site}:* rep state (config and outbox left out)", "", bytes(acdState), bytes(acdState / n), ""]);
  rows.push(["acd: hq:{site}:ob", int(acdKeys.get("ob")?.keys ?? 0), bytes(acdOutboxBytes), bytes(acdOutboxBytes / n), ""]);
  console.log(table(rows));
  console.log(
    `  presence per rep, state only: ${bytes(presenceState / n)}; with its outbox entries ` +
      `(${int(presenceEntries)} entries = ${(presenceEntries / n).toFixed(1)} per rep: RepLoggedIn, RepStateChanged): ` +
      `${bytes((presenceState + presenceOutboxBytes) / n)} (MEMORY USAGE)`,
  );
  console.log(
    `  used_memory: before the logins ${bytes(before)}, after ${bytes(after)}, after XTRIM of presence's outbox ` +
      `${bytes(withoutPresenceOutbox)}, after XTRIM of the acd's outbox too (${int(acdEntries)} entries) ${bytes(withoutOutboxes)}`,
  );
  console.log(
    `  used_memory Δ per rep: ${bytes((after - before) / n)} with both outboxes; ${bytes((withoutPresenceOutbox - before) / n)} ` +
      `without presence's; ${bytes((withoutOutboxes - before) / n)} state only (presence + the acd's copy of the rep); ` +
      `presence's outbox freed ${bytes((after - withoutPresenceOutbox) / n)} per rep`,
  );
  console.log(`  (${p.heartbeatTolerance} x ${int(p.heartbeatIntervalMs)} ms deadlines; the relay trims outbox entries 60 s after Kafka acknowledged them)`);
  note("redis per rep: presence state (MEMORY USAGE)", bytes(presenceState / n));
  note("redis per rep: presence state + outbox entries", bytes((presenceState + presenceOutboxBytes) / n));
  note("redis per rep: used_memory Δ, presence + acd state", bytes((withoutOutboxes - before) / n));
  note("redis per rep: used_memory Δ, + both outboxes", bytes((after - before) / n));
}

/** Heartbeats in the real pattern: every active rep once per interval, spread evenly, in rep order. */
function heartbeatLoad(b: Bench, durationMs: number, stop?: AbortSignal) {
  const fromSchedule = new Samples();
  const fromSend = new Samples();
  const rate = (b.active.length * 1000) / b.p.heartbeatIntervalMs;
  const t0 = performance.now();
  const timeline: number[][] = [];
  const run = openLoop(
    { ratePerSecond: rate, durationMs, maxInFlight: b.p.maxInFlight, drainMs: OPEN_LOOP_DRAIN_MS, stop },
    async (i, scheduledAt) => {
      const rep = b.active[i % b.active.length]!;
      const sentAt = performance.now();
      await b.presence.heartbeat({ siteId: b.siteId, repId: repId(rep), connectionId: connectionId(rep) });
      const now = performance.now();
      fromSchedule.add(now - scheduledAt);
      fromSend.add(now - sentAt);
      if (process.env.BENCH_TIMELINE) {
        const sec = Math.floor((scheduledAt - t0) / 250);
        (timeline[sec] ??= []).push(now - scheduledAt);
      }
    },
  );
  if (process.env.BENCH_TIMELINE) void run.then(() => console.log(timeline.map((v, i) => `${(i / 4).toFixed(2)}s:${Math.round(Math.max(...v))}`).join(" ")));
  return { rate, run, fromSchedule, fromSend };
}

function printOpenLoop(title: string, result: OpenLoopResult, unit: string): void {
  console.log(
    `  ${title}: ${int(result.started)} ${unit} started in ${ms(result.sendMs)} = ${int((result.started * 1000) / result.sendMs)}/s achieved, ` +
      `${int(result.done)} done` +
      `${result.skipped ? `, ${int(result.skipped)} skipped (over the in-flight bound)` : ""}` +
      `${result.abandoned ? `, ${int(result.abandoned)} still running at the end` : ""}, worst start lag ${ms(result.maxStartLagMs)}`,
  );
}

async function sustained(b: Bench): Promise<void> {
  const { p } = b;
  const durationMs = p.sustainedSeconds * 1000;
  console.log(
    heading(
      `heartbeats sustained: ${int(b.active.length)} reps every ${int(p.heartbeatIntervalMs)} ms + ${p.stateChangesPerSecond} state changes/s, ${p.sustainedSeconds} s`,
    ),
  );
  const flips = new Samples();
  const cost = await measureRedisCost(b.stats);
  const cpu = new CpuSplit(b.pids);
  const heartbeats = heartbeatLoad(b, durationMs);
  const changes = openLoop(
    { ratePerSecond: p.stateChangesPerSecond, durationMs, maxInFlight: p.maxInFlight, drainMs: OPEN_LOOP_DRAIN_MS },
    async (_i, scheduledAt) => {
      await b.flipper.flip();
      flips.add(performance.now() - scheduledAt);
    },
  );
  const [hb, sc] = await Promise.all([heartbeats.run, changes]);
  const cpuLine = cpu.describe();
  const perHeartbeat = cpu.perUnit(hb.done, "heartbeat");
  const c = await cost.finish();
  const achieved = (hb.done * 1000) / hb.elapsedMs;
  console.log(
    `  paced at ${int(heartbeats.rate)} heartbeats/s (rep i at i x ${ms(p.heartbeatIntervalMs / b.active.length)} ` +
      `into each interval), open loop: latency counted from the scheduled send`,
  );
  printOpenLoop("heartbeats", hb, "heartbeats");
  console.log(`    heartbeats/s sustained (done ÷ time to the last completion): ${int(achieved)}`);
  console.log(`    heartbeat from scheduled send: ${latencyLine(heartbeats.fromSchedule.summary())}`);
  console.log(`    heartbeat from actual send:    ${latencyLine(heartbeats.fromSend.summary())}`);
  printFailures("heartbeats", hb);
  printOpenLoop("state changes", sc, "SetState calls");
  console.log(`    SetState (available ↔ away/break): ${latencyLine(flips.summary())}`);
  printFailures("state changes", sc);
  console.log(`    ${describeRedis(c, hb.done + sc.done, "call")}`);
  console.log(`    ${cpuLine}`);
  console.log(`    ${perHeartbeat}`);
  console.log(`    memory: ${serviceMemory(b)}; bench ${benchMemory()}`);
  const h = heartbeats.fromSchedule.summary();
  const f = flips.summary();
  note("sustained: heartbeats/s", `${int(achieved)} (paced at ${int(heartbeats.rate)})`);
  note("sustained: heartbeat p50 / p99 / p999", `${ms(h.p50)} / ${ms(h.p99)} / ${ms(h.p999)}`);
  note("sustained: SetState p50 / p99", `${ms(f.p50)} / ${ms(f.p99)}`);
  note("sustained: cpu (% of one core)", cpuLine.replace(/^cpu \(% of one core, \d+ cores\): /, ""));
}

async function ceiling(b: Bench): Promise<void> {
  const { p } = b;
  console.log(heading(`heartbeats, closed loop: ${p.maxConcurrency} in flight for ${p.maxSeconds} s`));
  const cost = await measureRedisCost(b.stats);
  const cpu = new CpuSplit(b.pids);
  const result: LoopResult = await closedLoop(
    { concurrency: p.maxConcurrency, maxCount: 10_000_000, maxMs: p.maxSeconds * 1000 },
    async (i) => {
      const rep = b.active[i % b.active.length]!;
      await b.presence.heartbeat({ siteId: b.siteId, repId: repId(rep), connectionId: connectionId(rep) });
    },
  );
  const cpuLine = cpu.describe();
  const perHeartbeat = cpu.perUnit(result.done, "heartbeat");
  const c = await cost.finish();
  console.log(`  ${int(result.done)} heartbeats in ${ms(result.elapsedMs)} = ${int(perSecond(result))} heartbeats/s`);
  console.log(`    per heartbeat: ${latencyLine(result.latency.summary())}`);
  printFailures("heartbeats", result);
  console.log(`    ${describeRedis(c, result.done, "heartbeat")}`);
  console.log(`    ${cpuLine}`);
  console.log(`    ${perHeartbeat}`);
  console.log(`    memory: ${serviceMemory(b)}`);
  note(`max: heartbeats/s at ${p.maxConcurrency} in flight`, int(perSecond(result)));
  note("max: script calls per heartbeat", (c.scriptCalls / result.done).toFixed(2));
}

async function reflect(b: Bench): Promise<void> {
  const { p } = b;
  console.log(
    heading(
      `state change until the acd reflects it: ${int(p.reflectChanges)} changes, ${p.reflectConcurrency} in flight` +
        `${p.reflectWithHeartbeats ? ", real heartbeat rate underneath" : ""}`,
    ),
  );
  const setStateLatency = new Samples();
  const untilReflected = new Samples();
  const pollLatency = new Samples();
  const pollsNeeded: number[] = [];
  const background = new AbortController();
  const heartbeats = p.reflectWithHeartbeats ? heartbeatLoad(b, p.reflectMaxSeconds * 1000, background.signal) : undefined;
  const cpu = new CpuSplit(b.pids);
  const toAway = b.flipper.toAway;
  const toAvailable = b.flipper.toAvailable;
  const result = await closedLoop(
    { concurrency: p.reflectConcurrency, maxCount: p.reflectChanges, maxMs: p.reflectMaxSeconds * 1000 },
    async () => {
      const started = performance.now();
      await b.flipper.flip(async (expected) => {
        setStateLatency.add(performance.now() - started);
        for (let polls = 1; ; polls++) {
          const sent = performance.now();
          const routing = await b.acd.getRepRouting({ siteId: b.siteId, repId: expected.repId });
          const now = performance.now();
          pollLatency.add(now - sent);
          if (routing.routableCapacity === expected.capacity && routing.version >= expected.version) {
            untilReflected.add(now - started);
            pollsNeeded.push(polls);
            return;
          }
          if (now - started > REFLECT_TIMEOUT_MS) {
            throw new Error(`${expected.repId}: acd still shows ${routing.routableCapacity} v${routing.version}`);
          }
          await sleep(p.reflectPollMs);
        }
      });
    },
  );
  background.abort();
  const hb = heartbeats ? await heartbeats.run : undefined;
  const cpuLine = cpu.describe();
  const firstPoll = pollsNeeded.filter((n) => n === 1).length;
  console.log(
    `  change = SetState (available → away/break or back) on a rep with no change in flight, then GetRepRouting on the ` +
      `acd right after it returns and every ${p.reflectPollMs} ms until routable_capacity and version match`,
  );
  console.log(
    `  ${int(result.done)} changes in ${ms(result.elapsedMs)} = ${int(perSecond(result))}/s ` +
      `(${int(b.flipper.toAway - toAway)} to away, ${int(b.flipper.toAvailable - toAvailable)} to available)`,
  );
  console.log(`    SetState sent → acd shows it: ${latencyLine(untilReflected.summary())}`);
  console.log(`    SetState call alone:          ${latencyLine(setStateLatency.summary())}`);
  console.log(`    one GetRepRouting poll:        ${latencyLine(pollLatency.summary())}`);
  console.log(
    `    acd already showed the change on the first poll after SetState returned: ${int(firstPoll)} of ${int(pollsNeeded.length)}` +
      `${pollsNeeded.length ? `; most polls needed ${Math.max(...pollsNeeded)}` : ""}`,
  );
  printFailures("changes", result);
  if (hb && heartbeats) {
    printOpenLoop("heartbeats underneath", hb, "heartbeats");
    console.log(`    heartbeat from scheduled send: ${latencyLine(heartbeats.fromSchedule.summary())}`);
  }
  console.log(`    ${cpuLine}`);
  console.log(`    memory: ${serviceMemory(b)}`);
  const r = untilReflected.summary();
  note("state change → acd p50 / p99 / p999", `${ms(r.p50)} / ${ms(r.p99)} / ${ms(r.p999)}`);
  note("state change: on first poll", `${int(firstPoll)} of ${int(pollsNeeded.length)}`);
}

/** What presence itself says at the end: every rep still connected, states as the bench left them. */
async function checkStates(b: Bench): Promise<void> {
  const counts = { available: 0, away: 0, busy: 0, offline: 0 };
  for (let t = 0; t < b.p.teams; t++) {
    const c = await b.presence.countTeamStates({ siteId: b.siteId, teamId: `team-${t}` });
    counts.available += c.available;
    counts.away += c.away;
    counts.busy += c.busy;
    counts.offline += c.offline;
  }
  const away = b.flipper.awayCount;
  console.log(
    `\n  presence at the end (CountTeamStates): ${int(counts.available)} available, ${int(counts.away)} away, ` +
      `${int(counts.busy)} busy, ${int(counts.offline)} offline; the bench expects ${int(b.active.length - away)} / ${int(away)} / 0 / 0` +
      `${counts.offline ? " (offline reps missed their heartbeat deadline: the bench fell behind or presence dropped them)" : ""}`,
  );
}

runScenario(async () => {
  const p = parseParameters("presence", presenceScenario);
  const phases = new Set(p.phases.split(","));
  const started = performance.now();
  console.log(
    `bench:presence on ${cpus().length} cores (${cpus()[0]?.model ?? "?"}), node ${process.version}, ` +
      `load average ${loadavg()
        .map((l) => l.toFixed(2))
        .join(" ")} at start`,
  );
  const infra = await startBenchInfrastructure({ kafka: true });
  if (!infra.kafkaBrokers) throw new Error("acd and presence need Kafka (their outbox relays)");
  const stats = new Redis(infra.redisUrl, { connectionName: "bench-stats" });
  onCleanup("redis client", async () => void stats.disconnect());
  const pid = await redisPid(stats);
  const common = {
    REDIS_URL: infra.redisUrl,
    KAFKA_BROKERS: infra.kafkaBrokers,
    KAFKAJS_NO_PARTITIONER_WARNING: "1",
    ...(p.serviceOtel ? {} : { OTEL_SDK_DISABLED: "true" }),
  };
  // A fresh broker can take a while to hand out the idempotent producer's id on a busy machine.
  const acdProcess = await startService("acd", common, 90_000);
  onCleanup("acd", () => acdProcess.stop("SIGTERM"));
  const presenceProcess = await startService(
    "presence",
    {
      ...common,
      ACD_ADDRESS: `127.0.0.1:${acdProcess.grpcPort}`,
      HEARTBEAT_INTERVAL_MS: String(p.heartbeatIntervalMs),
      HEARTBEAT_TOLERANCE: String(p.heartbeatTolerance),
      ...(p.presenceNodeOptions ? { NODE_OPTIONS: p.presenceNodeOptions } : {}),
    },
    90_000,
  );
  onCleanup("presence", () => presenceProcess.stop("SIGTERM"));
  const acd = connectAcd(`127.0.0.1:${acdProcess.grpcPort}`);
  const presence = connectPresence(`127.0.0.1:${presenceProcess.grpcPort}`);
  onCleanup("clients", async () => {
    acd.close();
    presence.close();
    await Promise.resolve();
  });
  console.log(
    `\n  acd (pid ${acdProcess.child.pid}) and presence (pid ${presenceProcess.child.pid}) started, ` +
      `OpenTelemetry ${p.serviceOtel ? "on" : "off"}; one gRPC channel from the bench to each`,
  );

  const siteId = `bench-presence-${randomUUID().slice(0, 8)}`;
  const poolSize = Math.min(p.flipPool, p.reps);
  const pool = Array.from({ length: poolSize }, (_, j) => Math.floor((j * p.reps) / poolSize));
  const b: Bench = {
    p,
    siteId,
    presence,
    acd,
    stats,
    pids: { presence: presenceProcess.child.pid, acd: acdProcess.child.pid, redis: pid },
    services: { presence: presenceProcess, acd: acdProcess },
    active: [],
    flipper: new StateFlipper({ presence, siteId }, pool),
  };
  await setUpSite(p, acd, siteId);
  const idle = new CpuSplit(b.pids);
  await sleep(2_000);
  console.log(`  idle for 2 s (leader duties, relays, Kafka client timers): ${idle.describe()}`);
  console.log(`  memory: ${serviceMemory(b)}`);
  await stats.xtrim(`hq:{${siteId}}:ob`, "MAXLEN", 0);
  const before = await usedMemory(stats);

  await logIn(b);
  if (b.active.length === 0) throw new Error("no rep logged in");
  if (phases.has("memory")) await measureMemory(b, before);
  if (phases.has("sustained")) await sustained(b);
  if (phases.has("max")) await ceiling(b);
  if (phases.has("reflect")) await reflect(b);
  await checkStates(b);

  note("presence memory at the end", describeProcessMemory(presenceProcess.child.pid!));
  note("acd memory at the end", describeProcessMemory(acdProcess.child.pid!));
  console.log(heading("summary (no targets in the issue; figures only)"));
  console.log(table(summary));
  console.log(`\n  bench memory at the end: ${benchMemory()}; redis used_memory ${bytes(await usedMemory(stats))}`);
  console.log(`  total run time ${ms(performance.now() - started)}`);
});
