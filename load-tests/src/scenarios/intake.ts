/*
 * `npm run bench:intake`: the public portal measured end to end: sessions started per second through
 * intake → session-broker → acd (1, 16 and 64 clients), start→offer p50/p99, and 10,000 waiting
 * customers on live streams while a rep serves the head of their queue: position frames delivered per
 * second and intake's memory. Starts the acd, one broker and one intake as processes; prints figures
 * and never fails on them. Traffic mix and the meaning of every figure: load-tests/README.md.
 */
import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { Actor } from "@handoff/proto/common";
import { startService, type ServiceProcess } from "@handoff/testing/dist/service-process";
import { testIssuer, type TestIssuer } from "@handoff/testing/dist/test-issuer";
import { connectAcd, OfferLog, type AcdClient } from "../lib/acd-client";
import { parseParameters, type ScenarioSpec } from "../lib/args";
import { connectBroker, type BrokerClient } from "../lib/broker-client";
import { BENCH_PROBLEM_TYPE, BENCH_TEAM, oneTeamRouting } from "../lib/broker-fixtures";
import { closedLoop, parallel, perSecond } from "../lib/drivers";
import { onCleanup, runScenario, startBenchInfrastructure } from "../lib/infra";
import { benchMemory, CpuSplit, describeProcessMemory, openFileLimit } from "../lib/process-stats";
import { startSessionServices } from "../lib/session-services";
import { SseStreams } from "../lib/sse-streams";
import { describeError, heading, int, latencyLine, ms, Samples, table } from "../lib/stats";

type IntakeParameters = {
  phases: string;
  clients: readonly number[];
  startSeconds: number;
  startMaxSessions: number;
  reps: number;
  waiting: number;
  openConcurrency: number;
  fillSeconds: number;
  serveSeconds: number;
  maxServes: number;
  quietMs: number;
  offerWaitMs: number;
  serviceOtel: boolean;
};

/** The named scenario "intake": the issue's benchmark. Every count and duration is a bound. */
const intakeScenario: ScenarioSpec<IntakeParameters> = {
  phases: { default: "start,streams", help: "which parts to run (comma list)" },
  clients: { default: [1, 16, 64], help: "concurrent portal clients, one closed-loop run each" },
  startSeconds: { default: 5, help: "duration of each start run" },
  startMaxSessions: { default: 10_000, help: "sessions per start run at most" },
  reps: { default: 200, help: "reps at capacity 1 serving the start runs" },
  waiting: { default: 10_000, help: "waiting customers on live streams (part 2)" },
  openConcurrency: { default: 16, help: "sessions started and streams opened at once while filling part 2" },
  fillSeconds: {
    default: 240,
    help: "starting the waiting sessions, and opening their streams, stop after this long each",
  },
  serveSeconds: { default: 20, help: "how long the rep serves the head of the queue in part 2" },
  maxServes: { default: 2_000, help: "sessions served in part 2 at most" },
  quietMs: { default: 2_000, help: "after serving, frames are counted until none came for this long (≤ 30 s)" },
  offerWaitMs: { default: 10_000, help: "a session not offered within this long counts as failed" },
  serviceOtel: { default: true, help: "run the services with OpenTelemetry on (as deployed)" },
};

/** One line per figure in the closing summary. */
const summary: string[][] = [["figure", "value"]];
const note = (figure: string, value: string) => void summary.push([figure, value]);

const AGREEMENT = "2026-01";
const repId = (i: number) => `rep-${i}`;

interface Bench {
  p: IntakeParameters;
  acd: AcdClient;
  broker: BrokerClient;
  admin: TestIssuer;
  intake: ServiceProcess;
  publicUrl: string;
  adminUrl: string;
  pids: Record<string, number | undefined>;
}

const memory = (b: Bench) =>
  `intake ${describeProcessMemory(b.pids.intake!)}, broker ${describeProcessMemory(b.pids.broker!)}, ` +
  `acd ${describeProcessMemory(b.pids.acd!)}`;

