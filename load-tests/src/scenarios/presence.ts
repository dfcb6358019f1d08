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
import { monitorEventLoopDelay } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { connectAcd, type AcdClient } from "../lib/acd-client";
import { parseParameters, type ScenarioSpec } from "../lib/args";
import { closedLoop, openLoop, perSecond, type LoopResult, type OpenLoopResult } from "../lib/drivers";
import { onCleanup, runScenario, startBenchInfrastructure } from "../lib/infra";
import { connectPresence, type PresenceClient } from "../lib/presence-client";
import { benchMemory, CpuSplit, describeProcessMemory } from "../lib/process-stats";
import { measureRedisCost, memoryByKeyGroup, redisPid, usedMemory, type RedisCost } from "../lib/redis-stats";
import { describeLoop, ServiceLoop } from "../lib/service-loop";
import { bytes, describeError, heading, int, latencyLine, ms, Samples, table, us } from "../lib/stats";

type PresenceParameters = {
  phases: string;
  reps: number;
  connectionsPerRep: number;
  teams: number;
  loginConcurrency: number;
  loginMaxSeconds: number;
  heartbeatIntervalMs: number;
  heartbeatTolerance: number;
  warmupSeconds: number;
  sustainedSeconds: number;
  stateChangesPerSecond: number;
  maxInFlight: number;
  maxConcurrency: number;
  maxSeconds: number;
  yardstickSeconds: number;
  reflectChanges: number;
  reflectRate: number;
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
  reps: { default: 10_000, help: "reps logged in" },
  connectionsPerRep: {
    default: 1,
    help: "desktop connections per rep, each heartbeating (Login opens the first, a heartbeat each further one)",
  },
  teams: { default: 10, help: "teams of the routing config; reps are split evenly, one team each" },
  loginConcurrency: { default: 64, help: "Login calls in flight while logging the reps in" },
  loginMaxSeconds: { default: 25, help: "upper bound on the login phase (must stay below interval x tolerance)" },
  heartbeatIntervalMs: { default: 10_000, help: "HEARTBEAT_INTERVAL_MS of presence; every rep heartbeats this often" },
  heartbeatTolerance: { default: 3, help: "HEARTBEAT_TOLERANCE of presence" },
  warmupSeconds: { default: 5, help: "real-rate heartbeats before the sustained run, not counted" },
  sustainedSeconds: { default: 20, help: "duration of the sustained run at the real heartbeat rate" },
  stateChangesPerSecond: { default: 20, help: "SetState trickle during the sustained run (available <-> away/break)" },
  maxInFlight: { default: 5_000, help: "open-loop calls in flight before starts are skipped" },
  maxConcurrency: { default: 64, help: "heartbeats in flight in the closed-loop ceiling run" },
  maxSeconds: { default: 5, help: "duration of the closed-loop ceiling run" },
  yardstickSeconds: { default: 3, help: "acd GetRepRouting at the same concurrency, for scale (0 skips it)" },
  reflectChanges: { default: 1_000, help: "state changes timed until the acd reflects them, per run" },
  reflectRate: { default: 100, help: "paced state-change run: changes/s (0 skips it)" },
  reflectConcurrency: {
    default: 50,
    help: "closed-loop state-change run: changes in flight, each on its own rep (0 skips it)",
  },
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
/** Heartbeat p99 is also printed per window of this length (shows warm-up effects and stalls). */
const WINDOW_MS = 5_000;

/** One line per figure in the closing summary. */
const summary: string[][] = [["figure", "value"]];
const note = (figure: string, value: string) => void summary.push([figure, value]);

const repId = (i: number) => `rep-${i}`;
/** A rep's desktops: `desk-<rep>` (opened by Login), then `desk-<rep>-1`, ... (opened by their first heartbeat). */
const connectionId = (i: number, desk = 0) => (desk === 0 ? `desk-${i}` : `desk-${i}-${desk}`);

interface Bench {
  p: PresenceParameters;
  siteId: string;
  presence: PresenceClient;
  acd: AcdClient;
  stats: Redis;
  pids: Record<string, number | undefined>;
  services: { presence: ServiceProcess; acd: ServiceProcess };
  /** Presence's own event-loop delay and GC pauses (a probe preloaded into it). */
  presenceLoop: ServiceLoop;
  /** Indexes of the reps that logged in: the ones that heartbeat. */
  active: number[];
  /** Position in `active` of the next rep to heartbeat. */
  heartbeatCursor: number;
  flipper: StateFlipper;
}

function teamOf(p: PresenceParameters, i: number): string {
  return `team-${Math.floor(i / Math.ceil(p.reps / p.teams))}`;
}

function serviceMemory(b: Bench): string {
  return `presence ${describeProcessMemory(b.services.presence.child.pid!)}, acd ${describeProcessMemory(b.services.acd.child.pid!)}`;
}

function printFailures(label: string, result: { failed: number; firstError?: unknown }): void {
  if (result.failed > 0)
    console.log(`    ${label} FAILED: ${int(result.failed)} (first: ${describeError(result.firstError)})`);
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
    heading(
      `setup: ${int(p.reps)} reps log in (one team, ${p.connectionsPerRep} connection${p.connectionsPerRep > 1 ? "s" : ""} each), ${p.loginConcurrency} in flight`,
    ),
  );
  const cost = await measureRedisCost(b.stats);
  const cpu = new CpuSplit(b.pids);
  await b.presenceLoop.take();
  const loggedIn = new Uint8Array(p.reps);
  const result = await closedLoop(
    { concurrency: p.loginConcurrency, maxCount: p.reps, maxMs: p.loginMaxSeconds * 1000 },
    async (i) => {
      const response = await b.presence.login({
        siteId: b.siteId,
        repId: repId(i),
        teamIds: [teamOf(p, i)],
        connectionId: connectionId(i, 0),
      });
      if (response.rep?.state !== RepState.REP_STATE_AVAILABLE) throw new Error(`${repId(i)} is not available`);
      loggedIn[i] = 1;
    },
  );
  const cpuLine = cpu.describe();
  const perLogin = cpu.perUnit(result.done, "login");
  const loop = describeLoop("presence", await b.presenceLoop.take());
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
  console.log(`    ${loop}`);
  console.log(`    memory: ${serviceMemory(b)}`);
  note("setup: logins", `${int(result.done)} in ${ms(result.elapsedMs)} = ${int(perSecond(result))}/s`);
  note("setup: Login p50 / p99", `${ms(result.latency.summary().p50)} / ${ms(result.latency.summary().p99)}`);
  if (p.connectionsPerRep > 1) {
    const opened = await closedLoop(
      {
        concurrency: p.loginConcurrency,
        maxCount: b.active.length * (p.connectionsPerRep - 1),
        maxMs: p.loginMaxSeconds * 1000,
      },
      async (k) => {
        const rep = b.active[k % b.active.length]!;
        const desk = 1 + Math.floor(k / b.active.length);
        await b.presence.heartbeat({ siteId: b.siteId, repId: repId(rep), connectionId: connectionId(rep, desk) });
      },
    );
    console.log(
      `  opened ${int(opened.done)} further connections (first Heartbeat of each) in ${ms(opened.elapsedMs)}; ` +
        `a rep with more than one live connection gets no SetRepCapacity push on a heartbeat`,
    );
    printFailures("connections", opened);
  }
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
  console.log(
    heading(
      `Redis memory per rep (${int(n)} logged-in reps, each with ${p.connectionsPerRep} connection${p.connectionsPerRep > 1 ? "s" : ""} and deadline${p.connectionsPerRep > 1 ? "s" : ""})`,
    ),
  );
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
  rows.push([
    "acd: hq:{site}:ob",
    int(acdKeys.get("ob")?.keys ?? 0),
    bytes(acdOutboxBytes),
    bytes(acdOutboxBytes / n),
    "",
  ]);
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
  console.log(
    `  (${p.heartbeatTolerance} x ${int(p.heartbeatIntervalMs)} ms deadlines; the relay trims outbox entries 60 s after Kafka acknowledged them)`,
  );
  note("redis per rep: presence state (MEMORY USAGE)", bytes(presenceState / n));
  note("redis per rep: presence state + outbox entries", bytes((presenceState + presenceOutboxBytes) / n));
  note("redis per rep: used_memory Δ, presence + acd state", bytes((withoutOutboxes - before) / n));
  note("redis per rep: used_memory Δ, + both outboxes", bytes((after - before) / n));
}

