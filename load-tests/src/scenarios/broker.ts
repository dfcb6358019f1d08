/*
 * `npm run bench:broker`: the session-broker measured end to end through the acd: sessions created
 * per second (1, 16 and 64 clients), create→offer and accept-commit latency, PostgreSQL rows and bytes
 * per session, the outbox's lag to Kafka under load, and memory. Starts the acd and one broker as
 * processes; prints figures and never fails on them. Traffic mix and the meaning of every figure:
 * load-tests/README.md.
 */
import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { TOPICS } from "@handoff/proto";
import { Actor } from "@handoff/proto/common";
import { SessionEvent } from "@handoff/proto/events";
import { createKafka, createLogger, createPgPool, fetchTopicEnds, type PgPool } from "@handoff/runtime";
import type { ServiceProcess } from "@handoff/testing/dist/service-process";
import { connectAcd, OfferLog, type AcdClient } from "../lib/acd-client";
import { parseParameters, type ScenarioSpec } from "../lib/args";
import { connectBroker, type BrokerClient } from "../lib/broker-client";
import { BENCH_TEAM, issueSubmission, oneTeamRouting } from "../lib/broker-fixtures";
import { closedLoop, parallel, perSecond, type LoopResult } from "../lib/drivers";
import { onCleanup, runScenario, startBenchInfrastructure } from "../lib/infra";
import { benchMemory, CpuSplit, describeProcessMemory } from "../lib/process-stats";
import { startSessionServices } from "../lib/session-services";
import { bytes, describeError, heading, int, latencyLine, ms, Samples, table } from "../lib/stats";

type BrokerParameters = {
  phases: string;
  clients: readonly number[];
  createSeconds: number;
  createMaxSessions: number;
  cycleSeconds: number;
  cycleMaxSessions: number;
  reps: number;
  offerWaitMs: number;
  brokerOtel: boolean;
  brokerNodeOptions: string;
};

/** The named scenario "broker": the issue's benchmark. Every count and duration is a bound. */
const brokerScenario: ScenarioSpec<BrokerParameters> = {
  phases: { default: "create,cycle", help: "which parts to run (comma list)" },
  clients: { default: [1, 16, 64], help: "concurrent gRPC clients, one closed-loop run each" },
  createSeconds: { default: 5, help: "duration of each create-only run" },
  createMaxSessions: { default: 20_000, help: "sessions per create-only run at most" },
  cycleSeconds: { default: 5, help: "duration of each full-cycle run" },
  cycleMaxSessions: { default: 20_000, help: "sessions per full-cycle run at most" },
  reps: { default: 100, help: "reps (capacity 1 in the cycle runs, 0 in the create runs) of each site" },
  offerWaitMs: { default: 10_000, help: "a session not offered within this long counts as failed" },
  brokerOtel: { default: true, help: "run the broker and the acd with OpenTelemetry on (as deployed)" },
  brokerNodeOptions: {
    default: "",
    help: 'NODE_OPTIONS for the broker, e.g. "--cpu-prof --cpu-prof-dir=/tmp/broker-prof"',
  },
};

/** The broker's tables a session writes to, with the column that names its site. */
const SESSION_TABLES = ["sessions", "session_events", "session_outbox", "session_offers", "session_participants"];

/** One line per figure in the closing summary. */
const summary: string[][] = [["figure", "value"]];
const note = (figure: string, value: string) => void summary.push([figure, value]);

const repId = (i: number) => `rep-${i}`;

interface Bench {
  p: BrokerParameters;
  acd: AcdClient;
  broker: BrokerClient;
  db: PgPool;
  services: { acd: ServiceProcess; broker: ServiceProcess };
}

const memory = (b: Bench) =>
  `broker ${describeProcessMemory(b.services.broker.child.pid!)}, acd ${describeProcessMemory(b.services.acd.child.pid!)}`;

function printFailures(label: string, result: { failed: number; firstError?: unknown }): void {
  if (result.failed > 0)
    console.log(`    ${label} FAILED: ${int(result.failed)} (first: ${describeError(result.firstError)})`);
}

