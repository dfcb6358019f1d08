/*
 * `npm run bench:reporting`: reporting's ingest and history measured on real processes: events
 * ingested per second by one consumer and by 3 consumers on 3 partitions, consumer lag under an
 * offered load of 2,000 events/s, p50/p99 of the historical query over 30 days × 50 teams,
 * PostgreSQL bytes per session, and memory. Prints figures and never fails on them. Traffic mix and
 * the meaning of every figure: load-tests/README.md.
 */
import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import {
  createEventProducer,
  createKafka,
  createLogger,
  createPgPool,
  fetchTopicEnds,
  type EventProducer,
} from "@handoff/runtime";
// Not the package index: it also exports the vitest lifecycle suite, and vitest refuses to load
// outside a vitest run.
import type { LoggedEvent, TopicKind } from "@handoff/testing/dist/event-log-builder";
import { startService, type ServiceProcess } from "@handoff/testing/dist/service-process";
import { syntheticLog } from "@handoff/testing/dist/synthetic-log";
import type { Admin } from "kafkajs";
import { benchTokenIssuer, type BenchTokenIssuer } from "../lib/agent-tokens";
import { parseParameters, type ScenarioSpec } from "../lib/args";
import { onCleanup, runScenario, startBenchInfrastructure } from "../lib/infra";
import { benchMemory, CpuSplit, describeProcessMemory } from "../lib/process-stats";
import { bytes, heading, int, latencyLine, ms, Samples, summarize, table } from "../lib/stats";

type ReportingParameters = {
  phases: string;
  days: number;
  teams: number;
  repsPerTeam: number;
  sessionsPerTeamPerDay: number;
  batchSize: number;
  ingestTimeoutS: number;
  lagRate: number;
  lagSeconds: number;
  lagDrainS: number;
  queries: number;
  queryTimeoutS: number;
  serviceOtel: boolean;
};

/** The named scenario "reporting": the issue's benchmark. Every count and duration is a bound. */
const reportingScenario: ScenarioSpec<ReportingParameters> = {
  phases: { default: "single,scaled,lag,query", help: "which parts to run (comma list)" },
  days: { default: 30, help: "days of history in the ingested log" },
  teams: { default: 50, help: "teams (one queue each) of the site" },
  repsPerTeam: { default: 2, help: "reps per team (3 presence events each a day)" },
  sessionsPerTeamPerDay: { default: 8, help: "sessions per team per day (about 6.5 events each)" },
  batchSize: { default: 500, help: "INGEST_BATCH_SIZE of the reporting processes" },
  ingestTimeoutS: { default: 300, help: "an ingest run gives up after this long" },
  lagRate: { default: 2_000, help: "offered events/s in the lag part" },
  lagSeconds: { default: 20, help: "duration of the offered load" },
  lagDrainS: { default: 60, help: "wait at most this long for the lag to reach 0 after the load" },
  queries: { default: 20, help: "historical queries (one at a time)" },
  queryTimeoutS: { default: 120, help: "the query part stops after this long" },
  serviceOtel: { default: true, help: "run reporting with OpenTelemetry on (as deployed)" },
};

const KINDS: readonly TopicKind[] = ["sites", "routing", "presence", "sessions"];
const SITE = "bench-reporting";
const DAY_MS = 86_400_000;
const START_MS = Date.UTC(2026, 9, 1);
const START_TIMEOUT_MS = 90_000;

type Topics = Record<TopicKind, string>;

/** One line per figure in the closing summary. */
const summary: string[][] = [["figure", "value"]];
const note = (figure: string, value: string) => void summary.push([figure, value]);

interface Bench {
  p: ReportingParameters;
  admin: Admin;
  producer: EventProducer;
  kafkaBrokers: string;
  databaseUrl: string;
  tokens: BenchTokenIssuer;
  run: string;
}

async function createTopics(b: Bench, phase: string, partitions: number): Promise<Topics> {
  const topics = Object.fromEntries(KINDS.map((k) => [k, `bench.reporting.${b.run}.${phase}.${k}`])) as Topics;
  await b.admin.createTopics({
    topics: KINDS.map((k) => ({ topic: topics[k], numPartitions: partitions, replicationFactor: 1 })),
    waitForLeaders: true,
  });
  onCleanup(`topics of ${phase}`, () => b.admin.deleteTopics({ topics: Object.values(topics) }));
  return topics;
}

/** Publishes events in log order, in chunks of up to 1,000 per topic. */
async function publish(b: Bench, topics: Topics, events: readonly LoggedEvent[]): Promise<void> {
  for (const kind of KINDS) {
    const messages = events.filter((e) => e.kind === kind).map((e) => e.message);
    for (let i = 0; i < messages.length; i += 1_000)
      await b.producer.publish(topics[kind], messages.slice(i, i + 1_000));
  }
}

