/*
 * `npm run bench:e2e`: the whole system as a contact center lives it. Private Redis, Kafka and
 * PostgreSQL (scripts/infra), two replicas of every service behind loopback balancers, one site set up
 * through intake's admin API; customers arrive as a Poisson process through intake's public HTTP API;
 * reps on the agent SDK accept each offer after a random delay and end it after an exponential handle
 * time. Prints throughput, intake→offer and enqueue→offer percentiles, the measured wait beside the
 * Erlang C prediction, and the invariants checked at the end. Prints figures; never fails on timings
 * (it exits 1 only when an invariant is violated). Traffic mix and meaning: load-tests/README.md.
 */
import { loadavg } from "node:os";
import {
  checkSystemInvariants,
  ContactCenter,
  erlangC,
  SystemStack,
  type BrokerSessionRow,
} from "@handoff/testing/dist/system";
import { parseParameters, type ScenarioSpec } from "../lib/args";
import { onCleanup, runScenario, startBenchInfrastructure } from "../lib/infra";
import { CpuSplit, describeProcessMemory } from "../lib/process-stats";
import { heading, int, latencyLine, ms, Samples, summarize, table } from "../lib/stats";

type E2eParameters = {
  replicas: number;
  reps: number;
  utilisation: number;
  meanHandleSeconds: number;
  acceptDelayMinMs: number;
  acceptDelayMaxMs: number;
  arrivalSeconds: number;
  maxSessions: number;
  warmupSeconds: number;
  waitThresholdMs: number;
  drainSeconds: number;
  seed: number;
  serviceOtel: boolean;
  redisCluster: boolean;
  kafkaNodes: number;
};

/** The named scenario "e2e": the issue's whole-system benchmark. Every count and duration is a bound. */
const e2eScenario: ScenarioSpec<E2eParameters> = {
  replicas: { default: 2, help: "replicas of every service" },
  reps: { default: 20, help: "simulated reps on the agent SDK (one session at a time each)" },
  utilisation: {
    default: 0.8,
    help: "offered load per rep (λ·s/c); sets the Poisson arrival rate from reps and the mean service time",
  },
  meanHandleSeconds: { default: 4, help: "mean of the exponential handle time (accept → end)" },
  acceptDelayMinMs: { default: 200, help: "a rep accepts an offer after a delay uniform in [min, max]" },
  acceptDelayMaxMs: { default: 800, help: "see accept-delay-min-ms" },
  arrivalSeconds: { default: 75, help: "customers arrive for this long" },
  maxSessions: { default: 2_000, help: "customers at most" },
  warmupSeconds: { default: 15, help: "arrivals in the first seconds are left out of the wait figures" },
  waitThresholdMs: {
    default: 250,
    help: "a session waited if its enqueue→offer took longer than this (routing itself takes some ms)",
  },
  drainSeconds: { default: 60, help: "after the arrivals, wait at most this long for every session to end" },
  seed: { default: 1, help: "seed of the arrivals, delays and handle times" },
  serviceOtel: { default: false, help: "run the services with OpenTelemetry on (as deployed)" },
  redisCluster: { default: false, help: "every service on a 3-master Redis Cluster instead of one Redis" },
  kafkaNodes: { default: 1, help: "Kafka nodes: 1, or 3 (topics replicated 3 times, min.insync.replicas 2)" },
};

const mean = (values: number[]) => (values.length ? values.reduce((a, b) => a + b, 0) / values.length : Number.NaN);
const pct = (n: number) => (Number.isFinite(n) ? `${(100 * n).toFixed(1)} %` : "n/a");

