import { createHash, randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Kafka, logLevel } from "kafkajs";
import { fixKafkajsRequestQueueTimer } from "./kafkajs-timer-fix.ts";
import { freePort } from "./ports.ts";
import { makeTempDir, run, spawnManaged, waitFor } from "./processes.ts";
import { requireBinary } from "./prerequisites.ts";

fixKafkajsRequestQueueTimer();

const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));
const POM = join(REPO_ROOT, "scripts", "kafka", "pom.xml");

/**
 * JVM flags for a throwaway single-node broker on a small machine: a small heap, the serial GC
 * (no parallel GC threads fighting for 2 cores) and C1 only, which starts faster; measured in
 * scripts/infra/README.md.
 */
const JVM_FLAGS = [
  "-Xms256m",
  "-Xmx512m",
  "-XX:+UseSerialGC",
  "-XX:TieredStopAtLevel=1",
  "-Xshare:auto",
  "-Djava.awt.headless=true",
];

export interface StartedKafka {
  /** "127.0.0.1:<port>", the PLAINTEXT listener (KAFKA_BROKERS). */
  brokers: string;
  stop: () => Promise<void>;
}

export interface KafkaOptions {
  /** slf4j-simple level of the broker log (default "warn"; "info" shows every step). */
  logLevel?: "trace" | "debug" | "info" | "warn" | "error";
  /** JVM flags in place of the defaults (heap size, GC, JIT). */
  jvmFlags?: readonly string[];
}

/** The Kafka version pinned in scripts/kafka/pom.xml. */
export function kafkaVersion(): string {
  const match = /<kafka\.version>([^<]+)<\/kafka\.version>/.exec(readFileSync(POM, "utf8"));
  if (!match?.[1]) throw new Error(`no <kafka.version> property in ${POM}`);
  return match[1];
}

/**
 * The folder holding the broker's jars, .cache/kafka/<version>/libs, resolved from Maven Central
 * with `mvn dependency:copy-dependencies` on first use. A marker (the pom's hash), written after a
 * complete copy, makes this idempotent: an interrupted copy or an edited pom is redone.
 */
export async function ensureKafkaJars(): Promise<string> {
  const versionDir = join(REPO_ROOT, ".cache", "kafka", kafkaVersion());
  const libs = join(versionDir, "libs");
  const marker = join(versionDir, ".complete");
  const pomHash = createHash("sha256").update(readFileSync(POM)).digest("hex");
  const isComplete = (): boolean =>
    existsSync(marker) && readFileSync(marker, "utf8").trim() === pomHash && existsSync(libs);
  if (isComplete()) return libs;

  const mvn = requireBinary("mvn");
  mkdirSync(versionDir, { recursive: true });
  const partial = join(versionDir, `libs.partial-${process.pid}`);
  rmSync(partial, { recursive: true, force: true });
  try {
    await run(
      mvn,
      ["-q", "-B", "-f", POM, "dependency:copy-dependencies", `-DoutputDirectory=${partial}`, "-DincludeScope=runtime"],
      { timeoutMs: 600_000 },
    );
    if (!readdirSync(partial).some((file) => file.startsWith("kafka_2.13-"))) {
      throw new Error(`mvn finished but ${partial} holds no kafka_2.13 jar`);
    }
    if (isComplete()) return libs; // another process finished first
    rmSync(marker, { force: true });
    rmSync(libs, { recursive: true, force: true });
    renameSync(partial, libs);
    writeFileSync(marker, `${pomHash}\n`);
  } finally {
    rmSync(partial, { recursive: true, force: true });
  }
  return libs;
}

/** A KRaft cluster id: 16 random bytes in URL-safe base64, as `kafka-storage random-uuid` prints. */
function randomClusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString("base64url");
    if (!id.startsWith("-")) return id; // Kafka avoids ids that look like a command-line flag
  }
}