/** Heartbeats in the real pattern: every active rep once per interval, spread evenly, in rep order. */
function heartbeatLoad(b: Bench, durationMs: number, stop?: AbortSignal) {
  const fromSchedule = new Samples();
  const fromSend = new Samples();
  const rate = (b.active.length * b.p.connectionsPerRep * 1000) / b.p.heartbeatIntervalMs;
  const t0 = performance.now();
  const windows = Array.from({ length: Math.ceil(durationMs / WINDOW_MS) }, () => new Samples());
  const run = openLoop(
    { ratePerSecond: rate, durationMs, maxInFlight: b.p.maxInFlight, drainMs: OPEN_LOOP_DRAIN_MS, stop },
    async (_i, scheduledAt) => {
      const sentAt = performance.now();
      await heartbeat(b);
      const now = performance.now();
      fromSchedule.add(now - scheduledAt);
      fromSend.add(now - sentAt);
      windows[Math.floor((scheduledAt - t0) / WINDOW_MS)]?.add(now - scheduledAt);
    },
  );
  return { rate, run, fromSchedule, fromSend, windows };
}

/**
 * The next connection in heartbeat order (every rep's first desktop, then every rep's second...); the
 * order carries on across phases, so every connection keeps its interval.
 */
function heartbeat(b: Bench) {
  const slot = b.heartbeatCursor++ % (b.active.length * b.p.connectionsPerRep);
  const rep = b.active[slot % b.active.length]!;
  const desk = Math.floor(slot / b.active.length);
  return b.presence.heartbeat({ siteId: b.siteId, repId: repId(rep), connectionId: connectionId(rep, desk) });
}

