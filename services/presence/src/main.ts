import "./telemetry";
import {
  createEventProducer,
  createKafka,
  createLogger,
  createRedis,
  installShutdown,
  redisOptionsFrom,
  redisReady,
  runLeaderDuties,
  runMain,
  loadGrpcTls,
  startGrpcServer,
  startLeadership,
  StreamOutboxRelay,
} from "@handoff/runtime";
import { stopTelemetry } from "@handoff/runtime/telemetry";
import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import { connectAcd } from "./routing-client/acd-client";
import { CapacityPusher } from "./routing-client/capacity-pusher";
import { loadPresenceConfig } from "./config";
import { followOfferExpiries } from "./events/offer-expiry-consumer";
import { PRESENCE_TOPIC, toPresenceMessage } from "./events/presence-events";
import { presenceService } from "./grpc/presence-service";
import { HeartbeatSweeper } from "./heartbeat-sweeper";
import { PresenceCommands } from "./presence-commands";
import { keys } from "./store/keys";
import { PresenceStore } from "./store/presence-store";

runMain("presence", async () => {
  const config = loadPresenceConfig();
  const tls = loadGrpcTls(config);
  const logger = createLogger("presence", config.LOG_LEVEL);
  const redis = createRedis(redisOptionsFrom(config, "presence"));
  await redisReady(redis);
  const store = new PresenceStore(redis, config.MAX_CONNECTIONS_PER_REP);
  // Calls load it again on any node that lost it; loading now spares the first calls that round trip.
  await store.load();
  const acd = connectAcd(config.ACD_ADDRESS, tls);
  const kafka = createKafka({ clientId: "presence", brokers: config.KAFKA_BROKERS, logger });
  const producer = await createEventProducer(kafka);

  const pusher = new CapacityPusher(store, acd, logger);
  const commands = new PresenceCommands(store, pusher, acd, config.HEARTBEAT_INTERVAL_MS * config.HEARTBEAT_TOLERANCE);
  // Joining the consumer group can wait for a crashed predecessor's session to time out; serving
  // the API must not.
  const expiries = followOfferExpiries(kafka, commands, logger);
  expiries.catch((error: unknown) => logger.error({ err: error }, "offer-expiry consumer failed to start"));

  const relay = new StreamOutboxRelay({
    redis,
    producer,
    topic: PRESENCE_TOPIC,
    due: store.due,
    outboxKey: keys.outbox,
    cursorKey: keys.relayCursor,
    toEvent: toPresenceMessage,
  });
  const sweeper = new HeartbeatSweeper(store, pusher);
  // This replica may replace one killed between a function and its due mark (runtime DueIndexes):
  // every site is marked once, so the leader visits it whatever that write was.
  store.markEverySite().catch((error: unknown) => logger.warn({ err: error }, "could not mark every site as due"));
  const leadership = startLeadership({
    redis,
    key: keys.leader,
    leaseName: "handoff-presence-due-leader",
    holderId: `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`,
    logger,
  });
  leadership.onChange((leader) => {
    if (!leader) return;
    store.markEverySite().catch((error: unknown) => logger.warn({ err: error }, "could not mark every site as due"));
  });
  const duties = runLeaderDuties(
    leadership,
    [
      { name: "heartbeat-sweeper", iterate: () => sweeper.sweep() },
      { name: "capacity-retry", iterate: () => pusher.pushOverdue() },
      { name: "outbox-relay", iterate: () => relay.relayDue() },
    ],
    logger,
  );

  const grpc = await startGrpcServer({
    host: config.GRPC_HOST,
    port: config.GRPC_PORT,
    tls,
    healthPort: config.GRPC_HEALTH_PORT,
    maxConnectionAgeMs: config.GRPC_MAX_CONNECTION_AGE_MS,
    maxConnectionAgeGraceMs: config.GRPC_MAX_CONNECTION_AGE_GRACE_MS,
    services: [presenceService(commands, store, acd, logger)],
  });
  grpc.setServing(true);
  logger.info({ grpcPort: grpc.port, grpcHealthPort: grpc.healthPort }, "presence listening");

  installShutdown(logger, config.SHUTDOWN_TIMEOUT_MS, [
    { name: "grpc", run: () => grpc.drain(config.SHUTDOWN_TIMEOUT_MS / 2) },
    {
      name: "background work",
      run: async () =>
        void (await Promise.all([
          expiries.then(
            (c) => c.disconnect(),
            () => undefined,
          ),
          duties.stop().then(() => leadership.stop()),
        ])),
    },
    { name: "kafka", run: () => producer.disconnect() },
    { name: "acd", run: () => Promise.resolve(acd.close()) },
    { name: "redis", run: async () => void (await redis.quit()) },
    { name: "telemetry", run: stopTelemetry },
  ]);
});