/** A site as its admin sets it up through intake (routing forwarded to the acd, then the portal), with reps told to the acd as presence would. */
async function setUpSite(b: Bench, name: string, reps: number, capacity: number): Promise<string> {
  const siteId = `bench-intake-${name}-${randomUUID().slice(0, 8)}`;
  const token = await b.admin.token(siteId, "bench-admin", ["admin"]);
  const put = async (path: string, body: unknown) => {
    const response = await fetch(`${b.adminUrl}${path}`, {
      method: "PUT",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    if (response.status !== 200) throw new Error(`${path}: ${response.status} ${await response.text()}`);
  };
  const ids = Array.from({ length: reps }, (_, i) => repId(i));
  await b.acd.putRoutingConfig({ siteId, config: oneTeamRouting(ids) });
  await put("/v1/admin/portal-config", {
    expectedVersion: 0,
    config: {
      startMethods: { repList: false, issueForm: true, sessionKey: false, clientModes: ["click_to_chat"] },
      problemTypes: [BENCH_PROBLEM_TYPE],
      agreement: { version: AGREEMENT, text: "I let the rep see my screen." },
      messages: { greeting: "You are number {{position}}.", hold: "Still {{position}}.", holdIntervalSeconds: 3_600 },
    },
  });
  await parallel(ids.length, 32, (i) => setCapacity(b, siteId, ids[i]!, capacity, 1));
  return siteId;
}

const setCapacity = (b: Bench, siteId: string, rep: string, capacity: number, version: number) =>
  b.acd.setRepCapacity({
    siteId,
    repId: rep,
    teamIds: [BENCH_TEAM],
    skills: [],
    routableCapacity: capacity,
    version,
    connected: true,
  });

interface Started {
  sessionId: string;
  customerToken: string;
}

/** A customer's start through the public portal API (issue form), as the widget sends it. */
async function startSession(b: Bench, siteId: string): Promise<Started> {
  const response = await fetch(`${b.publicUrl}/v1/sites/${siteId}/sessions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      method: "issue",
      problemTypeId: BENCH_PROBLEM_TYPE,
      customer: { name: "Bench Customer", company: "Acme", description: "The printer jams." },
      consent: { agreementAccepted: true, agreementVersion: AGREEMENT, recordingAllowed: false },
    }),
  });
  const body = (await response.json()) as Started;
  if (response.status !== 201) throw new Error(`start: ${response.status} ${JSON.stringify(body)}`);
  return body;
}

/** Part 1: start → offer (on the acd's stream, as the broker's agent API gets it) → accept → end. */
async function starts(b: Bench): Promise<void> {
  console.log(heading("1. start through intake → broker → acd, then offer → accept → end"));
  const siteId = await setUpSite(b, "start", b.p.reps, 1);
  const offers = new OfferLog(
    b.acd,
    siteId,
    Array.from({ length: b.p.reps }, (_, i) => repId(i)),
  );
  onCleanup("offer stream", () => Promise.resolve(offers.close()));
  await offers.subscribed;
  const rows: string[][] = [["clients", "sessions/s", "start p50/p99", "start→offer p50/p99", "failed"]];
  for (const clients of b.p.clients) {
    const start = new Samples();
    const offer = new Samples();
    const cpu = new CpuSplit(b.pids);
    const result = await closedLoop(
      { concurrency: clients, maxCount: b.p.startMaxSessions, maxMs: b.p.startSeconds * 1_000 },
      async () => {
        const t0 = performance.now();
        const { sessionId } = await startSession(b, siteId);
        start.add(performance.now() - t0);
        const received = await offers.take(sessionId, b.p.offerWaitMs);
        if (!received) throw new Error(`session ${sessionId} was not offered in ${b.p.offerWaitMs} ms`);
        offer.add(received.atMs - t0);
        const { repId: rep, epoch } = received.offer;
        await b.broker.acceptSessionOffer({ siteId, sessionId, repId: rep, epoch });
        await b.broker.closeSession({
          siteId,
          sessionId,
          requester: { actor: Actor.ACTOR_REP, id: rep, customerToken: "" },
          reason: 0,
          abandonReason: 0,
        });
      },
    );
    const pair = (s: Samples) => `${ms(s.summary().p50)} / ${ms(s.summary().p99)}`;
    rows.push([String(clients), int(perSecond(result)), pair(start), pair(offer), int(result.failed)]);
    console.log(`  ${clients} clients: ${int(perSecond(result))} sessions/s (start → offer → accept → end)`);
    console.log(`    start        ${latencyLine(start.summary())}`);
    console.log(`    start→offer  ${latencyLine(offer.summary())}`);
    console.log(`    ${cpu.describe()}; ${cpu.perUnit(Math.max(1, result.done), "session")}`);
    if (result.failed > 0)
      console.log(`    FAILED: ${int(result.failed)} (first: ${describeError(result.firstError)})`);
    note(`sessions/s, ${clients} clients`, int(perSecond(result)));
    note(`start→offer, ${clients} clients`, `p50 ${ms(offer.summary().p50)}, p99 ${ms(offer.summary().p99)}`);
  }
  console.log(table(rows));
  offers.close();
  console.log(`  memory: ${memory(b)}`);
}

/** Part 2: `waiting` customers on live streams while one rep serves the head of their queue. */
async function liveStreams(b: Bench): Promise<void> {
  console.log(heading(`2. ${int(b.p.waiting)} waiting customers on live streams, one rep serving the head`));
  const rep = repId(0);
  const siteId = await setUpSite(b, "streams", 1, 0);
  const offers = new OfferLog(b.acd, siteId, [rep]);
  onCleanup("offer stream (part 2)", () => Promise.resolve(offers.close()));
  await offers.subscribed;

  let started = performance.now();
  const customers: Started[] = [];
  const fill = { concurrency: b.p.openConcurrency, maxCount: b.p.waiting, maxMs: b.p.fillSeconds * 1_000 };
  const filled = await closedLoop(fill, async () => void customers.push(await startSession(b, siteId)));
  console.log(
    `  ${int(customers.length)} sessions started in ${ms(performance.now() - started)} (all waiting; ` +
      `${int(filled.failed)} starts failed${filled.failed ? `, first: ${describeError(filled.firstError)}` : ""})`,
  );
  const before = describeProcessMemory(b.pids.intake!);

  const streams = new SseStreams();
  onCleanup("live streams", () => Promise.resolve(streams.close()));
  started = performance.now();
  const opened = await closedLoop({ ...fill, maxCount: customers.length }, (i) =>
    streams.open(
      `${b.publicUrl}/v1/sites/${siteId}/sessions/${customers[i]!.sessionId}/events`,
      customers[i]!.customerToken,
    ),
  );
  console.log(
    `  ${int(streams.held)} streams open in ${ms(performance.now() - started)} (${int(opened.failed)} refused); ` +
      `intake before ${before}, with the streams ${describeProcessMemory(b.pids.intake!)}`,
  );
  await sleep(1_000);
  const idleFrames = streams.positions;

  // The rep serves: every serve moves everyone behind the head up by one.
  const cpu = new CpuSplit(b.pids);
  const framesAtStart = streams.positions;
  started = performance.now();
  const deadline = started + b.p.serveSeconds * 1_000;
  let served = 0;
  let version = 2;
  await setCapacity(b, siteId, rep, 1, version++);
  // The rep takes whatever the acd offers next: the head of the queue, which is not necessarily the
  // first start to be answered (starts ran concurrently).
  while (served < b.p.maxServes && performance.now() < deadline) {
    const received = await offers.takeNext(b.p.offerWaitMs);
    if (!received) {
      console.log(`    no offer within ${ms(b.p.offerWaitMs)} after ${int(served)} serves: serving stopped`);
      break;
    }
    const { sessionId } = received.offer;
    await b.broker.acceptSessionOffer({ siteId, sessionId, repId: rep, epoch: received.offer.epoch });
    await b.broker.closeSession({
      siteId,
      sessionId,
      requester: { actor: Actor.ACTOR_REP, id: rep, customerToken: "" },
      reason: 0,
      abandonReason: 0,
    });
    served++;
  }
  const serveMs = performance.now() - started;
  await setCapacity(b, siteId, rep, 0, version++);
  const framesWhileServing = streams.positions - framesAtStart;
  // What is still on its way: counted until the streams were quiet for quietMs (at most 30 s).
  const drainDeadline = performance.now() + 30_000;
  while (performance.now() - Math.max(streams.lastPositionAtMs, started + serveMs) < b.p.quietMs) {
    if (performance.now() > drainDeadline) break;
    await sleep(100);
  }
  const total = streams.positions - framesAtStart;
  const totalMs = Math.max(serveMs, streams.lastPositionAtMs - started);
  // Each serve moves every customer still waiting behind the head up by one place.
  const moves = Array.from({ length: served }, (_, i) => customers.length - i - 1).reduce((a, n) => a + n, 0);
  console.log(
    `  served ${int(served)} sessions in ${ms(serveMs)} (${((served * 1_000) / serveMs).toFixed(1)}/s); ` +
      `position frames: ${int(framesWhileServing)} while serving, ${int(total)} until quiet ` +
      `(${ms(totalMs)} from the first serve)`,
  );
  const rate = (total * 1_000) / totalMs;
  console.log(
    `  position updates delivered: ${int(rate)}/s; frames ÷ place changes ${int(total)} / ${int(moves)} ` +
      `(an estimate change alone is a frame too; serves read at once show as one jump); ` +
      `${int(idleFrames)} frames before serving; ` +
      `${int(streams.ended)} streams ended early`,
  );
  console.log(`    ${cpu.describe()}; ${cpu.perUnit(Math.max(1, total), "frame")}`);
  console.log(`  memory with ${int(streams.held)} streams: ${memory(b)}`);
  note(`position updates delivered/s (${int(streams.held)} streams)`, int(rate));
  note("serves/s while streaming", ((served * 1_000) / serveMs).toFixed(1));
  note(`intake RSS with ${int(streams.held)} streams`, describeProcessMemory(b.pids.intake!));
  streams.close();
  offers.close();
}

runScenario(async () => {
  const started = performance.now();
  const p = parseParameters("intake", intakeScenario);
  const phases = new Set(p.phases.split(","));
  console.log(heading("setup"));
  const infra = await startBenchInfrastructure({ kafka: true, postgres: true, privateRedis: true });
  if (!infra.kafkaBrokers || !infra.databaseUrl) throw new Error("intake needs Kafka and PostgreSQL");
  const { acd: acdService, broker: brokerService } = await startSessionServices(infra, {
    otel: p.serviceOtel,
    presence: false,
    // One broker holds every customer's feed here; a deployment spreads them over replicas.
    brokerEnv: {
      MAX_LIVE_FEEDS: String(Math.max(5_000, p.waiting + 1_000)),
      MAX_STREAMS_PER_CALLER: String(Math.max(5_000, p.waiting + 1_000)),
    },
  });
  const admin = await testIssuer("ADMIN");
  const intake = await startService(
    "intake",
    {
      DATABASE_URL: infra.databaseUrl,
      KAFKA_BROKERS: infra.kafkaBrokers,
      REDIS_URL: infra.redisUrl,
      KAFKA_CONSUMER_GROUP: `bench-intake-${randomUUID().slice(0, 8)}`,
      SESSION_BROKER_ADDRESS: `127.0.0.1:${brokerService.grpcPort}`,
      ACD_ADDRESS: `127.0.0.1:${acdService.grpcPort}`,
      // Presence is not on this path: the portal's rep list is off.
      PRESENCE_ADDRESS: "127.0.0.1:1",
      ADMIN_HTTP_PORT: "0",
      // Every bench request comes from one address and one site: the limits are not what is measured.
      RATE_LIMIT_PER_MINUTE: "100000000",
      SITE_RATE_LIMIT_PER_MINUTE: "10000000",
      ...admin.env,
      ...(p.serviceOtel ? {} : { OTEL_SDK_DISABLED: "true" }),
    },
    90_000,
  );
  onCleanup("intake", () => intake.stop("SIGTERM"));
  const listening = intake.output.find((line) => line.includes('"adminHttpPort"'));
  const { adminHttpPort } = JSON.parse(listening ?? "{}") as { adminHttpPort?: number };
  const acd = connectAcd(`127.0.0.1:${acdService.grpcPort}`);
  const broker = connectBroker(`127.0.0.1:${brokerService.grpcPort}`);
  onCleanup("clients", () => Promise.resolve((acd.close(), broker.close())));
  const b: Bench = {
    p,
    acd,
    broker,
    admin,
    intake,
    publicUrl: `http://127.0.0.1:${intake.httpPort}`,
    adminUrl: `http://127.0.0.1:${adminHttpPort}`,
    pids: { intake: intake.child.pid, broker: brokerService.child.pid, acd: acdService.child.pid },
  };
  console.log(
    `  intake pid ${b.pids.intake}, session-broker pid ${b.pids.broker}, acd pid ${b.pids.acd} ` +
      `(OpenTelemetry ${p.serviceOtel ? "on" : "off"}); open files ≤ ${int(openFileLimit())}; memory: ${memory(b)}`,
  );
  // The broker leads (relays its outbox) once it holds the lock in its own Redis.
  await sleep(2_000);

  if (phases.has("start")) await starts(b);
  if (phases.has("streams")) await liveStreams(b);

  console.log(heading("summary (figures only; nothing is asserted)"));
  console.log(table(summary));
  console.log(`\n  memory at the end: ${memory(b)}; bench ${benchMemory()}`);
  console.log(`  total run time ${ms(performance.now() - started)}`);
});
