// By-hand check of the harness: `node scripts/infra/selfcheck.ts`. Starts everything, uses each
// part once, stops, and verifies that no process of ours is left.
import { execFileSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { Redis, Cluster } from "ioredis";
import { Kafka, logLevel, Partitioners } from "kafkajs";
import pg from "pg";
import { startInfrastructure } from "./index.ts";
import { isPortFree } from "./ports.ts";

/** Processes of ours: servers and reapers by temp dir, redis-server by port (it rewrites its title). */
function leftovers(dirs: readonly string[], ports: readonly number[]): string {
  const patterns = [...dirs.map((dir) => `/${dir}`), ...ports.map((port) => `redis-server 127\\.0\\.0\\.1:${port}`)];
  try {
    return execFileSync("pgrep", ["-af", patterns.join("|")], { encoding: "utf8" }).trim();
  } catch {
    return ""; // pgrep exits 1 when nothing matches
  }
}

function tempDirs(): string[] {
  return readdirSync(tmpdir()).filter((name) => name.startsWith("handoff-"));
}

function check(ok: boolean, what: string): void {
  if (!ok) throw new Error(`selfcheck failed: ${what}`);
  console.log(`ok  ${what}`);
}

const dirsBefore = tempDirs();
const startedAt = performance.now();
const infrastructure = await startInfrastructure({
  redisCluster: true,
  env: {},
  log: (line) => console.log(`[infra] ${line}`),
});
console.log(`all started in ${Math.round(performance.now() - startedAt)} ms`);
const ourDirs = tempDirs().filter((name) => !dirsBefore.includes(name));
const { REDIS_URL, KAFKA_BROKERS, DATABASE_URL, REDIS_CLUSTER_NODES } = infrastructure.env;

try {
  const redis = new Redis(REDIS_URL ?? "");
  check((await redis.ping()) === "PONG", `PING ${REDIS_URL}`);
  redis.disconnect();

  const cluster = new Cluster(
    (REDIS_CLUSTER_NODES ?? "").split(",").map((node) => {
      const [host, port] = node.split(":");
      return { host: host ?? "", port: Number(port) };
    }),
  );
  const info = await cluster.cluster("INFO");
  check(String(info).includes("cluster_state:ok"), `cluster_state:ok on ${REDIS_CLUSTER_NODES}`);
  for (let i = 0; i < 20; i++) await cluster.set(`k${i}`, String(i));
  check((await cluster.get("k7")) === "7", "cluster SET/GET across slots");
  cluster.disconnect();

  const kafka = new Kafka({ clientId: "selfcheck", brokers: [KAFKA_BROKERS ?? ""], logLevel: logLevel.WARN });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: "selfcheck", numPartitions: 3 }], waitForLeaders: true });
  await admin.disconnect();
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  await producer.send({ topic: "selfcheck", messages: [{ key: "k", value: "hello" }] });
  await producer.disconnect();
  const consumer = kafka.consumer({ groupId: "selfcheck" });
  await consumer.connect();
  await consumer.subscribe({ topic: "selfcheck", fromBeginning: true });
  const consumeStart = performance.now();
  const received = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("no message in 30 s")), 30_000);
    void consumer.run({
      eachMessage: ({ message }) => {
        clearTimeout(timer);
        resolve(message.value?.toString() ?? "");
        return Promise.resolve();
      },
    });
  });
  check(
    received === "hello",
    `kafka produce/consume on ${KAFKA_BROKERS} (consumer got it in ${Math.round(performance.now() - consumeStart)} ms)`,
  );
  await consumer.disconnect();

  const client = new pg.Client({ connectionString: DATABASE_URL });
  await client.connect();
  const result = await client.query<{ one: number }>("select 1 as one");
  check(result.rows[0]?.one === 1, `select 1 on ${DATABASE_URL}`);
  await client.end();
} finally {
  const stopStart = performance.now();
  await infrastructure.stop();
  console.log(`all stopped in ${Math.round(performance.now() - stopStart)} ms`);
}

const ports = Object.values(infrastructure.env).flatMap((value: string) =>
  [...value.matchAll(/127\.0\.0\.1:(\d+)/g)].map((match) => Number(match[1])),
);
const left = leftovers(ourDirs, ports);
check(left === "", `no redis-server/java/postgres/reaper of ours left${left ? `:\n${left}` : ""}`);
const busy = [];
for (const port of ports) if (!(await isPortFree(port))) busy.push(port);
check(busy.length === 0, `ports ${ports.join(",")} all free again${busy.length ? ` (busy: ${busy.join(",")})` : ""}`);
const dirsLeft = tempDirs().filter((name) => ourDirs.includes(name));
check(dirsLeft.length === 0, `temp dirs removed${dirsLeft.length ? ` (left: ${dirsLeft.join(" ")})` : ""}`);