function printOpenLoop(title: string, result: OpenLoopResult, unit: string): void {
  console.log(
    `  ${title}: ${int(result.started)} ${unit} started in ${ms(result.sendMs)} = ${int((result.started * 1000) / result.sendMs)}/s achieved, ` +
      `${int(result.done)} done` +
      `${result.skipped ? `, ${int(result.skipped)} skipped (over the in-flight bound)` : ""}` +
      `${result.abandoned ? `, ${int(result.abandoned)} still running at the end` : ""}, worst start lag ${ms(result.maxStartLagMs)}`,
  );
}

/**
 * Two probes while a phase runs: a Redis PING every 10 ms from the bench (is Redis, or the machine,
 * stalling?) and the bench's own event-loop delay (is the bench late in sending?).
 */
function startProbes(stats: Redis) {
  const ping = new Samples();
  const loopDelay = monitorEventLoopDelay({ resolution: 5 });
  loopDelay.enable();
  const stop = new AbortController();
  const pinging = (async () => {
    while (!stop.signal.aborted) {
      const sent = performance.now();
      await stats.ping();
      ping.add(performance.now() - sent);
      await sleep(10);
    }
  })();
  return async (): Promise<string> => {
    stop.abort();
    await pinging;
    loopDelay.disable();
    const p = ping.summary();
    return (
      `probes: redis PING every 10 ms p50 ${ms(p.p50)} p99 ${ms(p.p99)} max ${ms(p.max)}; bench event-loop delay ` +
      `p99 ${ms(loopDelay.percentile(99) / 1e6)} max ${ms(loopDelay.max / 1e6)}`
    );
  };
}