runScenario(async () => {
  const runStarted = performance.now();
  const p = parseParameters("e2e", e2eScenario);
  const meanAcceptDelayMs = (p.acceptDelayMinMs + p.acceptDelayMaxMs) / 2;
  // A rep is occupied from the offer to the end: the accept delay, then the handle time.
  const meanServiceSeconds = meanAcceptDelayMs / 1000 + p.meanHandleSeconds;
  const arrivalRatePerSecond = (p.utilisation * p.reps) / meanServiceSeconds;

  if (p.kafkaNodes !== 1 && p.kafkaNodes !== 3) throw new Error("--kafka-nodes must be 1 or 3");
  console.log(heading("setup"));
  const infra = await startBenchInfrastructure({
    kafka: true,
    postgres: true,
    privateRedis: true,
    redisCluster: p.redisCluster,
    kafkaNodes: p.kafkaNodes === 3 ? 3 : 1,
  });
  if (!infra.kafkaBrokers || !infra.databaseUrl) throw new Error("e2e needs Kafka and PostgreSQL");
  if (p.redisCluster && !infra.redisClusterNodes) throw new Error("no Redis Cluster was started");
  const stackStarted = performance.now();
  const stack = await SystemStack.start(
    {
      REDIS_URL: infra.redisUrl,
      KAFKA_BROKERS: infra.kafkaBrokers,
      DATABASE_URL: infra.databaseUrl,
      ...(p.redisCluster ? { REDIS_CLUSTER_NODES: infra.redisClusterNodes } : {}),
    },
    { replicas: p.replicas, otel: p.serviceOtel, log: (line) => console.log(`  ${line}`) },
  );
  onCleanup("services", () => stack.stop());
  console.log(
    `  ${stack.replicas.length} service processes ready in ${ms(performance.now() - stackStarted)} ` +
      `(OpenTelemetry ${p.serviceOtel ? "on" : "off"}; Redis: ${p.redisCluster ? `Cluster ${infra.redisClusterNodes}` : infra.redisUrl}; ` +
      `Kafka: ${infra.kafkaBrokers})`,
  );
  const center = await ContactCenter.open(stack, {
    reps: p.reps,
    arrivalRatePerSecond,
    meanHandleMs: p.meanHandleSeconds * 1000,
    acceptDelayMs: [p.acceptDelayMinMs, p.acceptDelayMaxMs],
    seed: p.seed,
  });
  onCleanup("reps", () => center.close());
  console.log(
    `  site ${center.siteId}: ${p.reps} reps online on the SDK; customers arrive at ${arrivalRatePerSecond.toFixed(2)}/s ` +
      `(Poisson) for ${p.arrivalSeconds} s; accept after ${p.acceptDelayMinMs}–${p.acceptDelayMaxMs} ms, ` +
      `handle time exponential with mean ${p.meanHandleSeconds} s`,
  );

  console.log(heading(`load: ${p.reps} reps, λ = ${arrivalRatePerSecond.toFixed(2)}/s, ${p.replicas} replicas each`));
  const wallStartedAtMs = Date.now();
  const cpu = new CpuSplit(stack.pids());
  const loadStarted = performance.now();
  await center.arrive(p.arrivalSeconds * 1000, p.maxSessions);
  const arrivalsMs = performance.now() - loadStarted;
  const open = await center.drain(p.drainSeconds * 1000);
  const loadMs = performance.now() - loadStarted;
  const cpuLine = cpu.describe();

  console.log(heading("invariants (checked against PostgreSQL, Kafka and reporting)"));
  const report = await checkSystemInvariants(center, { runStartedAtMs: wallStartedAtMs });
  for (const line of report.checked) console.log(`  checked: ${line}`);
  if (open.length) report.violations.push(`${open.length} acknowledged sessions not ended within the drain`);
  for (const line of report.violations) console.log(`  VIOLATED: ${line}`);
  if (report.violations.length === 0) console.log("  all invariants hold");

  // Figures.
  const starts = center.starts;
  const acknowledged = starts.filter((s) => s.acknowledgedAtMs !== undefined);
  const intakeToOffer = new Samples();
  const startLatency = new Samples();
  const handle: number[] = [];
  const occupied: number[] = [];
  for (const start of acknowledged) {
    startLatency.add(start.acknowledgedAtMs! - start.sentAtMs);
    const session = center.sessions.get(start.sessionId!);
    if (session?.firstOfferAtMs !== undefined) intakeToOffer.add(session.firstOfferAtMs - start.sentAtMs);
    if (session?.acceptedAtMs !== undefined && session.endedAtMs !== undefined)
      handle.push(session.endedAtMs - session.acceptedAtMs);
    if (session?.firstOfferAtMs !== undefined && session.endedAtMs !== undefined)
      occupied.push(session.endedAtMs - session.firstOfferAtMs);
  }
  const rows: BrokerSessionRow[] = report.rows;
  const firstEnqueue = Math.min(...rows.map((r) => r.enqueuedAtMs));
  const enqueueToOffer = new Samples();
  const waits: number[] = [];
  for (const row of rows) {
    if (row.firstOfferAtMs !== null) enqueueToOffer.add(row.firstOfferAtMs - row.enqueuedAtMs);
    if (row.answeredOfferAtMs !== null && row.enqueuedAtMs - firstEnqueue >= p.warmupSeconds * 1000)
      waits.push(row.answeredOfferAtMs - row.enqueuedAtMs);
  }
  const waitSummary = summarize(waits);
  const measuredArrivalRate = (starts.length * 1000) / arrivalsMs;
  const measuredServiceSeconds = mean(occupied) / 1000;
  const predicted = erlangC({ arrivalRatePerSecond, meanServiceSeconds, servers: p.reps });
  const predictedMeasured =
    measuredServiceSeconds * measuredArrivalRate < p.reps
      ? erlangC({
          arrivalRatePerSecond: measuredArrivalRate,
          meanServiceSeconds: measuredServiceSeconds,
          servers: p.reps,
        })
      : undefined;
  const waited = waits.filter((w) => w > p.waitThresholdMs).length / waits.length;

  console.log(heading("figures (LOADED machine unless run alone: see load average)"));
  const ended = rows.filter((r) => r.state === "ended").length;
  console.log(
    `  ${int(starts.length)} customers arrived (${measuredArrivalRate.toFixed(2)}/s measured), ` +
      `${int(acknowledged.length)} acknowledged, ${int(ended)} sessions ended in ${ms(loadMs)}: ` +
      `throughput ${((ended * 1000) / loadMs).toFixed(2)} sessions/s end to end`,
  );
  console.log(`  start (POST → 201)          ${latencyLine(startLatency.summary())}`);
  console.log(`  intake→offer (POST → frame) ${latencyLine(intakeToOffer.summary())}`);
  console.log(`  enqueue→offer (broker, acd) ${latencyLine(enqueueToOffer.summary())}`);
  console.log(
    `  handle time (accept → end): mean ${ms(mean(handle))} (configured ${p.meanHandleSeconds} s); ` +
      `rep occupied (offer → end): mean ${ms(mean(occupied))} (configured ${meanServiceSeconds.toFixed(2)} s)`,
  );
  const comparison = [
    ["", "measured", "Erlang C (configured λ, s)", "Erlang C (measured λ, s)"],
    [
      "offered load (Erlangs)",
      (measuredArrivalRate * measuredServiceSeconds).toFixed(2),
      predicted.offeredLoad.toFixed(2),
      predictedMeasured?.offeredLoad.toFixed(2) ?? "unstable",
    ],
    [
      `P(wait > ${p.waitThresholdMs} ms)`,
      pct(waited),
      pct(predicted.probabilityWaitExceeds(p.waitThresholdMs / 1000)),
      pct(predictedMeasured?.probabilityWaitExceeds(p.waitThresholdMs / 1000) ?? Number.NaN),
    ],
    [
      "P(wait) (all busy)",
      "",
      pct(predicted.probabilityOfWaiting),
      pct(predictedMeasured?.probabilityOfWaiting ?? Number.NaN),
    ],
    [
      "mean wait (enqueue → offer)",
      ms(mean(waits)),
      ms(predicted.meanWaitSeconds * 1000),
      ms((predictedMeasured?.meanWaitSeconds ?? Number.NaN) * 1000),
    ],
  ];
  console.log(
    `  waits of ${int(waits.length)} sessions enqueued after the ${p.warmupSeconds} s warm-up ` +
      `(p50 ${ms(waitSummary.p50)}, p99 ${ms(waitSummary.p99)}, max ${ms(waitSummary.max)}), ${p.reps} reps:`,
  );
  console.log(table(comparison, "    "));
  console.log(`  ${cpuLine}`);
  console.log(
    `  load average ${loadavg()
      .map((n) => n.toFixed(2))
      .join(" ")}; memory: ${stack.replicas
      .map((r) => `${r.service}[${r.index}] ${describeProcessMemory(r.process.child.pid!)}`)
      .join(", ")}`,
  );
  console.log(
    `  customers: ${int(center.customerRetries())} retried starts, ${int([...center.customerErrors().values()].reduce((a, b) => a + b, 0))} failed; ` +
      `reps: ${int(center.repRetries)} retried commands, errors ${JSON.stringify(Object.fromEntries(center.repErrors))}; ` +
      `socket closes ${JSON.stringify(Object.fromEntries(center.socketCloses))}; ` +
      `kafka: ${int(report.kafka.read)} event copies read, ${int(report.kafka.duplicates)} duplicates`,
  );
  const warnings = [...stack.warnings()].sort((a, b) => b[1] - a[1]).slice(0, 8);
  console.log(`  service warnings: ${warnings.length ? warnings.map(([m, n]) => `"${m}" × ${n}`).join("; ") : "none"}`);
  console.log(`  total run time ${ms(performance.now() - runStarted)}`);
  if (report.violations.length > 0) throw new Error(`${report.violations.length} invariants violated`);
});
