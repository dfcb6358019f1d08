import "./telemetry";
import path from "node:path";
import {
  createHttpApp,
  createKafka,
  createLogger,
  createPgPool,
  installShutdown,
  kafkaReadiness,
  loadOrCreateDevSigningKey,
  migrate,
  mountDevTokenRoute,
  mountStaticPage,
  postgresReadiness,
  runMain,
  loadGrpcTls,
  startGrpcServer,
  startHttpServer,
  tokenVerifierFromSettings,
} from "@handoff/runtime";
import { stopTelemetry } from "@handoff/runtime/telemetry";
import { loadReportingConfig } from "./config";
import { ConsumerLag } from "./events/consumer-lag";
import { startIngestConsumers } from "./events/ingest-consumers";
import { mountMetricsDictionary } from "./http/metrics-dictionary-route";
import { mountSupervisorApi } from "./http/supervisor-api";
import { mountSupervisorStream, type SupervisorStreams } from "./http/supervisor-stream";
import { EventIngester } from "./ingest/event-ingester";
import { startRetentionJob } from "./ingest/retention-job";
import { LiveHub } from "./live/live-hub";
import { LiveSnapshotReader } from "./live/live-snapshot-reader";
import { SiteChangeListener } from "./live/site-change-listener";
import { RealtimeStore } from "./store/realtime-store";
import { RetentionStore } from "./store/retention-store";
import { RepFactsReader } from "./store/rep-facts-reader";
import { SessionFactsReader } from "./store/session-facts-reader";
import { SessionHistoryReader } from "./store/session-history-reader";
import { SessionListReader } from "./store/session-list-reader";
import { SiteSettingsStore } from "./store/site-settings-store";

/** The wallboard page as `npm run build` leaves it in this repository (from dist/). */
const DEFAULT_WALLBOARD_DIR = path.resolve(__dirname, "..", "wallboard", "dist");
/** Frames of one live view are at least this far apart (at most 4 a second), whatever the event rate. */
const LIVE_MIN_FRAME_GAP_MS = 250;
/** The wallboard's day figures (a read of the whole day's facts) are read again at most this often. */
const LIVE_DAY_REFRESH_MS = 5_000;
/** A live stream ends after this long, so a lapsed token is not served on; the page reconnects. */
const LIVE_STREAM_MAX_AGE_MS = 30 * 60_000;