async function sustained(b: Bench): Promise<void> {
  const { p } = b;
  const durationMs = p.sustainedSeconds * 1000;
  console.log(
    heading(
      `heartbeats sustained: ${int(b.active.length * p.connectionsPerRep)} connections every ${int(p.heartbeatIntervalMs)} ms ` +
        `+ ${p.stateChangesPerSecond} state changes/s, ${p.sustainedSeconds} s`,
    ),
  );
  if (p.warmupSeconds > 0) {
    const warm = heartbeatLoad(b, p.warmupSeconds * 1000);
    const result = await warm.run;
    const w = warm.fromSchedule.summary();
    console.log(
      `  warm-up, not counted: ${int(result.done)} heartbeats at the same rate for ${p.warmupSeconds} s right after the ` +
        `logins (relays still shipping the login events to Kafka): p50 ${ms(w.p50)} p99 ${ms(w.p99)} max ${ms(w.max)}`,
    );
  }
  const flips = new Samples();
  const cost = await measureRedisCost(b.stats);
  const cpu = new CpuSplit(b.pids);
  const probes = startProbes(b.stats);
  await b.presenceLoop.take();
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
  const probeLine = await probes();
  const loop = await b.presenceLoop.take();
  const c = await cost.finish();
  const achieved = (hb.done * 1000) / hb.elapsedMs;
  console.log(
    `  paced at ${int(heartbeats.rate)} heartbeats/s (connection i at i x ${ms(1000 / heartbeats.rate)} ` +
      `into each interval), open loop: latency counted from the scheduled send`,
  );
  printOpenLoop("heartbeats", hb, "heartbeats");
  console.log(`    heartbeats/s sustained (done ÷ time to the last completion): ${int(achieved)}`);
  console.log(`    heartbeat from scheduled send: ${latencyLine(heartbeats.fromSchedule.summary())}`);
  console.log(`    heartbeat from actual send:    ${latencyLine(heartbeats.fromSend.summary())}`);
  console.log(
    `    p99 per ${WINDOW_MS / 1000} s window: ${heartbeats.windows
      .map((w) => w.summary())
      .filter((w) => w.count > 0)
      .map((w) => ms(w.p99))
      .join(", ")}`,
  );
  printFailures("heartbeats", hb);
  printOpenLoop("state changes", sc, "SetState calls");
  console.log(`    SetState (available ↔ away/break): ${latencyLine(flips.summary())}`);
  printFailures("state changes", sc);
  console.log(`    ${describeRedis(c, hb.done + sc.done, "call")}`);
  console.log(`    ${cpuLine}`);
  console.log(`    ${perHeartbeat}`);
  console.log(`    ${probeLine}`);
  console.log(`    ${describeLoop("presence", loop)}`);
  console.log(`    memory: ${serviceMemory(b)}; bench ${benchMemory()}`);
  const h = heartbeats.fromSchedule.summary();
  const f = flips.summary();
  note("sustained: heartbeats/s", `${int(achieved)} (paced at ${int(heartbeats.rate)})`);
  note("sustained: heartbeat p50 / p99 / p999", `${ms(h.p50)} / ${ms(h.p99)} / ${ms(h.p999)}`);
  note("sustained: SetState p50 / p99", `${ms(f.p50)} / ${ms(f.p99)}`);
  if (loop) {
    const major = loop.gc["mark-compact"];
    const minor = loop.gc.scavenge;
    note("sustained: presence event-loop delay p99 / max", `${ms(loop.delay.p99)} / ${ms(loop.delay.max)}`);
    note(
      "sustained: presence GC pauses",
      `${int(major?.count ?? 0)} mark-compact (max ${ms(major?.maxMs ?? 0)}), ` +
        `${int(minor?.count ?? 0)} scavenge (max ${ms(minor?.maxMs ?? 0)})`,
    );
  }
  note("sustained: cpu (% of one core)", cpuLine.replace(/^cpu \(% of one core, \d+ cores\): /, ""));
}