/** A site with one team of `p.reps` reps at `capacity`, told to the acd as presence would. */
async function setUpSite(b: Bench, name: string, capacity: number): Promise<string> {
  const siteId = `bench-broker-${name}-${randomUUID().slice(0, 8)}`;
  const reps = Array.from({ length: b.p.reps }, (_, i) => repId(i));
  await b.acd.putRoutingConfig({ siteId, config: oneTeamRouting(reps) });
  await parallel(reps.length, 32, (i) =>
    b.acd.setRepCapacity({
      siteId,
      repId: reps[i]!,
      teamIds: [BENCH_TEAM],
      skills: [],
      routableCapacity: capacity,
      version: 1,
      connected: true,
    }),
  );
  return siteId;
}

interface TableFootprint {
  rows: number;
  tupleBytes: number;
}

/** The site's rows per table and the bytes of their tuples (pg_column_size: data only, no index or page). */
async function siteFootprint(db: PgPool, siteId: string): Promise<Map<string, TableFootprint>> {
  const result = new Map<string, TableFootprint>();
  for (const name of SESSION_TABLES) {
    const { rows } = await db.query<{ n: string; size: string }>(
      `select count(*) as n, coalesce(sum(pg_column_size(t.*)), 0) as size from ${name} t where site_id = $1`,
      [siteId],
    );
    result.set(name, { rows: Number(rows[0]!.n), tupleBytes: Number(rows[0]!.size) });
  }
  return result;
}

/** pg_total_relation_size (heap, TOAST and indexes) of every broker table, and processed_events' row count. */
async function relationSizes(db: PgPool): Promise<Map<string, number>> {
  const sizes = new Map<string, number>();
  for (const name of [...SESSION_TABLES, "processed_events"]) {
    const { rows } = await db.query<{ size: string }>("select pg_total_relation_size($1::regclass) as size", [name]);
    sizes.set(name, Number(rows[0]!.size));
  }
  const { rows } = await db.query<{ n: string }>("select count(*) as n from processed_events");
  sizes.set("processed_events rows", Number(rows[0]!.n));
  return sizes;
}

function printFootprint(
  label: string,
  sessions: number,
  footprint: Map<string, TableFootprint>,
  before: Map<string, number>,
  after: Map<string, number>,
): void {
  console.log(`\n  PostgreSQL per session (${label}, ${int(sessions)} sessions of the site):`);
  const rows: string[][] = [["table", "rows/session", "tuple bytes/session", "relation Δ/session"]];
  let totalRows = 0;
  let totalTuple = 0;
  let totalRelation = 0;
  for (const name of SESSION_TABLES) {
    const f = footprint.get(name)!;
    const relation = (after.get(name)! - before.get(name)!) / sessions;
    totalRows += f.rows;
    totalTuple += f.tupleBytes;
    totalRelation += relation;
    rows.push([name, (f.rows / sessions).toFixed(2), bytes(f.tupleBytes / sessions), bytes(relation)]);
  }
  rows.push(["total", (totalRows / sessions).toFixed(2), bytes(totalTuple / sessions), bytes(totalRelation)]);
  // Not per site: the routing consumer's dedupe marks (one per routing event applied, of any site).
  const processedRows = (after.get("processed_events rows")! - before.get("processed_events rows")!) / sessions;
  const processedBytes = (after.get("processed_events")! - before.get("processed_events")!) / sessions;
  rows.push(["+ processed_events (any site)", processedRows.toFixed(2), "", bytes(processedBytes)]);
  console.log(table(rows, "    "));
  note(`pg rows/session (${label})`, `${(totalRows / sessions).toFixed(1)} + ${processedRows.toFixed(1)} dedupe marks`);
  note(`pg bytes/session (${label})`, `${bytes(totalTuple / sessions)} tuples, ${bytes(totalRelation)} relation Δ`);
}

