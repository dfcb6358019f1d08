import "./telemetry";
import {
  createEventProducer,
  createKafka,
  createLogger,
  createRedis,
  followRedisHealth,
  installShutdown,
  redisOptionsFrom,
  redisReady,
  runLeaderDuties,
  runMain,
  loadGrpcTls,
  startGrpcServer,
  startLeadership,
} from "@handoff/runtime";
import { stopTelemetry } from "@handoff/runtime/telemetry";
import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import { loadAcdConfig } from "./config";
import { OfferFeed } from "./events/offer-feed";
import { routingOutboxRelay } from "./events/outbox-relay";
import { acdService } from "./grpc/acd-service";
import { keys } from "./store/keys";
import { RoutingStore } from "./store/routing-store";
import { TimerSweeper } from "./timers/timer-sweeper";

runMain("acd", async () => {
  const config = loadAcdConfig();
  const tls = loadGrpcTls(config);
  const logger = createLogger("acd", config.LOG_LEVEL);
  const redis = createRedis(redisOptionsFrom(config, "acd"));
  await redisReady(redis);
  const store = new RoutingStore(redis, {
    maxWaitingPerTeam: config.MAX_WAITING_PER_TEAM,
    maxSessionsPerSite: config.MAX_SESSIONS_PER_SITE,
  });
  // Calls load it again on any node that lost it; loading now spares the first calls that round trip.
  await store.load();
  const kafka = createKafka({ clientId: "acd", brokers: config.KAFKA_BROKERS, logger });
  const producer = await createEventProducer(kafka);
  // Every offer stream of this replica shares these two connections, whatever the number of sites.
  const offerWakeups = redis.duplicate();
  await redisReady(offerWakeups);
  const feed = new OfferFeed(redis, offerWakeups, logger);

  // This replica may replace one killed between a function and its due mark (runtime DueIndexes):
  // every site is marked once, so the leader visits it whatever that write was.
  store.markEverySite().catch((error: unknown) => logger.warn({ err: error }, "could not mark every site as due"));
  const leadership = startLeadership({
    redis,
    key: keys.leader,
    leaseName: "handoff-acd-due-leader",
    holderId: `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`,
    logger,
  });
  const relay = routingOutboxRelay(redis, store, producer);
  const sweeper = new TimerSweeper(store);
  leadership.onChange((leader) => {
    if (!leader) return;
    store.markEverySite().catch((error: unknown) => logger.warn({ err: error }, "could not mark every site as due"));
  });
  const duties = runLeaderDuties(
    leadership,
    [
      { name: "timer-sweeper", iterate: () => sweeper.sweep() },
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
    services: [acdService(store, feed, logger, config.ESTIMATE_RECORD_INTERVAL_MS, config.MAX_STREAMS_PER_CALLER)],
  });
  const health = followRedisHealth([redis, offerWakeups], (healthy) => {
    grpc.setServing(healthy);
    logger[healthy ? "info" : "warn"]({ serving: healthy }, healthy ? "Redis reachable" : "Redis out of reach");
  });
  logger.info({ grpcPort: grpc.port, grpcHealthPort: grpc.healthPort }, "acd listening");

  installShutdown(logger, config.SHUTDOWN_TIMEOUT_MS, [
    {
      name: "grpc",
      run: () => {
        health.stop();
        return grpc.drain(config.SHUTDOWN_TIMEOUT_MS / 2);
      },
    },
    {
      name: "offer feed",
      run: async () => {
        await feed.close();
        await offerWakeups.quit();
      },
    },
    { name: "leader duties", run: () => duties.stop() },
    { name: "leadership", run: () => leadership.stop() },
    { name: "kafka", run: () => producer.disconnect() },
    { name: "redis", run: async () => void (await redis.quit()) },
    { name: "telemetry", run: stopTelemetry },
  ]);
});