async function ceiling(b: Bench): Promise<void> {
  const { p } = b;
  console.log(heading(`heartbeats, closed loop: ${p.maxConcurrency} in flight for ${p.maxSeconds} s`));
  const cost = await measureRedisCost(b.stats);
  const cpu = new CpuSplit(b.pids);
  await b.presenceLoop.take();
  const loop = { concurrency: p.maxConcurrency, maxCount: 10_000_000, maxMs: p.maxSeconds * 1000 };
  const result: LoopResult = await closedLoop(loop, async () => void (await heartbeat(b)));
  const cpuLine = cpu.describe();
  const perHeartbeat = cpu.perUnit(result.done, "heartbeat");
  const loopLine = describeLoop("presence", await b.presenceLoop.take());
  const c = await cost.finish();
  console.log(`  ${int(result.done)} heartbeats in ${ms(result.elapsedMs)} = ${int(perSecond(result))} heartbeats/s`);
  console.log(`    per heartbeat: ${latencyLine(result.latency.summary())}`);
  printFailures("heartbeats", result);
  console.log(`    ${describeRedis(c, result.done, "heartbeat")}`);
  console.log(`    ${cpuLine}`);
  console.log(`    ${perHeartbeat}`);
  console.log(`    ${loopLine}`);
  console.log(`    memory: ${serviceMemory(b)}`);
  note(`max: heartbeats/s at ${p.maxConcurrency} in flight`, int(perSecond(result)));
  note("max: script calls per heartbeat", (c.scriptCalls / result.done).toFixed(2));
  note(
    "max: redis cpu per heartbeat (INFO cpu / in functions)",
    `${us(c.cpuUsec / result.done)} / ${us(c.commandUsec / result.done)}`,
  );
  if (p.yardstickSeconds > 0) {
    // Heartbeats stop meanwhile; the yardstick is short enough to stay inside every deadline.
    const rep = repId(b.active[0]!);
    const yardCpu = new CpuSplit(b.pids);
    const yard = await closedLoop({ ...loop, maxMs: p.yardstickSeconds * 1000 }, async () => {
      await b.acd.getRepRouting({ siteId: b.siteId, repId: rep });
    });
    console.log(
      `  yardstick, same concurrency: the acd's GetRepRouting (one small read script, no onward call) from the bench: ` +
        `${int(perSecond(yard))}/s, ${latencyLine(yard.latency.summary())}`,
    );
    console.log(`    ${yardCpu.describe()}`);
    note(`yardstick: acd GetRepRouting/s at ${p.maxConcurrency} in flight`, int(perSecond(yard)));
  }
}

/**
 * One timed state change: SetState, then GetRepRouting on the acd right after it returns and every
 * `reflectPollMs` until the acd shows the new routable capacity with (at least) the new version.
 */
async function reflectOnce(b: Bench, from: number, figures: ReflectFigures): Promise<void> {
  await b.flipper.flip(async (expected) => {
    figures.setState.add(performance.now() - from);
    for (let polls = 1; ; polls++) {
      const sent = performance.now();
      const routing = await b.acd.getRepRouting({ siteId: b.siteId, repId: expected.repId });
      const now = performance.now();
      figures.poll.add(now - sent);
      if (routing.routableCapacity === expected.capacity && routing.version >= expected.version) {
        figures.reflected.add(now - from);
        figures.polls.push(polls);
        return;
      }
      if (now - from > REFLECT_TIMEOUT_MS) {
        throw new Error(`${expected.repId}: acd still shows ${routing.routableCapacity} v${routing.version}`);
      }
      await sleep(b.p.reflectPollMs);
    }
  });
}

interface ReflectFigures {
  setState: Samples;
  reflected: Samples;
  poll: Samples;
  polls: number[];
}