/** Part 1: CreateSession only; every session waits (the reps have no capacity). */
async function createOnly(b: Bench): Promise<void> {
  console.log(heading("1. CreateSession through broker → acd (sessions queue, no rep free)"));
  const siteId = await setUpSite(b, "create", 0);
  const sessions: { sessionId: string; token: string }[] = [];
  const before = await relationSizes(b.db);
  const rows: string[][] = [["clients", "sessions/s", "create p50", "create p99", "failed"]];
  for (const clients of b.p.clients) {
    const cpu = new CpuSplit({ broker: b.services.broker.child.pid, acd: b.services.acd.child.pid });
    const result = await closedLoop(
      { concurrency: clients, maxCount: b.p.createMaxSessions, maxMs: b.p.createSeconds * 1000 },
      async () => {
        const created = await b.broker.createSession(issueSubmission(siteId));
        sessions.push({ sessionId: created.session!.sessionId, token: created.customerToken });
      },
    );
    const latency = result.latency.summary();
    rows.push([String(clients), int(perSecond(result)), ms(latency.p50), ms(latency.p99), int(result.failed)]);
    console.log(`  ${clients} clients: ${int(perSecond(result))} sessions/s, ${latencyLine(latency)}`);
    console.log(`    ${cpu.describe()}; ${cpu.perUnit(Math.max(1, result.done), "session")}`);
    printFailures("create", result);
    note(
      `create-only sessions/s, ${clients} clients`,
      `${int(perSecond(result))} (p50 ${ms(latency.p50)}, p99 ${ms(latency.p99)})`,
    );
  }
  console.log(table(rows));
  const after = await relationSizes(b.db);
  printFootprint(
    "create only: created, consent, waiting",
    sessions.length,
    await siteFootprint(b.db, siteId),
    before,
    after,
  );
  console.log(`  memory: ${memory(b)}`);

  // Not measured: the customers leave, so no leftover waits in the queue or in PostgreSQL.
  const started = performance.now();
  await parallel(sessions.length, 32, (i) =>
    b.broker
      .closeSession({
        siteId,
        sessionId: sessions[i]!.sessionId,
        requester: { actor: Actor.ACTOR_CUSTOMER, id: "", customerToken: sessions[i]!.token },
        reason: 0,
        abandonReason: 0,
      })
      .catch(() => undefined),
  );
  console.log(`  clean-up: ${int(sessions.length)} customers left in ${ms(performance.now() - started)}`);
}

/** Follows handoff.sessions.v1 from its current end and records, per event of `siteId`, now − occurred_at. */
async function followOutbox(brokers: string, siteId: string) {
  const kafka = createKafka({
    clientId: `bench-outbox-${randomUUID().slice(0, 8)}`,
    brokers: brokers.split(","),
    logger: createLogger("bench", "error"),
  });
  const admin = kafka.admin();
  await admin.connect();
  if (!(await admin.listTopics()).includes(TOPICS.sessions))
    await admin.createTopics({ topics: [{ topic: TOPICS.sessions }], waitForLeaders: true });
  const ends = await fetchTopicEnds(admin, TOPICS.sessions);
  await admin.disconnect();
  const lag = new Samples();
  const seen = new Set<string>();
  let duplicates = 0;
  const consumer = kafka.consumer({ groupId: `bench-outbox-${randomUUID()}`, maxWaitTimeInMs: 100 });
  await consumer.connect();
  await consumer.subscribe({ topics: [TOPICS.sessions], fromBeginning: false });
  await consumer.run({
    eachMessage: ({ message }) => {
      const receivedAt = Date.now();
      if (!message.value) return Promise.resolve();
      const event = SessionEvent.decode(message.value);
      if (event.siteId !== siteId) return Promise.resolve();
      if (seen.has(event.eventId)) duplicates++;
      else {
        seen.add(event.eventId);
        lag.add(receivedAt - event.occurredAtMs);
      }
      return Promise.resolve();
    },
  });
  for (const { partition, offset } of ends) consumer.seek({ topic: TOPICS.sessions, partition, offset });
  return {
    lag,
    get events() {
      return seen.size;
    },
    get duplicates() {
      return duplicates;
    },
    stop: () => consumer.disconnect(),
  };
}

interface CycleFigures {
  create: Samples;
  offer: Samples;
  accept: Samples;
  close: Samples;
}