/** A new database on the bench's PostgreSQL (reporting migrates it at start), dropped at the end. */
async function createDatabase(b: Bench, phase: string): Promise<string> {
  const name = `bench_reporting_${phase}_${b.run}`;
  const admin = createPgPool(b.databaseUrl, 1);
  await admin.query(`create database ${name}`);
  onCleanup(`database ${name}`, async () => {
    await admin.query(`drop database if exists ${name} with (force)`);
    await admin.end();
  });
  const url = new URL(b.databaseUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

async function startReporting(b: Bench, databaseUrl: string, topics: Topics, group: string): Promise<ServiceProcess> {
  const service = await startService(
    "reporting",
    {
      DATABASE_URL: databaseUrl,
      KAFKA_BROKERS: b.kafkaBrokers,
      KAFKA_CONSUMER_GROUP: group,
      ROUTING_TOPIC: topics.routing,
      PRESENCE_TOPIC: topics.presence,
      SESSIONS_TOPIC: topics.sessions,
      SITES_TOPIC: topics.sites,
      INGEST_BATCH_SIZE: String(b.p.batchSize),
      ...b.tokens.envFor("SUPERVISOR"),
      ...(b.p.serviceOtel ? {} : { OTEL_SDK_DISABLED: "true" }),
    },
    START_TIMEOUT_MS,
  );
  onCleanup(`reporting ${service.child.pid}`, () => service.stop("SIGTERM"));
  return service;
}

/** Events of the topics not yet committed by the group (end offset − committed offset, summed). */
async function lagOf(b: Bench, topics: Topics, group: string): Promise<number> {
  let behind = 0;
  for (const kind of KINDS) {
    const ends = await fetchTopicEnds(b.admin, topics[kind]);
    const [committed] = await b.admin.fetchOffsets({ groupId: `${group}.${kind}`, topics: [topics[kind]] });
    for (const end of ends) {
      const done = Number(committed?.partitions.find((p) => p.partition === end.partition)?.offset ?? "-1");
      behind += Number(end.high) - (done < 0 ? Number(end.low) : done);
    }
  }
  return behind;
}

/**
 * Polls the group's lag every 250 ms until it is 0: events/s from the last poll that saw nothing
 * committed to the untouched that saw nothing left (start-up and group joins are not counted).
 */
async function measureIngest(b: Bench, topics: Topics, group: string, total: number) {
  const deadline = performance.now() + b.p.ingestTimeoutS * 1000;
  let untouched: { at: number; lag: number } | undefined;
  for (;;) {
    const lag = await lagOf(b, topics, group);
    const at = performance.now();
    if (lag === total) untouched = { at, lag };
    if (lag === 0 && untouched)
      return { eventsPerSecond: (untouched.lag * 1000) / Math.max(1, at - untouched.at), done: true };
    if (at > deadline) {
      const since = untouched ?? { at, lag: total };
      return { eventsPerSecond: ((since.lag - lag) * 1000) / Math.max(1, at - since.at), done: false };
    }
    await sleep(250);
  }
}

/** pg_total_relation_size (heap, TOAST, indexes) of every table of schema reporting, with its rows. */
async function footprint(databaseUrl: string): Promise<{ table: string; rows: number; size: number }[]> {
  const pool = createPgPool(databaseUrl, 1);
  try {
    const { rows } = await pool.query<{ table_name: string; size: string }>(
      `select c.relname as table_name, pg_total_relation_size(c.oid) as size
       from pg_class c join pg_namespace n on n.oid = c.relnamespace
       where n.nspname = 'reporting' and c.relkind = 'r' order by 1`,
    );
    const result = [];
    for (const row of rows) {
      const count = await pool.query<{ n: string }>(`select count(*) as n from reporting.${row.table_name}`);
      result.push({ table: row.table_name, rows: Number(count.rows[0]!.n), size: Number(row.size) });
    }
    return result;
  } finally {
    await pool.end();
  }
}

async function printFootprint(databaseUrl: string): Promise<void> {
  const tables = await footprint(databaseUrl);
  const sessions = tables.find((t) => t.table === "sessions")?.rows ?? 0;
  const rows: string[][] = [["table", "rows", "rows/session", "bytes/session"]];
  let total = 0;
  for (const t of tables) {
    total += t.size;
    rows.push([t.table, int(t.rows), (t.rows / sessions).toFixed(2), bytes(t.size / sessions)]);
  }
  rows.push(["total", "", "", bytes(total / sessions)]);
  console.log(`\n  PostgreSQL per session (${int(sessions)} sessions; pg_total_relation_size: heap, TOAST, indexes):`);
  console.log(table(rows, "    "));
  note("PostgreSQL bytes/session", `${bytes(total / sessions)} (${int(sessions)} sessions, events table included)`);
}

/** Part 4: the historical query of the whole range for every queue, one at a time. */
async function historicalQuery(b: Bench, reporting: ServiceProcess): Promise<void> {
  const days = Math.min(b.p.days, 31);
  console.log(heading(`4. historical query: ${days} days × ${b.p.teams} teams, 15-minute intervals`));
  const token = await b.tokens.supervisorToken(SITE, "bench-supervisor");
  const query = new URLSearchParams({
    from: new Date(START_MS).toISOString(),
    to: new Date(START_MS + days * DAY_MS).toISOString(),
    timeZone: "Europe/Berlin",
  });
  const url = `http://127.0.0.1:${reporting.httpPort}/v1/supervisor/queue-intervals?${query.toString()}`;
  const latency = new Samples();
  const deadline = performance.now() + b.p.queryTimeoutS * 1000;
  let answerBytes = 0;
  let queues = 0;
  for (let i = 0; i < b.p.queries && performance.now() < deadline; i++) {
    const started = performance.now();
    const response = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
    const body = await response.text();
    latency.add(performance.now() - started);
    if (!response.ok) throw new Error(`queue-intervals answered ${response.status}: ${body.slice(0, 500)}`);
    answerBytes = body.length;
    queues = (JSON.parse(body) as { totals: unknown[] }).totals.length;
  }
  const s = latency.summary();
  console.log(`  ${latencyLine(s)}; ${int(queues)} queues, answer ${bytes(answerBytes)}`);
  console.log(`  memory: reporting ${describeProcessMemory(reporting.child.pid!)}`);
  note(`historical query ${days} d × ${queues} queues`, `p50 ${ms(s.p50)}, p99 ${ms(s.p99)} (n=${s.count})`);
}

/** Part 1 (and 4 on its database): one reporting process, topics of one partition. */
async function single(b: Bench, log: readonly LoggedEvent[], sessions: number): Promise<void> {
  console.log(heading("1. ingest, one consumer per topic (1 partition each)"));
  const topics = await createTopics(b, "single", 1);
  await publish(b, topics, log);
  const databaseUrl = await createDatabase(b, "single");
  const group = `bench.reporting.single.${b.run}`;
  // Polling starts before the process does: it ingests while it is still starting.
  const measuring = measureIngest(b, topics, group, log.length);
  const reporting = await startReporting(b, databaseUrl, topics, group);
  const cpu = new CpuSplit({ reporting: reporting.child.pid });
  const result = await measuring;
  console.log(
    `  ${int(result.eventsPerSecond)} events/s${result.done ? "" : " (NOT FINISHED in time)"} (${int(log.length)} events, ${int(sessions)} sessions)`,
  );
  console.log(`    ${cpu.describe()}; ${cpu.perUnit(log.length, "event")}`);
  console.log(`  memory: reporting ${describeProcessMemory(reporting.child.pid!)}`);
  note("ingest events/s, 1 consumer", int(result.eventsPerSecond));
  await printFootprint(databaseUrl);
  if (b.p.phases.includes("query")) await historicalQuery(b, reporting);
  await reporting.stop("SIGTERM");
}

/** Part 2: three reporting processes in one group, topics of three partitions. */
async function scaled(b: Bench, log: readonly LoggedEvent[]): Promise<void> {
  console.log(heading("2. ingest, 3 partitions × 3 consumers (3 reporting processes, one group)"));
  const topics = await createTopics(b, "scaled", 3);
  await publish(b, topics, log);
  const databaseUrl = await createDatabase(b, "scaled");
  const group = `bench.reporting.scaled.${b.run}`;
  const measuring = measureIngest(b, topics, group, log.length);
  const processes = await Promise.all([0, 1, 2].map(() => startReporting(b, databaseUrl, topics, group)));
  const cpu = new CpuSplit(Object.fromEntries(processes.map((p, i) => [`reporting${i + 1}`, p.child.pid])));
  const result = await measuring;
  console.log(`  ${int(result.eventsPerSecond)} events/s${result.done ? "" : " (NOT FINISHED in time)"}`);
  console.log(`    ${cpu.describe()}`);
  console.log(`  memory: ${processes.map((p) => describeProcessMemory(p.child.pid!)).join("; ")}`);
  note("ingest events/s, 3 partitions × 3 consumers", int(result.eventsPerSecond));
  await Promise.all(processes.map((p) => p.stop("SIGTERM")));
}

/** Part 3: a paced offered load; the group's lag sampled every 250 ms. */
async function lagUnderLoad(b: Bench): Promise<void> {
  const total = b.p.lagRate * b.p.lagSeconds;
  console.log(heading(`3. consumer lag under ${int(b.p.lagRate)} events/s offered for ${b.p.lagSeconds} s`));
  const teams = b.p.teams;
  const log = syntheticLog({
    siteId: `${SITE}-live`,
    startMs: START_MS,
    days: 1,
    teams,
    repsPerTeam: b.p.repsPerTeam,
    sessionsPerTeamPerDay: Math.ceil(total / teams / 6),
    seed: 2,
  }).slice(0, total);
  const topics = await createTopics(b, "lag", 1);
  const databaseUrl = await createDatabase(b, "lag");
  const group = `bench.reporting.lag.${b.run}`;
  const reporting = await startReporting(b, databaseUrl, topics, group);
  const readyDeadline = performance.now() + START_TIMEOUT_MS;
  while ((await fetch(`http://127.0.0.1:${reporting.httpPort}/readyz`)).status !== 200) {
    if (performance.now() > readyDeadline) throw new Error("reporting not ready");
    await sleep(250);
  }
  const cpu = new CpuSplit({ reporting: reporting.child.pid });
  const lags: number[] = [];
  let sending = true;
  const sampler = (async () => {
    while (sending) {
      lags.push(await lagOf(b, topics, group));
      await sleep(250);
    }
  })();
  const started = performance.now();
  let sent = 0;
  while (sent < log.length) {
    const due = Math.min(log.length, Math.floor(((performance.now() - started) * b.p.lagRate) / 1000));
    if (due > sent) {
      await publish(b, topics, log.slice(sent, due));
      sent = due;
    }
    await sleep(20);
  }
  const sendMs = performance.now() - started;
  sending = false;
  await sampler;
  const drainDeadline = performance.now() + b.p.lagDrainS * 1000;
  let left = await lagOf(b, topics, group);
  while (left > 0 && performance.now() < drainDeadline) {
    await sleep(250);
    left = await lagOf(b, topics, group);
  }
  const drainMs = performance.now() - started - sendMs;
  const s = summarize(lags);
  const offered = (log.length * 1000) / sendMs;
  console.log(
    `  offered ${int(offered)} events/s; lag (events not committed, every 250 ms, n=${s.count}): p50 ${int(s.p50)}  p99 ${int(s.p99)}  max ${int(s.max)}`,
  );
  console.log(
    `  as time at the offered rate: p50 ${ms((s.p50 * 1000) / offered)}, p99 ${ms((s.p99 * 1000) / offered)}; ${left === 0 ? `0 left ${ms(drainMs)} after the load ended` : `${int(left)} STILL behind after ${b.p.lagDrainS} s`}`,
  );
  console.log(`    ${cpu.describe()}; ${cpu.perUnit(log.length, "event")}`);
  console.log(`  memory: reporting ${describeProcessMemory(reporting.child.pid!)}`);
  note(
    `lag at ${int(offered)} events/s offered`,
    `p50 ${int(s.p50)}, p99 ${int(s.p99)}, max ${int(s.max)} events; drained ${left === 0 ? ms(drainMs) : "NOT"} after`,
  );
  await reporting.stop("SIGTERM");
}

async function main(): Promise<void> {
  const p = parseParameters("reporting", reportingScenario);
  const infra = await startBenchInfrastructure({ kafka: true, postgres: true });
  if (!infra.kafkaBrokers || !infra.databaseUrl) throw new Error("the reporting bench needs Kafka and PostgreSQL");
  const kafka = createKafka({
    clientId: "bench-reporting",
    brokers: infra.kafkaBrokers.split(","),
    logger: createLogger("bench", "warn"),
  });
  const admin = kafka.admin();
  await admin.connect();
  onCleanup("kafka admin", () => admin.disconnect());
  const producer = await createEventProducer(kafka);
  onCleanup("kafka producer", () => producer.disconnect());
  const b: Bench = {
    p,
    admin,
    producer,
    kafkaBrokers: infra.kafkaBrokers,
    databaseUrl: infra.databaseUrl,
    tokens: await benchTokenIssuer(),
    run: randomUUID().slice(0, 8),
  };
  const log = syntheticLog({
    siteId: SITE,
    startMs: START_MS,
    days: p.days,
    teams: p.teams,
    repsPerTeam: p.repsPerTeam,
    sessionsPerTeamPerDay: p.sessionsPerTeamPerDay,
    seed: 1,
  });
  const sessions = p.days * p.teams * p.sessionsPerTeamPerDay;
  console.log(
    `reporting bench: ${int(log.length)} events (${int(sessions)} sessions, ${p.days} days × ${p.teams} teams), INGEST_BATCH_SIZE ${p.batchSize}, OpenTelemetry ${p.serviceOtel ? "on" : "off"}`,
  );
  const phases = new Set(p.phases.split(","));
  if (phases.has("single") || phases.has("query")) await single(b, log, sessions);
  if (phases.has("scaled")) await scaled(b, log);
  if (phases.has("lag")) await lagUnderLoad(b);
  console.log(heading("summary"));
  console.log(table(summary));
  console.log(`  bench memory: ${benchMemory()}`);
}

runScenario(main);