runMain("reporting", async () => {
  const config = loadReportingConfig();
  const tls = loadGrpcTls(config);
  const logger = createLogger("reporting", config.LOG_LEVEL);
  const pool = createPgPool(config.DATABASE_URL, undefined, logger);
  const applied = await migrate(pool, path.join(__dirname, "store", "migrations"), "reporting_schema_migrations");
  if (applied.length > 0) logger.info({ applied }, "database migrated");
  const verifier = await tokenVerifierFromSettings("SUPERVISOR", config, logger, { api: "supervisor API" });
  const kafka = createKafka({ clientId: "reporting", brokers: config.KAFKA_BROKERS, logger });
  const kafkaReady = kafkaReadiness(kafka);

  const consumers = await startIngestConsumers(kafka, {
    groupPrefix: config.KAFKA_CONSUMER_GROUP,
    topics: {
      routing: config.ROUTING_TOPIC,
      presence: config.PRESENCE_TOPIC,
      sessions: config.SESSIONS_TOPIC,
      sites: config.SITES_TOPIC,
    },
    ingester: new EventIngester(pool, logger),
    lag: new ConsumerLag(),
    batchSize: config.INGEST_BATCH_SIZE,
  });
  const retention = startRetentionJob(new RetentionStore(pool), logger, {
    retentionDays: config.REPORTING_RETENTION_DAYS,
    intervalMs: config.RETENTION_SWEEP_INTERVAL_MS,
  });
  const joinTimeout = new Promise<"timeout">((resolve) =>
    setTimeout(() => resolve("timeout"), config.CONSUMER_JOIN_TIMEOUT_MS).unref(),
  );
  if ((await Promise.race([consumers.joined, joinTimeout])) === "timeout")
    logger.info(
      { waitedMs: config.CONSUMER_JOIN_TIMEOUT_MS },
      "ingest consumers still joining; not ready until they have",
    );

  const realtime = new RealtimeStore(pool);
  const facts = new SessionFactsReader(pool);
  const siteSettings = new SiteSettingsStore(pool);
  const hub = new LiveHub(
    new LiveSnapshotReader(realtime, facts, siteSettings, () => Date.now()),
    {
      perReplica: config.SUPERVISOR_STREAMS_PER_REPLICA,
      perSite: config.SUPERVISOR_STREAMS_PER_SITE,
      perSupervisor: config.SUPERVISOR_STREAMS_PER_SUPERVISOR,
    },
    { minFrameGapMs: LIVE_MIN_FRAME_GAP_MS, dayRefreshMs: LIVE_DAY_REFRESH_MS },
    logger,
  );
  const changes = new SiteChangeListener(config.DATABASE_URL, hub, logger);
  await changes.start();
  // Development auth (no issuer, never in production): the wallboard may ask for a supervisor token.
  const devKey = config.SUPERVISOR_JWT_ISSUER ? undefined : await loadOrCreateDevSigningKey();
  const wallboardDir = config.WALLBOARD_DIR ?? DEFAULT_WALLBOARD_DIR;
  let streams: SupervisorStreams | undefined;

  const grpc = await startGrpcServer({
    host: config.GRPC_HOST,
    port: config.GRPC_PORT,
    services: [],
    tls,
    healthPort: config.GRPC_HEALTH_PORT,
    maxConnectionAgeMs: config.GRPC_MAX_CONNECTION_AGE_MS,
    maxConnectionAgeGraceMs: config.GRPC_MAX_CONNECTION_AGE_GRACE_MS,
  });
  const app = createHttpApp({
    logger,
    readiness: [postgresReadiness(pool), kafkaReady, consumers.readiness],
    routes: (routes) => {
      mountMetricsDictionary(routes);
      if (devKey)
        mountDevTokenRoute(routes, devKey, logger, { page: "the wallboard", issuerSetting: "SUPERVISOR_JWT_ISSUER" });
      if (wallboardDir)
        mountStaticPage(routes, { what: "wallboard", urlPath: "/wallboard", dir: wallboardDir }, logger);
      streams = mountSupervisorStream(routes, hub, {
        verifier,
        rateLimitPerMinute: config.SUPERVISOR_RATE_LIMIT_PER_MINUTE,
        heartbeatMs: config.SUPERVISOR_STREAM_HEARTBEAT_MS,
        maxAgeMs: LIVE_STREAM_MAX_AGE_MS,
      });
      mountSupervisorApi(
        routes,
        {
          realtime,
          facts,
          repFacts: new RepFactsReader(pool),
          sessionList: new SessionListReader(pool),
          sessionHistory: new SessionHistoryReader(pool),
          siteSettings,
          now: () => Date.now(),
        },
        { verifier, rateLimitPerMinute: config.SUPERVISOR_RATE_LIMIT_PER_MINUTE },
      );
    },
  });
  const http = await startHttpServer(app, config.HTTP_HOST, config.HTTP_PORT);
  grpc.setServing(true);
  logger.info({ grpcPort: grpc.port, grpcHealthPort: grpc.healthPort, httpPort: http.port }, "reporting listening");

  installShutdown(logger, config.SHUTDOWN_TIMEOUT_MS, [
    { name: "live streams", run: () => Promise.resolve(streams?.closeAll()) },
    { name: "change feed", run: () => changes.stop() },
    { name: "http", run: () => http.drain(config.SHUTDOWN_TIMEOUT_MS / 2) },
    { name: "grpc", run: () => grpc.drain(config.SHUTDOWN_TIMEOUT_MS / 2) },
    { name: "kafka consumers", run: () => consumers.disconnect() },
    { name: "retention", run: () => retention.stop() },
    { name: "kafka", run: () => kafkaReady.close() },
    { name: "postgres", run: () => pool.end() },
    { name: "telemetry", run: stopTelemetry },
  ]);
});