/** Part 2: the whole life: create → offer (on the acd's stream) → accept through the broker → end. */
async function fullCycle(b: Bench, kafkaBrokers: string): Promise<void> {
  console.log(heading("2. full cycle: CreateSession → offer → AcceptSessionOffer → CloseSession (rep)"));
  const siteId = await setUpSite(b, "cycle", 1);
  const offers = new OfferLog(
    b.acd,
    siteId,
    Array.from({ length: b.p.reps }, (_, i) => repId(i)),
  );
  onCleanup("offer stream", () => Promise.resolve(offers.close()));
  await offers.subscribed;
  const outbox = await followOutbox(kafkaBrokers, siteId);
  onCleanup("outbox follower", () => outbox.stop());
  const before = await relationSizes(b.db);
  let sessions = 0;
  const rows: string[][] = [
    ["clients", "sessions/s", "create p50/p99", "create→offer p50/p99", "accept commit p50/p99", "close p50/p99"],
  ];
  for (const clients of b.p.clients) {
    const figures: CycleFigures = {
      create: new Samples(),
      offer: new Samples(),
      accept: new Samples(),
      close: new Samples(),
    };
    const cpu = new CpuSplit({ broker: b.services.broker.child.pid, acd: b.services.acd.child.pid });
    const result: LoopResult = await closedLoop(
      { concurrency: clients, maxCount: b.p.cycleMaxSessions, maxMs: b.p.cycleSeconds * 1000 },
      async () => {
        const t0 = performance.now();
        const created = await b.broker.createSession(issueSubmission(siteId));
        const t1 = performance.now();
        sessions++;
        figures.create.add(t1 - t0);
        const sessionId = created.session!.sessionId;
        const received = await offers.take(sessionId, b.p.offerWaitMs);
        if (!received) throw new Error(`session ${sessionId} was not offered in ${b.p.offerWaitMs} ms`);
        figures.offer.add(received.atMs - t0);
        const { repId: rep, epoch } = received.offer;
        const t2 = performance.now();
        await b.broker.acceptSessionOffer({ siteId, sessionId, repId: rep, epoch });
        const t3 = performance.now();
        figures.accept.add(t3 - t2);
        await b.broker.closeSession({
          siteId,
          sessionId,
          requester: { actor: Actor.ACTOR_REP, id: rep, customerToken: "" },
          reason: 0,
          abandonReason: 0,
        });
        figures.close.add(performance.now() - t3);
      },
    );
    const pair = (s: Samples) => {
      const { p50, p99 } = s.summary();
      return `${ms(p50)} / ${ms(p99)}`;
    };
    rows.push([
      String(clients),
      int(perSecond(result)),
      pair(figures.create),
      pair(figures.offer),
      pair(figures.accept),
      pair(figures.close),
    ]);
    console.log(`  ${clients} clients: ${int(perSecond(result))} sessions/s (full cycles)`);
    console.log(`    create        ${latencyLine(figures.create.summary())}`);
    console.log(`    create→offer  ${latencyLine(figures.offer.summary())}`);
    console.log(`    accept commit ${latencyLine(figures.accept.summary())}`);
    console.log(`    close         ${latencyLine(figures.close.summary())}`);
    console.log(`    ${cpu.describe()}; ${cpu.perUnit(Math.max(1, result.done), "session")}`);
    printFailures("cycle", result);
    const offer = figures.offer.summary();
    const accept = figures.accept.summary();
    note(`cycle sessions/s, ${clients} clients`, int(perSecond(result)));
    note(`create→offer, ${clients} clients`, `p50 ${ms(offer.p50)}, p99 ${ms(offer.p99)}`);
    note(`accept commit, ${clients} clients`, `p50 ${ms(accept.p50)}, p99 ${ms(accept.p99)}`);
  }
  console.log(table(rows));

  // The relay's own lag, commit → Kafka acknowledged, from the outbox rows (waits for the last ones).
  let unpublished = -1;
  for (let i = 0; i < 100 && unpublished !== 0; i++) {
    const { rows: left } = await b.db.query<{ n: string }>(
      "select count(*) as n from session_outbox where site_id = $1 and published_at_ms is null",
      [siteId],
    );
    unpublished = Number(left[0]!.n);
    if (unpublished > 0) await sleep(100);
  }
  const { rows: relayed } = await b.db.query<{ lag: string }>(
    `select published_at_ms - created_at_ms as lag from session_outbox
     where site_id = $1 and published_at_ms is not null`,
    [siteId],
  );
  const relayLag = new Samples();
  for (const r of relayed) relayLag.add(Number(r.lag));
  await sleep(1_000);
  await outbox.stop();
  offers.close();
  console.log("\n  outbox lag under that load:");
  console.log(`    event written → Kafka acknowledged (published_at − created_at): ${latencyLine(relayLag.summary())}`);
  console.log(
    `    event written → read from handoff.sessions.v1 by a consumer: ${latencyLine(outbox.lag.summary())}; ` +
      `${int(outbox.events)} events, ${int(outbox.duplicates)} duplicates`,
  );
  if (unpublished > 0) console.log(`    ${int(unpublished)} outbox rows still unpublished after 10 s`);
  const consumerLag = outbox.lag.summary();
  note("outbox lag, write → consumer", `p50 ${ms(consumerLag.p50)}, p99 ${ms(consumerLag.p99)}`);
  note("outbox lag, write → Kafka ack", `p50 ${ms(relayLag.summary().p50)}, p99 ${ms(relayLag.summary().p99)}`);

  // Offers reach PostgreSQL through the routing consumer (handoff.routing.v1), behind the acd's stream.
  const { rows: recorded } = await b.db.query<{ n: string }>(
    "select count(distinct session_id) as n from session_offers where site_id = $1",
    [siteId],
  );
  console.log(
    `    offers recorded in PostgreSQL by the routing consumer at the end: ${int(Number(recorded[0]!.n))} of ` +
      `${int(sessions)} sessions (the rest were still in its backlog)`,
  );
  note("routing consumer kept up (sessions with their offer in PostgreSQL)", `${recorded[0]!.n} of ${sessions}`);

  const after = await relationSizes(b.db);
  printFootprint("full cycle", sessions, await siteFootprint(b.db, siteId), before, after);
  console.log(`  memory: ${memory(b)}`);
}

