import { randomUUID } from "node:crypto";
// Not the package index: it also exports the vitest lifecycle suite, and vitest refuses to load
// outside a vitest run.
import { startService, type ServiceProcess } from "@handoff/testing/dist/service-process";
import { onCleanup, type BenchInfrastructure } from "./infra";

/** A start waits this long: the broker's start waits for its Kafka consumer groups. */
const START_TIMEOUT_MS = 90_000;

export interface SessionServicesOptions {
  /** Run the services with OpenTelemetry on (as deployed). */
  otel: boolean;
  /** Start presence and point the broker at it; otherwise the broker's presence address leads nowhere. */
  presence: boolean;
  /** Settings of presence beyond its infrastructure and the acd's address. */
  presenceEnv?: Record<string, string>;
  /** Settings of the broker beyond its infrastructure, peers and consumer group. */
  brokerEnv?: Record<string, string>;
  /** NODE_OPTIONS of the broker, e.g. "--cpu-prof --cpu-prof-dir=/tmp/broker-prof". */
  brokerNodeOptions?: string;
}

export interface SessionServices {
  acd: ServiceProcess;
  presence?: ServiceProcess;
  broker: ServiceProcess;
}

/**
 * The acd, optionally presence, and one session-broker as child processes on the bench's
 * infrastructure, each stopped at the end of the run. The broker gets Kafka consumer groups of its
 * own, so it never shares a group with whatever else uses the same Kafka.
 */
export async function startSessionServices(
  infra: BenchInfrastructure,
  options: SessionServicesOptions,
): Promise<SessionServices> {
  if (!infra.kafkaBrokers || !infra.databaseUrl) throw new Error("the session services need Kafka and PostgreSQL");
  const otel = options.otel ? {} : { OTEL_SDK_DISABLED: "true" };
  const acd = await startService(
    "acd",
    { REDIS_URL: infra.redisUrl, KAFKA_BROKERS: infra.kafkaBrokers, ...otel },
    START_TIMEOUT_MS,
  );
  onCleanup("acd", () => acd.stop("SIGTERM"));
  const acdAddress = `127.0.0.1:${acd.grpcPort}`;
  let presence: ServiceProcess | undefined;
  if (options.presence) {
    const started = await startService(
      "presence",
      {
        REDIS_URL: infra.redisUrl,
        KAFKA_BROKERS: infra.kafkaBrokers,
        ACD_ADDRESS: acdAddress,
        ...otel,
        ...options.presenceEnv,
      },
      START_TIMEOUT_MS,
    );
    onCleanup("presence", () => started.stop("SIGTERM"));
    presence = started;
  }
  const broker = await startService(
    "session-broker",
    {
      REDIS_URL: infra.redisUrl,
      KAFKA_BROKERS: infra.kafkaBrokers,
      DATABASE_URL: infra.databaseUrl,
      ACD_ADDRESS: acdAddress,
      // Without presence, reps are told to the acd directly, as presence would.
      PRESENCE_ADDRESS: presence ? `127.0.0.1:${presence.grpcPort}` : "127.0.0.1:1",
      KAFKA_CONSUMER_GROUP: `bench-broker-${randomUUID().slice(0, 8)}`,
      ...otel,
      ...options.brokerEnv,
      ...(options.brokerNodeOptions ? { NODE_OPTIONS: options.brokerNodeOptions } : {}),
    },
    START_TIMEOUT_MS,
  );
  onCleanup("session-broker", () => broker.stop("SIGTERM"));
  return { acd, presence, broker };
}