async function reflect(b: Bench, mode: "paced" | "closed"): Promise<void> {
  const { p } = b;
  const how =
    mode === "paced"
      ? `paced at ${int(p.reflectRate)}/s (open loop, from the scheduled send)`
      : `${p.reflectConcurrency} in flight (closed loop)`;
  console.log(
    heading(
      `state change until the acd reflects it: ${int(p.reflectChanges)} changes, ${how}` +
        `${p.reflectWithHeartbeats ? ", real heartbeat rate underneath" : ""}`,
    ),
  );
  const figures: ReflectFigures = { setState: new Samples(), reflected: new Samples(), poll: new Samples(), polls: [] };
  const background = new AbortController();
  const maxMs = p.reflectMaxSeconds * 1000;
  const heartbeats = p.reflectWithHeartbeats ? heartbeatLoad(b, maxMs, background.signal) : undefined;
  const cpu = new CpuSplit(b.pids);
  const toAway = b.flipper.toAway;
  const toAvailable = b.flipper.toAvailable;
  const result: { done: number; failed: number; elapsedMs: number; firstError?: unknown } =
    mode === "paced"
      ? await openLoop(
          {
            ratePerSecond: p.reflectRate,
            durationMs: Math.min(maxMs, (p.reflectChanges * 1000) / p.reflectRate),
            maxInFlight: p.flipPool / 2,
            drainMs: REFLECT_TIMEOUT_MS,
          },
          (_i, scheduledAt) => reflectOnce(b, scheduledAt, figures),
        )
      : await closedLoop({ concurrency: p.reflectConcurrency, maxCount: p.reflectChanges, maxMs }, () =>
          reflectOnce(b, performance.now(), figures),
        );
  background.abort();
  const hb = heartbeats ? await heartbeats.run : undefined;
  const cpuLine = cpu.describe();
  const firstPoll = figures.polls.filter((n) => n === 1).length;
  console.log(
    `  ${int(result.done)} changes in ${ms(result.elapsedMs)} = ${int((result.done * 1000) / result.elapsedMs)}/s ` +
      `(${int(b.flipper.toAway - toAway)} to away, ${int(b.flipper.toAvailable - toAvailable)} to available)`,
  );
  console.log(`    SetState sent → acd shows it: ${latencyLine(figures.reflected.summary())}`);
  console.log(`    SetState call alone:          ${latencyLine(figures.setState.summary())}`);
  console.log(`    one GetRepRouting poll:       ${latencyLine(figures.poll.summary())}`);
  console.log(
    `    the acd already showed the change on the first poll after SetState returned: ${int(firstPoll)} of ` +
      `${int(figures.polls.length)}${figures.polls.length ? `; most polls needed ${Math.max(...figures.polls)}` : ""}`,
  );
  printFailures("changes", result);
  if (hb && heartbeats) {
    printOpenLoop("heartbeats underneath", hb, "heartbeats");
    console.log(`    heartbeat from scheduled send: ${latencyLine(heartbeats.fromSchedule.summary())}`);
  }
  console.log(`    ${cpuLine}`);
  console.log(`    memory: ${serviceMemory(b)}`);
  const r = figures.reflected.summary();
  const label = mode === "paced" ? `${int(p.reflectRate)}/s paced` : `${p.reflectConcurrency} in flight`;
  note(`state change → acd, ${label}: p50 / p99 / p999`, `${ms(r.p50)} / ${ms(r.p99)} / ${ms(r.p999)}`);
  note(`state change → acd, ${label}: on first poll`, `${int(firstPoll)} of ${int(figures.polls.length)}`);
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
  onCleanup("redis client", () => Promise.resolve(stats.disconnect()));
  const pid = await redisPid(stats);
  const common = {
    REDIS_URL: infra.redisUrl,
    KAFKA_BROKERS: infra.kafkaBrokers,
    ...(p.serviceOtel ? {} : { OTEL_SDK_DISABLED: "true" }),
  };
  // A fresh broker can take a while to hand out the idempotent producer's id on a busy machine.
  const acdProcess = await startService("acd", common, 90_000);
  onCleanup("acd", () => acdProcess.stop("SIGTERM"));
  const presenceLoop = ServiceLoop.create("presence");
  const presenceProcess = await startService(
    "presence",
    {
      ...common,
      ACD_ADDRESS: `127.0.0.1:${acdProcess.grpcPort}`,
      HEARTBEAT_INTERVAL_MS: String(p.heartbeatIntervalMs),
      HEARTBEAT_TOLERANCE: String(p.heartbeatTolerance),
      ...presenceLoop.env(p.presenceNodeOptions),
    },
    90_000,
  );
  onCleanup("presence", () => presenceProcess.stop("SIGTERM").finally(() => presenceLoop.remove()));
  presenceLoop.attach(presenceProcess.child.pid!);
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
    presenceLoop,
    active: [],
    heartbeatCursor: 0,
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
  if (phases.has("reflect")) {
    if (p.reflectRate > 0) await reflect(b, "paced");
    if (p.reflectConcurrency > 0) await reflect(b, "closed");
  }
  await checkStates(b);

  note("presence memory at the end", describeProcessMemory(presenceProcess.child.pid!));
  note("acd memory at the end", describeProcessMemory(acdProcess.child.pid!));
  console.log(heading("summary (no targets in the issue; figures only)"));
  console.log(table(summary));
  console.log(`\n  bench memory at the end: ${benchMemory()}; redis used_memory ${bytes(await usedMemory(stats))}`);
  console.log(`  total run time ${ms(performance.now() - started)}`);
});
