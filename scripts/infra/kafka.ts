import { createHash, randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Kafka, logLevel } from "kafkajs";
import { fixKafkajsRequestQueueTimer } from "./kafkajs-timer-fix.ts";
import { freePort } from "./ports.ts";
import { makeTempDir, run, spawnManaged, waitFor, type ManagedProcess } from "./processes.ts";
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
  /** "127.0.0.1:<port>[,…]", every node's PLAINTEXT listener (KAFKA_BROKERS). */
  brokers: string;
  stop: () => Promise<void>;
  /**
   * Stops one node (the first unless `node` is given; SIGTERM, a controlled shutdown; SIGKILL, a
   * crash) and starts it again on its data and ports. With one node that is all of Kafka.
   */
  restart: (signal?: NodeJS.Signals, node?: number, whileDown?: () => Promise<void>) => Promise<void>;
}

export interface KafkaOptions {
  /**
   * Nodes, each a broker and a controller (KRaft combined mode); default 1. With 3, topics are
   * replicated 3 times with min.insync.replicas 2, as in production, so one node may die.
   */
  nodes?: 1 | 3;
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

interface KafkaNode {
  id: number;
  port: number;
  controllerPort: number;
}

function serverProperties(dir: string, node: KafkaNode, nodes: readonly KafkaNode[]): string {
  const replicas = nodes.length;
  // One node: every replication factor 1. Three: 3 copies, and a write needs 2 of them.
  const minInSync = Math.min(2, replicas);
  const properties: Record<string, string | number | boolean> = {
    "process.roles": "broker,controller",
    "node.id": node.id,
    "controller.quorum.voters": nodes.map((n) => `${n.id}@127.0.0.1:${n.controllerPort}`).join(","),
    listeners: `PLAINTEXT://127.0.0.1:${node.port},CONTROLLER://127.0.0.1:${node.controllerPort}`,
    "advertised.listeners": `PLAINTEXT://127.0.0.1:${node.port}`,
    "controller.listener.names": "CONTROLLER",
    "inter.broker.listener.name": "PLAINTEXT",
    "listener.security.protocol.map": "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
    "log.dirs": join(dir, "data"),
    "num.partitions": 3,
    "default.replication.factor": replicas,
    "min.insync.replicas": minInSync,
    "auto.create.topics.enable": true,
    "group.initial.rebalance.delay.ms": 0,
    "offsets.topic.replication.factor": replicas,
    // One partition instead of 50: the first consumer group is ready in well under a second.
    "offsets.topic.num.partitions": 1,
    "transaction.state.log.replication.factor": replicas,
    "transaction.state.log.min.isr": minInSync,
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

async function brokerAnswers(brokers: string, clusterId: string, nodes: number): Promise<boolean> {
  const admin = new Kafka({
    clientId: "handoff-infra-probe",
    brokers: brokers.split(","),
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
    return cluster.brokers.length === nodes && cluster.controller !== null;
  } finally {
    await admin.disconnect();
  }
}

/** Creating (and dropping) a topic proves the controller and the broker's metadata work. */
async function createProbeTopic(brokers: string): Promise<void> {
  const admin = new Kafka({
    clientId: "handoff-infra-probe",
    brokers: brokers.split(","),
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
 * Apache Kafka in KRaft mode on free loopback ports: one node (broker and controller in one JVM) or a
 * 3-node cluster of them, each node's data and log in a temp dir of its own. Resolves once a client
 * can describe the cluster with every node in it and create a topic.
 */
export async function startKafka(options: KafkaOptions = {}): Promise<StartedKafka> {
  const java = requireBinary("java");
  const libs = await ensureKafkaJars();
  const classpath = join(libs, "*");
  const nodes: KafkaNode[] = [];
  for (let id = 1; id <= (options.nodes ?? 1); id++)
    nodes.push({ id, port: await freePort(), controllerPort: await freePort() });
  const brokers = nodes.map((node) => `127.0.0.1:${node.port}`).join(",");
  const clusterId = randomClusterId();
  const jvmFlags = [
    ...(options.jvmFlags ?? JVM_FLAGS),
    `-Dorg.slf4j.simpleLogger.defaultLogLevel=${options.logLevel ?? "warn"}`,
  ];
  const dirs = nodes.map(() => makeTempDir("kafka"));
  const propertiesFiles = nodes.map((node, i) => {
    const file = join(dirs[i]!.path, "server.properties");
    writeFileSync(file, serverProperties(dirs[i]!.path, node, nodes));
    return file;
  });

  try {
    await Promise.all(
      propertiesFiles.map((file, i) =>
        run(
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
            file,
            "--ignore-formatted",
          ],
          { timeoutMs: 60_000, dir: dirs[i]! },
        ),
      ),
    );
  } catch (error) {
    for (const dir of dirs) dir.remove();
    throw error;
  }

  const spawnNode = (i: number): ManagedProcess =>
    spawnManaged({
      name: nodes.length === 1 ? "kafka" : `kafka-${nodes[i]!.id}`,
      command: java,
      args: [...jvmFlags, "-cp", classpath, "kafka.Kafka", propertiesFiles[i]!],
      dir: dirs[i]!,
      stopTimeoutMs: 15_000,
    });
  /** Waits until the cluster answers with every node and creates a topic (`watched`: fail if it exits). */
  const ready = async (watched: ManagedProcess): Promise<void> => {
    await waitFor(() => brokerAnswers(brokers, clusterId, nodes.length), {
      what: `kafka on ${brokers} to answer describeCluster with ${nodes.length} node(s)`,
      timeoutMs: 90_000,
      intervalMs: 200,
      process: watched,
    });
    await waitFor(async () => (await createProbeTopic(brokers), true), {
      what: `kafka on ${brokers} to create a topic`,
      timeoutMs: 30_000,
      intervalMs: 200,
      process: watched,
    });
  };

  const running = nodes.map((_, i) => spawnNode(i));
  try {
    await ready(running[0]!);
  } catch (error) {
    await Promise.all(running.map((node) => node.stop()));
    throw error;
  }
  return {
    brokers,
    stop: async () => {
      await Promise.all(running.map((node) => node.stop()));
    },
    restart: async (signal, node = 0, whileDown) => {
      await running[node]!.halt(signal);
      try {
        await whileDown?.();
      } finally {
        running[node] = spawnNode(node);
      }
      try {
        await ready(running[node]);
      } catch (error) {
        await running[node].stop();
        throw error;
      }
    },
  };
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
