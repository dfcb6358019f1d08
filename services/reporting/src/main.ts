import "./telemetry";
import path from "node:path";
import {
  createHttpApp,
  createKafka,
  createLogger,
  createPgPool,
  installShutdown,
  kafkaReadiness,
  migrate,
  postgresReadiness,
  runMain,
  startGrpcServer,
  startHttpServer,
  tokenVerifierFromSettings,
} from "@handoff/runtime";
import { stopTelemetry } from "@handoff/runtime/telemetry";
import { loadReportingConfig } from "./config";
import { ConsumerLag } from "./events/consumer-lag";
import { startIngestConsumers } from "./events/ingest-consumers";
import { INGEST_TOPICS } from "./events/ingest-topics";
import { mountMetricsDictionary } from "./http/metrics-dictionary-route";
import { mountSupervisorApi } from "./http/supervisor-api";
import { EventIngester } from "./ingest/event-ingester";
import { RealtimeStore } from "./store/realtime-store";
import { RepFactsReader } from "./store/rep-facts-reader";
import { SessionFactsReader } from "./store/session-facts-reader";

runMain("reporting", async () => {
  const config = loadReportingConfig();
  const logger = createLogger("reporting", config.LOG_LEVEL);
  const pool = createPgPool(config.DATABASE_URL);
  const applied = await migrate(pool, path.join(__dirname, "store", "migrations"), "reporting_schema_migrations");
  if (applied.length > 0) logger.info({ applied }, "database migrated");
  const verifier = await tokenVerifierFromSettings("SUPERVISOR", config, logger, { api: "supervisor API" });
  const kafka = createKafka({ clientId: "reporting", brokers: config.KAFKA_BROKERS, logger });
  const kafkaReady = kafkaReadiness(kafka);

  const consumers = await startIngestConsumers(kafka, {
    groupPrefix: config.KAFKA_CONSUMER_GROUP,
    topics: INGEST_TOPICS,
    ingester: new EventIngester(pool, logger),
    lag: new ConsumerLag(),
  });
  const joinTimeout = new Promise<"timeout">((resolve) =>
    setTimeout(() => resolve("timeout"), config.CONSUMER_JOIN_TIMEOUT_MS).unref(),
  );
  if ((await Promise.race([consumers.joined, joinTimeout])) === "timeout")
    logger.info(
      { waitedMs: config.CONSUMER_JOIN_TIMEOUT_MS },
      "ingest consumers still joining; not ready until they have",
    );

  const grpc = await startGrpcServer({ host: config.GRPC_HOST, port: config.GRPC_PORT, services: [] });
  const app = createHttpApp({
    logger,
    readiness: [postgresReadiness(pool), kafkaReady, consumers.readiness],
    routes: (routes) => {
      mountMetricsDictionary(routes);
      mountSupervisorApi(
        routes,
        {
          realtime: new RealtimeStore(pool),
          facts: new SessionFactsReader(pool),
          repFacts: new RepFactsReader(pool),
          now: () => Date.now(),
        },
        { verifier, rateLimitPerMinute: config.SUPERVISOR_RATE_LIMIT_PER_MINUTE },
      );
    },
  });
  const http = await startHttpServer(app, config.HTTP_HOST, config.HTTP_PORT);
  grpc.setServing(true);
  logger.info({ grpcPort: grpc.port, httpPort: http.port }, "reporting listening");

  installShutdown(logger, config.SHUTDOWN_TIMEOUT_MS, [
    { name: "http", run: () => http.drain(config.SHUTDOWN_TIMEOUT_MS / 2) },
    { name: "grpc", run: () => grpc.drain(config.SHUTDOWN_TIMEOUT_MS / 2) },
    { name: "kafka consumers", run: () => consumers.disconnect() },
    { name: "kafka", run: () => kafkaReady.close() },
    { name: "postgres", run: () => pool.end() },
    { name: "telemetry", run: stopTelemetry },
  ]);
});
