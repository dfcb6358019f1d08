/*
 * `npm run bench:agent`: the agent API as reps live it. Customers' sessions are created through the
 * broker (gRPC CreateSession) at a paced 100 and 500 per second; reps on the agent SDK get the offer on
 * their WebSocket, accept it over HTTP and end it. Then 10,000 idle rep sockets on one broker: its
 * memory and the CPU their heartbeats cost. Starts the acd, presence and one broker as processes; prints
 * figures and never fails on them. Traffic mix and the meaning of every figure: load-tests/README.md.
 */
import { randomUUID } from "node:crypto";
import { writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import type { AgentClient, Offer } from "@handoff/agent-sdk";
import { countWarnings } from "@handoff/testing/dist/log-warnings";
import type { ServiceProcess } from "@handoff/testing/dist/service-process";
import { connectAcd, type AcdClient } from "../lib/acd-client";
import { benchTokenIssuer, type BenchTokenIssuer } from "../lib/agent-tokens";
import { parseParameters, type ScenarioSpec } from "../lib/args";
import { connectBroker, type BrokerClient } from "../lib/broker-client";
import { BENCH_TEAM, issueSubmission, oneTeamRouting } from "../lib/broker-fixtures";
import { closedLoop, openLoop, parallel, type OpenLoopResult } from "../lib/drivers";
import { onCleanup, runScenario, startBenchInfrastructure } from "../lib/infra";
import { KeyedArrivals } from "../lib/keyed-arrivals";
import { benchMemory, CpuSplit, describeProcessMemory, openFileLimit, processMemory } from "../lib/process-stats";
import { startSessionServices } from "../lib/session-services";
import { bytes, describeError, heading, int, latencyLine, ms, Samples, table, us } from "../lib/stats";

type AgentParameters = {
  phases: string;
  rates: readonly number[];
  pacedSeconds: number;
  maxInFlight: number;
  drainSeconds: number;
  reps: number;
  sessionsPerRep: number;
  acceptSessions: number;
  acceptSeconds: number;
  offerWaitMs: number;
  idleSockets: number;
  idleRepsPerSite: number;
  idleLogin: boolean;
  connectConcurrency: number;
  connectSeconds: number;
  connectWaitMs: number;
  settleSeconds: number;
  cpuWindowSeconds: number;
  serviceOtel: boolean;
  brokerLogLevel: string;
  brokerLogFile: string;
  brokerNodeOptions: string;
};

/** The named scenario "agent": the issue's benchmark. Every count and duration is a bound. */
const agentScenario: ScenarioSpec<AgentParameters> = {
  phases: { default: "idle,accept,paced", help: "which parts to run (comma list; they run in this order)" },
  rates: { default: [100, 500], help: "sessions created per second, one paced run each" },
  pacedSeconds: { default: 10, help: "duration of each paced run" },
  maxInFlight: {
    default: 200,
    help: "sessions in flight at most in a paced run: later starts are skipped and counted, so a machine that cannot keep up shows the rate it reached",
  },
  drainSeconds: { default: 12, help: "wait for the sessions still in flight after a paced run" },
  reps: { default: 200, help: "reps on the SDK taking the paced and accept runs' sessions (one site, ≤ 1,000)" },
  sessionsPerRep: { default: 5, help: "multi-session capacity of each rep (presence allows 5 by default)" },
  acceptSessions: { default: 300, help: "sessions of the one-at-a-time run at most" },
  acceptSeconds: { default: 10, help: "duration of the one-at-a-time run at most" },
  offerWaitMs: { default: 10_000, help: "a session not offered on a socket within this long counts as failed" },
  idleSockets: { default: 10_000, help: "idle rep sockets held on the broker (one rep each)" },
  idleRepsPerSite: {
    default: 1_000,
    help: "reps per site in the idle part (the broker watches at most 1,000 reps per site per replica)",
  },
  idleLogin: {
    default: false,
    help: "log each idle rep in to his team (one more HTTP call per rep; a pong costs the broker one presence call either way)",
  },
  connectConcurrency: { default: 64, help: "idle sockets opened (and logged in) at once" },
  connectSeconds: { default: 100, help: "stop opening idle sockets after this long (the rest count as not opened)" },
  connectWaitMs: { default: 15_000, help: "an idle socket not open within this long counts as failed" },
  settleSeconds: { default: 10, help: "wait after the idle sockets are open, before measuring" },
  cpuWindowSeconds: { default: 20, help: "length of each CPU window (without and with the idle sockets)" },
  serviceOtel: { default: true, help: "run the acd, presence and the broker with OpenTelemetry on (as deployed)" },
  brokerLogLevel: { default: "info", help: "LOG_LEVEL of the broker (debug logs every socket close with its code)" },
  brokerLogFile: { default: "", help: "write the broker's output to this file at the end (none when empty)" },
  brokerNodeOptions: {
    default: "",
    help: 'NODE_OPTIONS for the broker, e.g. "--cpu-prof --cpu-prof-dir=/tmp/broker-prof"',
  },
};

/**
 * The broker's settings for the run besides its infrastructure, peers and the issuer's key, set
 * explicitly (printed at start). The socket limits (heartbeat interval, sockets per rep, reps watched
 * per site) have no setting: they are the broker's defaults, and the hello frame reports them.
 */
const BROKER_SETTINGS: Record<string, string> = {
  // Every bench rep comes from 127.0.0.1: at the default 6,000/min the address would be throttled.
  HTTP_RATE_LIMIT_PER_IP_PER_MINUTE: "1000000",
  // A rep of the 500/s run makes ~2 calls per session he takes (accept, end); the default 600/min
  // would pass, but the limiter must not shape what is measured.
  AGENT_RATE_LIMIT_PER_MINUTE: "60000",
};

/** Presence's heartbeat settings: the broker's sockets ping every 10 s and each pong is a heartbeat. */
const PRESENCE_SETTINGS: Record<string, string> = { HEARTBEAT_INTERVAL_MS: "10000", HEARTBEAT_TOLERANCE: "3" };

/** One line per figure in the closing summary. */
const summary: string[][] = [["figure", "value"]];
const note = (figure: string, value: string) => void summary.push([figure, value]);

/** Close codes of every socket close the reps' clients saw (1013: replica's bound, 4002: heartbeat...). */
const closeCodes = new Map<number, number>();
const describeCloses = () =>
  closeCodes.size === 0 ? "none" : [...closeCodes].map(([code, n]) => `${code} × ${int(n)}`).join(", ");

const load = () =>
  `load average ${loadavg()
    .map((n) => n.toFixed(2))
    .join(" ")}`;

interface Rep {
  siteId: string;
  repId: string;
  client: AgentClient;
  /** Socket closes the client saw (each followed by a reconnect unless final). */
  disconnects: number;
}

interface ArrivedOffer {
  rep: Rep;
  offer: Offer;
  /** performance.now() when the SDK emitted it (the frame was read from the socket). */
  atMs: number;
}

interface Bench {
  p: AgentParameters;
  /** The SDK's client class, loaded with import(): the package is ESM with an "import" export only. */
  AgentClient: typeof AgentClient;
  acd: AcdClient;
  broker: BrokerClient;
  issuer: BenchTokenIssuer;
  baseUrl: string;
  services: { acd: ServiceProcess; presence: ServiceProcess; broker: ServiceProcess };
}

const pids = (b: Bench) => ({
  broker: b.services.broker.child.pid,
  presence: b.services.presence.child.pid,
  acd: b.services.acd.child.pid,
});

const memory = (b: Bench) =>
  `broker ${describeProcessMemory(b.services.broker.child.pid!)}, presence ` +
  `${describeProcessMemory(b.services.presence.child.pid!)}, acd ${describeProcessMemory(b.services.acd.child.pid!)}; ` +
  `bench ${benchMemory()}`;

const pair = (s: Samples) => {
  const { p50, p99 } = s.summary();
  return `${ms(p50)} / ${ms(p99)}`;
};

/** A rep's SDK client (not connected yet); `offers` gets every offer it is shown. */
function newRep(b: Bench, siteId: string, repId: string, offers?: KeyedArrivals<ArrivedOffer>): Rep {
  const client = new b.AgentClient({ baseUrl: b.baseUrl, token: () => b.issuer.repToken(siteId, repId) });
  const rep: Rep = { siteId, repId, client, disconnects: 0 };
  client.on("disconnected", ({ code }) => {
    rep.disconnects++;
    closeCodes.set(code, (closeCodes.get(code) ?? 0) + 1);
  });
  if (offers) client.on("offer", ({ offer }) => offers.put(offer.sessionId, { rep, offer, atMs: performance.now() }));
  return rep;
}

/** Opens the rep's socket, or rejects after `timeoutMs` (the SDK itself would retry for ever). */
async function connectWithin(rep: Rep, timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`socket of ${rep.repId} not open within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    await Promise.race([rep.client.connect(), timeout]);
  } catch (error) {
    rep.client.close();
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

/** The broker's hello frame as a raw socket sees it: the heartbeat interval and limits it applies. */
async function brokerHello(b: Bench, siteId: string): Promise<Record<string, unknown>> {
  const token = await b.issuer.repToken(siteId, "hello-probe");
  const socket = new WebSocket(`${b.baseUrl.replace(/^http/, "ws")}/v1/socket`, ["handoff.v1", `bearer.${token}`]);
  try {
    return await new Promise((resolve, reject) => {
      setTimeout(() => reject(new Error("no hello from the broker within 5 s")), 5_000).unref();
      socket.addEventListener("message", (event) => resolve(JSON.parse(String(event.data)) as Record<string, unknown>));
      socket.addEventListener("close", (event) => reject(new Error(`socket closed ${event.code} ${event.reason}`)));
    });
  } finally {
    socket.close();
  }
}

/** A site with team t1 of `count` reps on the SDK: connected, logged in, multi-session, available. */
async function repsOnline(b: Bench, offers: KeyedArrivals<ArrivedOffer>): Promise<{ siteId: string; reps: Rep[] }> {
  const siteId = `bench-agent-paced-${randomUUID().slice(0, 8)}`;
  const repIds = Array.from({ length: b.p.reps }, (_, i) => `rep-${i}`);
  await b.acd.putRoutingConfig({ siteId, config: oneTeamRouting(repIds) });
  const reps = repIds.map((repId) => newRep(b, siteId, repId, offers));
  onCleanup("paced reps", () => Promise.resolve(reps.forEach((rep) => rep.client.close())));
  await parallel(reps.length, 32, async (i) => {
    const { client } = reps[i]!;
    await connectWithin(reps[i]!, b.p.connectWaitMs);
    await client.login([BENCH_TEAM]);
    if (b.p.sessionsPerRep > 1) await client.setCapacity("multi", b.p.sessionsPerRep);
    await client.setState("available");
  });
  return { siteId, reps };
}

interface CycleFigures {
  /** Enqueue → offer on the socket, from the scheduled start (open loop) or the send. */
  offerFromSchedule: Samples;
  offerFromSend: Samples;
  create: Samples;
  accept: Samples;
  end: Samples;
}

const cycleFigures = (): CycleFigures => ({
  offerFromSchedule: new Samples(),
  offerFromSend: new Samples(),
  create: new Samples(),
  accept: new Samples(),
  end: new Samples(),
});

/**
 * One session's life as a rep sees it: the customer's CreateSession, the offer on a rep's socket, his
 * HTTP accept (the SDK's acceptOffer, answered once the assignment is committed) and end.
 */
async function sessionCycle(
  b: Bench,
  siteId: string,
  offers: KeyedArrivals<ArrivedOffer>,
  figures: CycleFigures,
  scheduledAt: number,
): Promise<void> {
  const sentAt = performance.now();
  const created = await b.broker.createSession(issueSubmission(siteId));
  figures.create.add(performance.now() - sentAt);
  const sessionId = created.session!.sessionId;
  const arrived = await offers.take(sessionId, b.p.offerWaitMs);
  if (!arrived) throw new Error(`session ${sessionId} was not offered on any socket within ${b.p.offerWaitMs} ms`);
  figures.offerFromSchedule.add(arrived.atMs - scheduledAt);
  figures.offerFromSend.add(arrived.atMs - sentAt);
  const acceptAt = performance.now();
  await arrived.rep.client.acceptOffer(sessionId, arrived.offer.epoch);
  const endAt = performance.now();
  figures.accept.add(endAt - acceptAt);
  await arrived.rep.client.end(sessionId, "resolved");
  figures.end.add(performance.now() - endAt);
}

/** The broker's warnings and errors so far, counted by message (pino's JSON lines: level 40 and above). */
function brokerWarnings(b: Bench): string {
  const counts = countWarnings(b.services.broker.output);
  if (counts.size === 0) return "none";
  return [...counts]
    .sort((x, y) => y[1] - x[1])
    .slice(0, 5)
    .map(([msg, n]) => `"${msg}" × ${int(n)}`)
    .join(", ");
}

function printFailures(label: string, result: { failed: number; firstError?: unknown }): void {
  if (result.failed > 0)
    console.log(`    ${label} FAILED: ${int(result.failed)} (first: ${describeError(result.firstError)})`);
}

/** Part 3: sessions at a paced rate, each offered on a socket, accepted and ended by its rep. */
async function pacedRuns(b: Bench, siteId: string, offers: KeyedArrivals<ArrivedOffer>): Promise<void> {
  console.log(heading("3. enqueue → offer on the rep's WebSocket, paced (CreateSession → offer → accept → end)"));
  const rows: string[][] = [
    ["target/s", "started/s", "completed/s", "enqueue→offer p50/p99", "accept p50/p99", "create p50/p99", "failed"],
  ];
  for (const rate of b.p.rates) {
    const figures = cycleFigures();
    const cpu = new CpuSplit(pids(b));
    const result: OpenLoopResult = await openLoop(
      {
        ratePerSecond: rate,
        durationMs: b.p.pacedSeconds * 1000,
        maxInFlight: b.p.maxInFlight,
        drainMs: b.p.drainSeconds * 1000,
      },
      (_i, scheduledAt) => sessionCycle(b, siteId, offers, figures, scheduledAt),
    );
    const startedPerSecond = (result.started * 1000) / result.sendMs;
    const completedPerSecond = (result.done * 1000) / result.elapsedMs;
    // Starting at the rate is the bench's part; the system sustained it only if the sessions also finished.
    const sustained = completedPerSecond >= 0.95 * rate && result.failed + result.skipped + result.abandoned === 0;
    console.log(
      `  target ${int(rate)}/s for ${b.p.pacedSeconds} s: started ${int(result.started)} (${int(startedPerSecond)}/s), ` +
        `completed ${int(result.done)} (${int(completedPerSecond)}/s to the last completion), failed ` +
        `${int(result.failed)}, skipped ${int(result.skipped)}, abandoned ${int(result.abandoned)}, worst start lag ` +
        `${ms(result.maxStartLagMs)}${sustained ? "" : ` — NOT SUSTAINED on this machine: ${int(completedPerSecond)}/s completed`}`,
    );
    console.log(`    enqueue→offer (from schedule) ${latencyLine(figures.offerFromSchedule.summary())}`);
    console.log(`    enqueue→offer (from send)     ${latencyLine(figures.offerFromSend.summary())}`);
    console.log(`    CreateSession                 ${latencyLine(figures.create.summary())}`);
    console.log(`    accept round trip (SDK, HTTP) ${latencyLine(figures.accept.summary())}`);
    console.log(`    end (SDK, HTTP)               ${latencyLine(figures.end.summary())}`);
    console.log(`    ${cpu.describe()}; ${cpu.perUnit(Math.max(1, result.done), "session")}`);
    console.log(`    ${load()}; memory: ${memory(b)}`);
    printFailures("cycle", result);
    rows.push([
      int(rate),
      int(startedPerSecond),
      int(completedPerSecond),
      pair(figures.offerFromSchedule),
      pair(figures.accept),
      pair(figures.create),
      int(result.failed),
    ]);
    const offer = figures.offerFromSchedule.summary();
    const accept = figures.accept.summary();
    note(
      `enqueue→offer at ${int(rate)}/s (${int(completedPerSecond)}/s completed)`,
      `p50 ${ms(offer.p50)}, p99 ${ms(offer.p99)}`,
    );
    note(`accept round trip at ${int(rate)}/s`, `p50 ${ms(accept.p50)}, p99 ${ms(accept.p99)}`);
    note(`completed sessions/s at ${int(rate)}/s`, `${int(completedPerSecond)} (${int(result.failed)} failed)`);
  }
  console.log(table(rows));
}

/** Part 2: one session at a time, so the accept round trip and the offer path show without queueing. */
async function oneAtATime(b: Bench, siteId: string, offers: KeyedArrivals<ArrivedOffer>): Promise<void> {
  console.log(heading("2. accept round trip, one session at a time (CreateSession → offer → accept → end)"));
  const figures = cycleFigures();
  const cpu = new CpuSplit(pids(b));
  const result = await closedLoop(
    { concurrency: 1, maxCount: b.p.acceptSessions, maxMs: b.p.acceptSeconds * 1000 },
    () => sessionCycle(b, siteId, offers, figures, performance.now()),
  );
  console.log(`  ${int(result.done)} sessions, ${int((result.done * 1000) / result.elapsedMs)}/s`);
  console.log(`    accept round trip (SDK, HTTP) ${latencyLine(figures.accept.summary())}`);
  console.log(`    enqueue→offer                 ${latencyLine(figures.offerFromSend.summary())}`);
  console.log(`    CreateSession                 ${latencyLine(figures.create.summary())}`);
  console.log(`    end (SDK, HTTP)               ${latencyLine(figures.end.summary())}`);
  console.log(`    ${cpu.describe()}; ${cpu.perUnit(Math.max(1, result.done), "session")}`);
  console.log(`    ${load()}`);
  printFailures("cycle", result);
  const accept = figures.accept.summary();
  const offer = figures.offerFromSend.summary();
  note("accept round trip, one at a time", `p50 ${ms(accept.p50)}, p99 ${ms(accept.p99)}`);
  note("enqueue→offer, one at a time", `p50 ${ms(offer.p50)}, p99 ${ms(offer.p99)}`);
}

/** `count` reps with no socket yet, spread over sites of `perSite` (the broker's bound of reps watched per site). */
async function idleReps(b: Bench, count: number, perSite: number): Promise<Rep[]> {
  const reps: Rep[] = [];
  for (let site = 0; site * perSite < count; site++) {
    const siteId = `bench-agent-idle-${site}-${randomUUID().slice(0, 8)}`;
    const repIds = Array.from({ length: Math.min(perSite, count - site * perSite) }, (_, i) => `rep-${i}`);
    await b.acd.putRoutingConfig({ siteId, config: oneTeamRouting(repIds) });
    for (const repId of repIds) reps.push(newRep(b, siteId, repId));
  }
  onCleanup("idle reps", () => Promise.resolve(reps.forEach((rep) => rep.client.close())));
  return reps;
}

/** Opens every rep's socket (and logs him in when asked), `connectConcurrency` at once, until `connectSeconds`. */
async function openIdleSockets(b: Bench, reps: readonly Rep[]) {
  const opening = new Samples();
  const login = new Samples();
  const result = { opened: 0, failed: 0, notTried: 0, firstError: undefined as unknown, ms: 0, opening, login };
  const started = performance.now();
  const deadline = started + b.p.connectSeconds * 1000;
  await parallel(reps.length, b.p.connectConcurrency, async (i) => {
    if (performance.now() > deadline) return void result.notTried++;
    const rep = reps[i]!;
    try {
      const t0 = performance.now();
      await connectWithin(rep, b.p.connectWaitMs);
      const t1 = performance.now();
      opening.add(t1 - t0);
      if (b.p.idleLogin) {
        await rep.client.login([BENCH_TEAM]);
        login.add(performance.now() - t1);
      }
      result.opened++;
    } catch (error) {
      result.failed++;
      result.firstError ??= error;
    }
  });
  result.ms = performance.now() - started;
  return result;
}

/** Part 1: idle rep sockets on the one broker: its memory, and its CPU with and without them. */
async function idleSockets(b: Bench, heartbeatMs: number): Promise<void> {
  console.log(heading(`1. ${int(b.p.idleSockets)} idle rep sockets on one broker`));
  const fdLimit = openFileLimit();
  // The bench holds one end of every socket and the broker (same limit, inherited) the other.
  const count = Math.min(b.p.idleSockets, fdLimit - 1_000);
  if (count < b.p.idleSockets)
    console.log(
      `  open-file limit ${int(fdLimit)}: only ${int(count)} sockets (\`ulimit -n ${b.p.idleSockets + 2_000}\`)`,
    );
  const reps = await idleReps(b, count, b.p.idleRepsPerSite);
  console.log(
    `  ${int(count)} reps with one socket each, ≤ ${int(b.p.idleRepsPerSite)} reps per site; open-file limit ` +
      `${int(fdLimit)}; ${b.p.idleLogin ? "each logged in to his team" : "not logged in"}; the broker pings ` +
      `every ${ms(heartbeatMs)}`,
  );

  const brokerPid = b.services.broker.child.pid!;
  const before = processMemory(brokerPid)?.rss ?? Number.NaN;
  console.log(`  broker before: ${describeProcessMemory(brokerPid)}; ${b.p.cpuWindowSeconds} s without sockets...`);
  const baseline = new CpuSplit(pids(b));
  await sleep(b.p.cpuWindowSeconds * 1000);
  const idle = baseline.usage();
  console.log(`    ${baseline.describe()}; ${load()}`);

  const opening = new CpuSplit(pids(b));
  const opened = await openIdleSockets(b, reps);
  const openRate = (opened.opened * 1000) / opened.ms;
  console.log(
    `  opened${b.p.idleLogin ? " and logged in" : ""} ${int(opened.opened)} sockets in ${ms(opened.ms)} ` +
      `(${int(openRate)}/s, ${b.p.connectConcurrency} at once); failed ${int(opened.failed)}, not tried in ` +
      `${b.p.connectSeconds} s ${int(opened.notTried)}` +
      (opened.failed > 0 ? ` (first: ${describeError(opened.firstError)})` : ""),
  );
  console.log(`    socket open (upgrade → hello) ${latencyLine(opened.opening.summary())}`);
  console.log(`    ${opening.describe()}; ${opening.perUnit(Math.max(1, opened.opened), "socket")}`);
  if (b.p.idleLogin) console.log(`    login (SDK, HTTP)             ${latencyLine(opened.login.summary())}`);
  await sleep(b.p.settleSeconds * 1000);
  const connected = processMemory(brokerPid)?.rss ?? Number.NaN;
  console.log(
    `  broker ${b.p.settleSeconds} s later: ${describeProcessMemory(brokerPid)}; ${b.p.cpuWindowSeconds} s with them...`,
  );

  // A stalled bench would miss the broker's pings and lose sockets of its own making: watch its loop.
  const benchLoop = monitorEventLoopDelay({ resolution: 10 });
  benchLoop.enable();
  const window = new CpuSplit(pids(b));
  const closesBefore = reps.reduce((n, rep) => n + rep.disconnects, 0);
  await sleep(b.p.cpuWindowSeconds * 1000);
  const held = window.usage();
  benchLoop.disable();
  const open = reps.filter((rep) => rep.client.connectionId !== undefined).length;
  const closes = reps.reduce((n, rep) => n + rep.disconnects, 0) - closesBefore;
  console.log(`    ${window.describe()}; ${load()}`);
  const after = processMemory(brokerPid)?.rss ?? Number.NaN;

  const percent = (usage: typeof idle, name: string) => (100 * usage.cpuSeconds[name]!) / usage.wallSeconds;
  const brokerIdle = percent(idle, "broker");
  const brokerHeld = percent(held, "broker");
  const heartbeatsPerSecond = (open * 1000) / heartbeatMs;
  const perHeartbeat = ((brokerHeld - brokerIdle) / 100 / heartbeatsPerSecond) * 1e6;
  const growth = connected - before;
  console.log(
    table(
      [
        ["broker", "without sockets", `with ${int(open)} sockets`, "Δ"],
        ["RSS", bytes(before), `${bytes(connected)} (${bytes(after)} at the end)`, bytes(growth)],
        [
          "CPU, % of one core",
          `${brokerIdle.toFixed(1)}%`,
          `${brokerHeld.toFixed(1)}%`,
          `${(brokerHeld - brokerIdle).toFixed(1)}%`,
        ],
      ],
      "    ",
    ),
  );
  console.log(
    `    per socket ${bytes(growth / open)} of broker RSS; ${int(heartbeatsPerSecond)} heartbeats/s (each a ping/pong ` +
      `and a presence Heartbeat call, beside the SDK's own ping every ${ms(heartbeatMs)}) cost ${us(perHeartbeat)} ` +
      `of broker CPU each; presence +${(percent(held, "presence") - percent(idle, "presence")).toFixed(1)}% of a core`,
  );
  console.log(
    `    sockets open at the end ${int(open)} of ${int(opened.opened)}; closes in the window ${int(closes)}; ` +
      `closes since the first socket opened, by code: ${describeCloses()}; bench event-loop delay in the window ` +
      `p99 ${ms(benchLoop.percentile(99) / 1e6)}, max ${ms(benchLoop.max / 1e6)}`,
  );
  console.log(`    memory: ${memory(b)}`);
  note(
    `broker RSS, ${int(open)} idle sockets`,
    `${bytes(before)} → ${bytes(connected)} (${bytes(growth / open)}/socket)`,
  );
  note(
    `broker CPU, heartbeats every ${ms(heartbeatMs)}`,
    `+${(brokerHeld - brokerIdle).toFixed(1)}% of a core (${brokerIdle.toFixed(1)}% → ${brokerHeld.toFixed(1)}%), ` +
      `${us(perHeartbeat)}/heartbeat`,
  );
  note("idle sockets opened/s", `${int(openRate)} (${int(opened.failed)} failed, ${int(opened.notTried)} not tried)`);
  for (const rep of reps) rep.client.close();
}

runScenario(async () => {
  const started = performance.now();
  const p = parseParameters("agent", agentScenario);
  const phases = new Set(p.phases.split(","));
  console.log(heading("setup"));
  console.log(`  ${load()}`);
  // A Redis of its own, so that this broker leads (relays its outbox); Kafka and PostgreSQL from the
  // environment when given.
  const infra = await startBenchInfrastructure({ kafka: true, postgres: true, privateRedis: true });
  const issuer = await benchTokenIssuer();
  const services = await startSessionServices(infra, {
    otel: p.serviceOtel,
    presence: true,
    presenceEnv: PRESENCE_SETTINGS,
    brokerEnv: { ...issuer.brokerEnv, ...BROKER_SETTINGS, LOG_LEVEL: p.brokerLogLevel },
    brokerNodeOptions: p.brokerNodeOptions,
  });
  const acd = connectAcd(`127.0.0.1:${services.acd.grpcPort}`);
  const broker = connectBroker(`127.0.0.1:${services.broker.grpcPort}`);
  onCleanup("clients", () => Promise.resolve(void (acd.close(), broker.close())));
  const b: Bench = {
    p,
    AgentClient: (await import("@handoff/agent-sdk")).AgentClient,
    acd,
    broker,
    issuer,
    baseUrl: `http://127.0.0.1:${services.broker.httpPort}`,
    services: { acd: services.acd, presence: services.presence!, broker: services.broker },
  };
  const hello = await brokerHello(b, "bench-agent-probe");
  const heartbeatMs = Number(hello.heartbeatMs);
  console.log(
    `  acd pid ${services.acd.child.pid}, presence pid ${services.presence!.child.pid}, session-broker pid ` +
      `${services.broker.child.pid} (OpenTelemetry ${p.serviceOtel ? "on" : "off"})`,
  );
  console.log(
    `  broker settings: ${Object.entries(BROKER_SETTINGS)
      .map(([name, value]) => `${name}=${value}`)
      .join(" ")} LOG_LEVEL=${p.brokerLogLevel}, AGENT_JWT_ISSUER/AUDIENCE/PUBLIC_KEY = a key of this run (ES256)`,
  );
  console.log(
    `  presence settings: ${Object.entries(PRESENCE_SETTINGS)
      .map(([name, value]) => `${name}=${value}`)
      .join(" ")}`,
  );
  console.log(
    `  broker's socket (its hello frame): heartbeat every ${ms(heartbeatMs)}, limits ${JSON.stringify(hello.limits)}`,
  );
  console.log(`  memory: ${memory(b)}`);
  // The broker leads once it holds the lock in its own Redis: give its election a moment.
  await sleep(2_000);

  // The idle part runs first, on a broker no load has warmed or left a backlog in; the one-at-a-time
  // accepts before the paced runs, whose overload (if any) the broker works off long after the bench gives up.
  if (phases.has("idle")) {
    await idleSockets(b, heartbeatMs);
    // The closed sockets' Disconnects reach presence after the broker's grace (5 s).
    await sleep(7_000);
  }
  if (phases.has("paced") || phases.has("accept")) {
    const offers = new KeyedArrivals<ArrivedOffer>();
    const online = performance.now();
    const { siteId, reps } = await repsOnline(b, offers);
    console.log(
      `\n  ${int(reps.length)} reps on the SDK connected, logged in, capacity ${p.sessionsPerRep}, available in ` +
        `${ms(performance.now() - online)}`,
    );
    if (phases.has("accept")) await oneAtATime(b, siteId, offers);
    if (phases.has("paced")) await pacedRuns(b, siteId, offers);
    offers.close();
    for (const rep of reps) rep.client.close();
    console.log(`  offers no session waited for: ${int(offers.unclaimed + offers.dropped)} of ${int(offers.received)}`);
  }

  console.log(heading("summary (figures only; nothing is asserted)"));
  console.log(table(summary));
  console.log(`\n  broker warnings and errors (most frequent): ${brokerWarnings(b)}`);
  if (p.brokerLogFile) writeFileSync(p.brokerLogFile, `${b.services.broker.output.join("\n")}\n`);
  console.log(`  reps' socket closes by code: ${describeCloses()}`);
  console.log(`\n  ${load()}; memory at the end: ${memory(b)}`);
  console.log(`  total run time ${ms(performance.now() - started)}`);
});
