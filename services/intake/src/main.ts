import "./telemetry";
import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import path from "node:path";
import {
  clientAddressKey,
  createHttpApp,
  createKafka,
  createRedis,
  createEventProducer,
  createLogger,
  createPgPool,
  ensureTopics,
  grpcDependencyReadiness,
  installShutdown,
  migrate,
  PostgresOutboxRelay,
  postgresReadiness,
  redisOptionsFrom,
  runMain,
  loadGrpcTls,
  sharedRateLimit,
  startBackgroundLoop,
  startGrpcServer,
  startHttpServer,
  tokenVerifierFromSettings,
} from "@handoff/runtime";
import { TOPIC_CONFIGS } from "@handoff/proto";
import { stopTelemetry } from "@handoff/runtime/telemetry";
import { ADMIN_JSON_LIMIT, mountAdminApi } from "./admin/admin-api";
import { PortalConfigCommands } from "./admin/portal-config-commands";
import { SiteRetirement } from "./admin/site-retirement";
import { loadIntakeConfig } from "./config";
import { SITE_EVENT_SCHEMA_VERSION, SITES_TOPIC } from "./events/site-events";
import { CustomerBroker } from "./portal/customer-broker";
import { CustomerStreams } from "./portal/customer-streams";
import { mountPortalApi, PORTAL_JSON_LIMIT } from "./portal/portal-api";
import { QueuePositions } from "./portal/queue-positions";
import { QueueWatch } from "./portal/queue-watch";
import { StreamClaims } from "./portal/stream-claims";
import { AwayRegistry } from "./portal/away-registry";
import { CallbackWatch } from "./portal/callback-watch";
import { WebhookNotifier } from "./portal/webhook-notifier";
import { RepDirectory } from "./portal/rep-directory";
import { SitePortals } from "./portal/site-portals";
import { WaitPreview } from "./portal/wait-preview";
import { AcdRouting } from "./routing/acd-routing";
import { PresenceSites } from "./routing/presence-sites";
import { PortalConfigStore } from "./store/portal-config-store";
import { DEFAULT_WIDGET_DIR, mountWidgetAssets } from "./widget-assets";

/** How long start-up waits for the queue watch's consumer group before serving anyway. */
const QUEUE_WATCH_JOIN_WAIT_MS = 15_000;
/** Saves are rare: the site outbox is looked at this often (a save reaches Kafka within it). */
const SITE_OUTBOX_POLL_MS = 1_000;
/** Sites announced per backfill query at start, and the most such queries. */
const BACKFILL_BATCH = 500;
const BACKFILL_MAX_BATCHES = 1_000;