function serverProperties(dir: string, port: number, controllerPort: number): string {
  const properties: Record<string, string | number | boolean> = {
    "process.roles": "broker,controller",
    "node.id": 1,
    "controller.quorum.voters": `1@127.0.0.1:${controllerPort}`,
    listeners: `PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
    "advertised.listeners": `PLAINTEXT://127.0.0.1:${port}`,
    "controller.listener.names": "CONTROLLER",
    "inter.broker.listener.name": "PLAINTEXT",
    "listener.security.protocol.map": "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
    "log.dirs": join(dir, "data"),
    "num.partitions": 3,
    "auto.create.topics.enable": true,
    "group.initial.rebalance.delay.ms": 0,
    "offsets.topic.replication.factor": 1,
    // One partition instead of 50: the first consumer group is ready in well under a second.
    "offsets.topic.num.partitions": 1,
    "transaction.state.log.replication.factor": 1,
    "transaction.state.log.min.isr": 1,
    "transaction.state.log.num.partitions": 1,
    // A 2-core machine: fewer threads than the defaults (3 network, 8 io, 10 background).
    "num.network.threads": 2,
    "num.io.threads": 2,
    "background.threads": 2,
  };
  return Object.entries(properties)
    .map(([key, value]) => `${key}=${String(value)}`)
    .join("\n");
}

async function brokerAnswers(brokers: string, clusterId: string): Promise<boolean> {
  const admin = new Kafka({
    clientId: "handoff-infra-probe",
    brokers: [brokers],
    logLevel: logLevel.NOTHING,
    connectionTimeout: 1_000,
    retry: { retries: 0 },
  }).admin();
  try {
    await admin.connect();
    const cluster = await admin.describeCluster();
    if (cluster.clusterId !== clusterId) {
      throw new Error(`${brokers} is another Kafka (cluster id ${cluster.clusterId}, ours is ${clusterId})`);
    }
    return cluster.brokers.length > 0 && cluster.controller !== null;
  } finally {
    await admin.disconnect();
  }
}

/** Creating (and dropping) a topic proves the controller and the broker's metadata work. */
async function createProbeTopic(brokers: string): Promise<void> {
  const admin = new Kafka({
    clientId: "handoff-infra-probe",
    brokers: [brokers],
    logLevel: logLevel.NOTHING,
  }).admin();
  try {
    await admin.connect();
    const topic = `handoff-infra-probe-${randomBytes(4).toString("hex")}`;
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
    await admin.deleteTopics({ topics: [topic] });
  } finally {
    await admin.disconnect();
  }
}

/**
 * One Apache Kafka node in KRaft mode (broker and controller in one JVM) on free loopback ports,
 * its data and log in a temp dir. Resolves once a client can describe the cluster and create a
 * topic.
 */
export async function startKafka(options: KafkaOptions = {}): Promise<StartedKafka> {
  const java = requireBinary("java");
  const libs = await ensureKafkaJars();
  const classpath = join(libs, "*");
  const port = await freePort();
  const controllerPort = await freePort();
  const brokers = `127.0.0.1:${port}`;
  const dir = makeTempDir("kafka");
  const clusterId = randomClusterId();
  const propertiesFile = join(dir.path, "server.properties");
  writeFileSync(propertiesFile, serverProperties(dir.path, port, controllerPort));
  const jvmFlags = [
    ...(options.jvmFlags ?? JVM_FLAGS),
    `-Dorg.slf4j.simpleLogger.defaultLogLevel=${options.logLevel ?? "warn"}`,
  ];

  try {
    await run(
      java,
      [
        ...jvmFlags,
        "-cp",
        classpath,
        "kafka.tools.StorageTool",
        "format",
        "-t",
        clusterId,
        "-c",
        propertiesFile,
        "--ignore-formatted",
      ],
      { timeoutMs: 60_000, dir },
    );
  } catch (error) {
    dir.remove();
    throw error;
  }

  const broker = spawnManaged({
    name: "kafka",
    command: java,
    args: [...jvmFlags, "-cp", classpath, "kafka.Kafka", propertiesFile],
    dir,
    stopTimeoutMs: 15_000,
  });
  try {
    await waitFor(() => brokerAnswers(brokers, clusterId), {
      what: `kafka on ${brokers} to answer describeCluster`,
      timeoutMs: 90_000,
      intervalMs: 200,
      process: broker,
    });
    await waitFor(async () => (await createProbeTopic(brokers), true), {
      what: `kafka on ${brokers} to create a topic`,
      timeoutMs: 30_000,
      intervalMs: 200,
      process: broker,
    });
  } catch (error) {
    await broker.stop();
    throw error;
  }
  return { brokers, stop: () => broker.stop() };
}

// `node scripts/infra/kafka.ts --ensure-jars`: resolve the jars ahead of time (CI, Dockerfiles).
if (import.meta.main) {
  if (process.argv.slice(2).join(" ") !== "--ensure-jars") {
    console.error("usage: node scripts/infra/kafka.ts --ensure-jars");
    process.exit(2);
  }
  try {
    console.log(await ensureKafkaJars());
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  }
}