runScenario(async () => {
  const started = performance.now();
  const p = parseParameters("broker", brokerScenario);
  const phases = new Set(p.phases.split(","));
  console.log(heading("setup"));
  // A Redis of its own, so that this broker is the leader (its relay publishes the outbox); Kafka and
  // PostgreSQL from the environment when given.
  const infra = await startBenchInfrastructure({ kafka: true, postgres: true, privateRedis: true });
  if (!infra.kafkaBrokers || !infra.databaseUrl) throw new Error("the broker needs Kafka and PostgreSQL");
  const { acd: acdService, broker: brokerService } = await startSessionServices(infra, {
    otel: p.brokerOtel,
    presence: false,
    brokerNodeOptions: p.brokerNodeOptions,
  });
  const acd = connectAcd(`127.0.0.1:${acdService.grpcPort}`);
  const broker = connectBroker(`127.0.0.1:${brokerService.grpcPort}`);
  const db = createPgPool(infra.databaseUrl);
  onCleanup("clients", async () => {
    acd.close();
    broker.close();
    await db.end();
  });
  const b: Bench = { p, acd, broker, db, services: { acd: acdService, broker: brokerService } };
  console.log(
    `  acd pid ${acdService.child.pid}, session-broker pid ${brokerService.child.pid} ` +
      `(OpenTelemetry ${p.brokerOtel ? "on" : "off"}); ${p.reps} reps per site; memory: ${memory(b)}`,
  );
  // The broker leads once it holds the lock in its own Redis: give its election a moment.
  await sleep(2_000);

  if (phases.has("create")) await createOnly(b);
  if (phases.has("cycle")) await fullCycle(b, infra.kafkaBrokers);

  console.log(heading("summary (figures only; nothing is asserted)"));
  console.log(table(summary));
  console.log(`\n  memory at the end: ${memory(b)}; bench ${benchMemory()}`);
  console.log(`  total run time ${ms(performance.now() - started)}`);
});