runMain("intake", async () => {
  const config = loadIntakeConfig();
  const tls = loadGrpcTls(config);
  const logger = createLogger("intake", config.LOG_LEVEL);

  const pool = createPgPool(config.DATABASE_URL, undefined, logger);
  const applied = await migrate(pool, path.join(__dirname, "store", "migrations"), "intake_schema_migrations");
  if (applied.length > 0) logger.info({ applied }, "database migrated");
  const routing = new AcdRouting(config.ACD_ADDRESS, tls);
  const portalStore = new PortalConfigStore(pool);
  const portalConfigs = new PortalConfigCommands(portalStore, routing);
  const presenceSites = new PresenceSites(config.PRESENCE_ADDRESS, tls);
  const retirement = new SiteRetirement(routing, presenceSites, portalStore);
  const sites = new SitePortals(portalStore, routing);
  const broker = new CustomerBroker(config.SESSION_BROKER_ADDRESS, tls);
  const reps = new RepDirectory(config.PRESENCE_ADDRESS, tls);
  const redis = createRedis(redisOptionsFrom(config, "intake"));
  const claims = new StreamClaims(redis, redis.duplicate(), config.REDIS_KEY_PREFIX, logger);
  const positions = new QueuePositions(config.ACD_ADDRESS, tls);
  const away = new AwayRegistry(redis, config.REDIS_KEY_PREFIX);
  const streams = new CustomerStreams(broker, positions, sites, claims, logger, {
    safetyRefreshMs: config.POSITION_REFRESH_MS,
    openMarks: away,
  });
  const callbacks = new CallbackWatch(
    away,
    positions,
    sites,
    broker,
    new WebhookNotifier(logger, { nonPublicAddresses: config.WEBHOOK_NON_PUBLIC_ADDRESSES }),
    logger,
    {
      intervalMs: config.CALLBACK_CHECK_MS,
    },
  );
  callbacks.start();
  await claims.start((claim) => streams.claimed(claim));
  const queueWatch = new QueueWatch((change) => streams.queueChanged(change), logger);
  const kafka = createKafka({ clientId: "intake", brokers: config.KAFKA_BROKERS, logger });
  // Site settings: every replica relays the outbox (rows are locked, so each goes out once); versions
  // saved before the outbox existed are put into it first.
  await ensureTopics(kafka, [SITES_TOPIC], { [SITES_TOPIC]: TOPIC_CONFIGS.sites ?? {} });
  const producer = await createEventProducer(kafka);
  for (let batch = 0; batch < BACKFILL_MAX_BATCHES; batch++)
    if ((await portalStore.announceUnannounced(BACKFILL_BATCH)) < BACKFILL_BATCH) break;
  const siteRelay = new PostgresOutboxRelay(pool, producer, {
    table: "site_outbox",
    keyColumn: "site_id",
    topic: SITES_TOPIC,
    schemaVersion: SITE_EVENT_SCHEMA_VERSION,
    idleMs: SITE_OUTBOX_POLL_MS,
    keepMs: null,
  });
  const siteRelayLoop = startBackgroundLoop("site-outbox-relay", logger, () => siteRelay.relayOnce());
  const replicaId = `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;
  const { joined } = await queueWatch.start(kafka, `${config.KAFKA_CONSUMER_GROUP}.queues.${replicaId}`);
  // Serve once queue changes are heard, so streams opened from now on get their positions pushed.
  const joinWait = new Promise<"timeout">((resolve) =>
    setTimeout(() => resolve("timeout"), QUEUE_WATCH_JOIN_WAIT_MS).unref(),
  );
  if ((await Promise.race([joined, joinWait])) === "timeout")
    logger.info({ waitedMs: QUEUE_WATCH_JOIN_WAIT_MS }, "queue watch still joining its group; serving anyway");
  const waits = new WaitPreview(config.ACD_ADDRESS, tls);
  const verifier = await tokenVerifierFromSettings("ADMIN", config, logger, { api: "admin API" });

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
    readiness: [grpcDependencyReadiness("session-broker", config.SESSION_BROKER_ADDRESS, tls), postgresReadiness(pool)],
    rateLimit: sharedRateLimit({
      redis,
      name: "address",
      perMinute: config.RATE_LIMIT_PER_MINUTE,
      key: clientAddressKey,
      keyPrefix: `${config.REDIS_KEY_PREFIX}:rl`,
    }),
    jsonLimit: PORTAL_JSON_LIMIT,
    routes: (http) => {
      mountPortalApi(
        http,
        { sites, broker, reps, streams, waits, away, now: Date.now },
        {
          siteRateLimit: sharedRateLimit({
            redis,
            name: "site",
            perMinute: config.SITE_RATE_LIMIT_PER_MINUTE,
            key: (req) => String(req.params["siteId"]).slice(0, 128),
            keyPrefix: `${config.REDIS_KEY_PREFIX}:rl`,
          }),
        },
      );
      const allowedOrigins = async (siteId: string) => (await portalStore.current(siteId))?.config.allowedOrigins ?? [];
      mountWidgetAssets(http, { dir: DEFAULT_WIDGET_DIR, allowedOrigins }, logger);
    },
  });
  // The per-address limit and a key's redemption bound count the client, not the proxy in front.
  app.set("trust proxy", config.TRUST_PROXY_HOPS);
  const http = await startHttpServer(app, config.HTTP_HOST, config.HTTP_PORT);
  const adminApp = createHttpApp({
    logger,
    readiness: [postgresReadiness(pool)],
    jsonLimit: ADMIN_JSON_LIMIT,
    routes: (admin) =>
      mountAdminApi(
        admin,
        { portalConfigs, routing, retirement },
        {
          verifier,
          rateLimitPerMinute: config.ADMIN_RATE_LIMIT_PER_MINUTE,
          redis,
          keyPrefix: `${config.REDIS_KEY_PREFIX}:rl`,
        },
      ),
  });
  const adminHttp = await startHttpServer(adminApp, config.ADMIN_HTTP_HOST, config.ADMIN_HTTP_PORT);
  grpc.setServing(true);
  logger.info(
    { grpcPort: grpc.port, grpcHealthPort: grpc.healthPort, httpPort: http.port, adminHttpPort: adminHttp.port },
    "intake listening",
  );

  installShutdown(logger, config.SHUTDOWN_TIMEOUT_MS, [
    // Live streams never finish on their own: their customers reconnect elsewhere with their last id.
    { name: "customer streams", run: () => Promise.resolve().then(() => streams.closeAll()) },
    { name: "http", run: () => http.drain(config.SHUTDOWN_TIMEOUT_MS / 4) },
    { name: "queue watch", run: () => queueWatch.stop() },
    { name: "keep-my-place callbacks", run: () => callbacks.stop() },
    { name: "admin http", run: () => adminHttp.drain(config.SHUTDOWN_TIMEOUT_MS / 4) },
    { name: "grpc", run: () => grpc.drain(config.SHUTDOWN_TIMEOUT_MS / 2) },
    { name: "site outbox relay", run: () => siteRelayLoop.stop() },
    { name: "kafka producer", run: () => producer.disconnect() },
    {
      name: "acd and presence admin clients",
      run: () => Promise.resolve().then(() => (routing.close(), presenceSites.close())),
    },
    {
      name: "broker, presence and acd clients",
      run: () => Promise.resolve().then(() => (broker.close(), reps.close(), waits.close(), positions.close())),
    },
    { name: "stream claims", run: () => claims.stop() },
    { name: "redis", run: () => redis.quit().then(() => undefined) },
    { name: "postgres", run: () => pool.end() },
    { name: "telemetry", run: stopTelemetry },
  ]);
});
