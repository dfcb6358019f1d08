import "./telemetry";
import path from "node:path";
import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import {
  createEventProducer,
  createHttpApp,
  createKafka,
  createLogger,
  createPgPool,
  createRedis,
  installShutdown,
  kafkaReadiness,
  migrate,
  postgresReadiness,
  redisOptionsFrom,
  redisReady,
  runLeaderDuties,
  runMain,
  startGrpcServer,
  startHttpServer,
  startLeadership,
} from "@handoff/runtime";
import { stopTelemetry } from "@handoff/runtime/telemetry";
import { DEVELOPMENT_CREDENTIAL_SECRET, loadSessionBrokerConfig } from "./config";
import { SessionLifecycle } from "./commands/session-lifecycle";
import { SessionViews } from "./commands/session-views";
import { CredentialHasher } from "./domain/credential-hash";
import { RoutingEventConsumer } from "./events/routing-event-consumer";
import { SessionOutboxRelay } from "./events/session-outbox-relay";
import { sessionBrokerService } from "./grpc/session-broker-service";
import { AcdPort } from "./routing/acd-port";
import { OfferStore } from "./store/offer-store";
import { ParticipantStore } from "./store/participant-store";
import { SessionStore } from "./store/session-store";
import { SettingsStore } from "./store/settings-store";
import { CredentialCommands } from "./commands/credential-commands";

runMain("session-broker", async () => {
  const config = loadSessionBrokerConfig();
  const logger = createLogger("session-broker", config.LOG_LEVEL);
  if (!config.CREDENTIAL_SECRET)
    logger.info("development mode: credentials are hashed under the development secret (set CREDENTIAL_SECRET)");
  const hasher = new CredentialHasher(config.CREDENTIAL_SECRET ?? DEVELOPMENT_CREDENTIAL_SECRET);

  const pool = createPgPool(config.DATABASE_URL);
  const applied = await migrate(pool, path.join(__dirname, "store", "migrations"));
  if (applied.length > 0) logger.info({ applied }, "database migrated");
  const redis = createRedis(redisOptionsFrom(config, "session-broker"));
  await redisReady(redis);
  const kafka = createKafka({ clientId: "session-broker", brokers: config.KAFKA_BROKERS, logger });
  const producer = await createEventProducer(kafka);
  const kafkaReady = kafkaReadiness(kafka);

  const acd = new AcdPort(config.ACD_ADDRESS);
  const store = new SessionStore(pool);
  const participants = new ParticipantStore(pool);
  const offers = new OfferStore(pool);
  const settings = new SettingsStore(pool);
  const lifecycle = new SessionLifecycle(store, participants, offers, settings, acd, hasher, logger);
  const views = new SessionViews(store, participants, acd);
  const credentials = new CredentialCommands(pool, store, participants, settings, hasher, logger);
  const deps = {
    logger,
    store,
    participants,
    offers,
    settings,
    acd,
    hasher,
    lifecycle,
    views,
    redemption: credentials,
    credentials,
  };

  const routingEvents = await new RoutingEventConsumer(store, lifecycle, logger).start(kafka);

  const leadership = startLeadership({
    redis,
    key: "hq:leader:session-broker",
    leaseName: "handoff-session-broker-leader",
    holderId: `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`,
    logger,
  });
  const relay = new SessionOutboxRelay(pool, producer);
  const duties = runLeaderDuties(leadership, [{ name: "outbox-relay", iterate: () => relay.relayOnce() }], logger);

  const grpc = await startGrpcServer({
    host: config.GRPC_HOST,
    port: config.GRPC_PORT,
    services: [sessionBrokerService(deps)],
  });
  const app = createHttpApp({ logger, readiness: [postgresReadiness(pool), kafkaReady] });
  const http = await startHttpServer(app, config.HTTP_HOST, config.HTTP_PORT);
  grpc.setServing(true);
  logger.info({ grpcPort: grpc.port, httpPort: http.port }, "session-broker listening");

  installShutdown(logger, config.SHUTDOWN_TIMEOUT_MS, [
    { name: "http", run: () => http.drain(config.SHUTDOWN_TIMEOUT_MS / 2) },
    { name: "grpc", run: () => grpc.drain(config.SHUTDOWN_TIMEOUT_MS / 2) },
    { name: "routing events", run: () => routingEvents.disconnect() },
    { name: "leader duties", run: () => duties.stop() },
    { name: "leadership", run: () => leadership.stop() },
    { name: "kafka", run: async () => void (await Promise.all([producer.disconnect(), kafkaReady.close()])) },
    { name: "acd client", run: () => Promise.resolve(acd.close()) },
    { name: "redis", run: async () => void (await redis.quit()) },
    { name: "postgres", run: () => pool.end() },
    { name: "telemetry", run: stopTelemetry },
  ]);
});
