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
  loadOrCreateDevSigningKey,
  kafkaReadiness,
  migrate,
  mountDevTokenRoute,
  mountStaticPage,
  postgresReadiness,
  redisOptionsFrom,
  redisReady,
  runLeaderDuties,
  runMain,
  loadGrpcTls,
  startGrpcServer,
  startHttpServer,
  startLeadership,
  tokenVerifierFromSettings,
  StreamsPerCaller,
} from "@handoff/runtime";
import { stopTelemetry } from "@handoff/runtime/telemetry";
import { DEVELOPMENT_CREDENTIAL_SECRET, loadSessionBrokerConfig } from "./config";
import { SessionLifecycle } from "./commands/session-lifecycle";
import { CustomerAway } from "./commands/customer-away";
import { SessionViews } from "./commands/session-views";
import { CredentialHasher } from "./domain/credential-hash";
import { RoutingEventConsumer } from "./events/routing-event-consumer";
import { sessionOutboxRelay } from "./events/session-outbox-relay";
import { sessionBrokerService } from "./grpc/session-broker-service";
import { AcdPort } from "./routing/acd-port";
import { RepOfferFeed } from "./routing/rep-offer-feed";
import { OfferStore } from "./store/offer-store";
import { ParticipantStore } from "./store/participant-store";
import { SessionStore } from "./store/session-store";
import { SettingsStore } from "./store/settings-store";
import { StartKeyStore } from "./store/start-key-store";
import { CredentialCommands } from "./commands/credential-commands";
import { ConversationCommands } from "./commands/conversation-commands";
import { ParticipantCommands } from "./commands/participant-commands";
import { FileSendCommands } from "./commands/file-send-commands";
import { PermissionCommands } from "./commands/permission-commands";
import { SessionAccess } from "./commands/session-access";
import { SessionFeed } from "./commands/session-feed";
import { SessionReports } from "./commands/session-report";
import { FileSendStore } from "./store/file-send-store";
import { PermissionStore } from "./store/permission-store";
import { RepInvitationStore } from "./store/rep-invitation-store";
import { SessionEventListener } from "./store/session-event-listener";
import { SurveyStore } from "./store/survey-store";
import { RepDisconnects } from "./commands/rep-disconnects";
import { PresenceEventConsumer } from "./events/presence-event-consumer";
import { SessionReconciler } from "./reconciler/session-reconciler";
import { PresencePort } from "./routing/presence-port";
import { DisconnectFlags } from "./store/disconnect-flags";
import { LiveSessionScan } from "./store/live-session-scan";
import { AGENT_JSON_LIMIT, mountAgentApi } from "./http/agent-api";
import { mountAgentSocket, type AgentSocketServer } from "./socket/agent-socket";
import { GrpcConnectionPresence } from "./socket/connection-presence";
import { startRepPresenceEvents } from "./socket/rep-presence-events";

/** How often the leader deletes expired start idempotency keys. */
const START_KEY_EXPIRY_INTERVAL_MS = 60_000;

/** The example agent console as `npm run build` leaves it in this repository (from dist/). */
const DEFAULT_CONSOLE_DIR = path.resolve(__dirname, "..", "..", "..", "examples", "agent-console", "dist");

runMain("session-broker", async () => {
  const config = loadSessionBrokerConfig();
  const tls = loadGrpcTls(config);
  const logger = createLogger("session-broker", config.LOG_LEVEL);
  if (!config.CREDENTIAL_SECRET)
    logger.info("development mode: credentials are hashed under the development secret (set CREDENTIAL_SECRET)");
  const hasher = new CredentialHasher(config.CREDENTIAL_SECRET ?? DEVELOPMENT_CREDENTIAL_SECRET);

  const pool = createPgPool(config.DATABASE_URL, undefined, logger);
  const applied = await migrate(pool, path.join(__dirname, "store", "migrations"));
  if (applied.length > 0) logger.info({ applied }, "database migrated");
  const redis = createRedis(redisOptionsFrom(config, "session-broker"));
  await redisReady(redis);
  const kafka = createKafka({ clientId: "session-broker", brokers: config.KAFKA_BROKERS, logger });
  const producer = await createEventProducer(kafka);
  const kafkaReady = kafkaReadiness(kafka);

  const replicaId = `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;
  const acd = new AcdPort(config.ACD_ADDRESS, tls);
  const store = new SessionStore(pool);
  const participants = new ParticipantStore(pool);
  const offers = new OfferStore(pool);
  const settings = new SettingsStore(pool);
  const startKeys = new StartKeyStore(pool, config.START_KEY_TTL_MS);
  const views = new SessionViews(store, participants, acd);
  const credentials = new CredentialCommands(pool, store, participants, settings, hasher, logger);
  const access = new SessionAccess(participants, hasher);
  const permissionCommands = new PermissionCommands(store, new PermissionStore(), access);
  const lifecycle = new SessionLifecycle(
    store,
    participants,
    offers,
    settings,
    acd,
    hasher,
    permissionCommands,
    logger,
    startKeys,
  );
  const customerAway = new CustomerAway(store, lifecycle, acd, hasher, logger, {
    sweepIntervalMs: config.AWAY_SWEEP_INTERVAL_MS,
  });
  const invitations = new RepInvitationStore();
  const participantCommands = new ParticipantCommands(
    store,
    participants,
    invitations,
    permissionCommands,
    access,
    acd,
  );
  const conversation = new ConversationCommands(store, participants, new SurveyStore(), access);
  const feed = new SessionFeed(store, { maxTotal: config.MAX_LIVE_FEEDS });
  let sockets: AgentSocketServer | undefined;
  const feedListener = new SessionEventListener(
    config.DATABASE_URL,
    {
      onEvents: (siteId, sessionId, lastSequence) => feed.onEvents(siteId, sessionId, lastSequence),
      onResync: () => feed.onResync(),
      onInvitation: (notice) => void sockets?.repInvitation(notice),
    },
    logger,
  );
  feedListener.start();
  const deps = {
    logger,
    store,
    participants,
    offers,
    settings,
    acd,
    hasher,
    lifecycle,
    customerAway,
    views,
    redemption: credentials,
    credentials,
    participantCommands,
    permissionCommands,
    conversation,
    fileSends: new FileSendCommands(store, new FileSendStore(), access),
    feed,
    reports: new SessionReports(store, offers, views),
    repOffers: new RepOfferFeed(acd, (offer) => lifecycle.recordOffer(offer), replicaId, logger),
    watchStreams: new StreamsPerCaller(config.MAX_STREAMS_PER_CALLER),
  };

  const routingEvents = await new RoutingEventConsumer(store, lifecycle, logger).start(
    kafka,
    config.KAFKA_CONSUMER_GROUP,
  );
  // Serve once the group is joined, so the offers of sessions created from now on are followed.
  const joinTimeout = new Promise<"timeout">((resolve) =>
    setTimeout(() => resolve("timeout"), config.CONSUMER_JOIN_TIMEOUT_MS).unref(),
  );
  if ((await Promise.race([routingEvents.joined, joinTimeout])) === "timeout")
    logger.info(
      { waitedMs: config.CONSUMER_JOIN_TIMEOUT_MS },
      "routing events consumer still joining its group; serving anyway",
    );

  const presence = new PresencePort(config.PRESENCE_ADDRESS, tls);
  const disconnects = new RepDisconnects(
    store,
    participants,
    new DisconnectFlags(pool),
    settings,
    lifecycle,
    permissionCommands,
    invitations,
    acd,
    presence,
    logger,
    { sweepIntervalMs: config.DISCONNECT_SWEEP_INTERVAL_MS },
  );
  const presenceEvents = await new PresenceEventConsumer(disconnects, logger).start(kafka, config.KAFKA_CONSUMER_GROUP);
  const reconciler = new SessionReconciler(store, new LiveSessionScan(pool), offers, lifecycle, acd, logger, {
    intervalMs: config.RECONCILE_INTERVAL_MS,
  });

  const leadership = startLeadership({
    redis,
    key: "hq:leader:session-broker",
    leaseName: "handoff-session-broker-leader",
    holderId: replicaId,
    logger,
  });
  const relay = sessionOutboxRelay(pool, producer);
  const duties = runLeaderDuties(
    leadership,
    [
      { name: "outbox-relay", iterate: () => relay.relayOnce() },
      { name: "reconciler", iterate: () => reconciler.passOnce() },
      { name: "disconnect-sweep", iterate: () => disconnects.sweepOnce() },
      { name: "away-sweep", iterate: () => customerAway.sweepOnce() },
      { name: "start-key-expiry", iterate: () => startKeys.expireOnce(START_KEY_EXPIRY_INTERVAL_MS) },
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
    services: [sessionBrokerService(deps)],
  });
  const verifier = await tokenVerifierFromSettings("AGENT", config, logger, { api: "agent API" });
  // Development auth (no issuer, never in production): the console may ask the broker for a token.
  const devKey = config.AGENT_JWT_ISSUER ? undefined : await loadOrCreateDevSigningKey();
  const consoleDir = config.AGENT_CONSOLE_DIR ?? DEFAULT_CONSOLE_DIR;
  const connections = new GrpcConnectionPresence(config.PRESENCE_ADDRESS, tls);
  const app = createHttpApp({
    logger,
    readiness: [postgresReadiness(pool), kafkaReady],
    rateLimitPerMinute: config.HTTP_RATE_LIMIT_PER_IP_PER_MINUTE,
    jsonLimit: AGENT_JSON_LIMIT,
    routes: (http) => {
      if (devKey)
        mountDevTokenRoute(http, devKey, logger, { page: "the agent console", issuerSetting: "AGENT_JWT_ISSUER" });
      if (consoleDir) mountStaticPage(http, { what: "agent console", urlPath: "/console", dir: consoleDir }, logger);
      sockets = mountAgentSocket(http, deps, {
        verifier,
        presence: connections,
        teamMembers: async (siteId, teamId) =>
          (await acd.routingConfig(siteId))?.teams.find((team) => team.id === teamId)?.memberRepIds ?? [],
      });
      mountAgentApi(http, { ...deps, presence }, { verifier, rateLimitPerMinute: config.AGENT_RATE_LIMIT_PER_MINUTE });
    },
  });
  const http = await startHttpServer(app, config.HTTP_HOST, config.HTTP_PORT);
  // Not awaited: sockets carry offers and sessions without it; state changes follow once it runs.
  const socketPresence = startRepPresenceEvents(
    kafka,
    `${config.KAFKA_CONSUMER_GROUP}.socket.${replicaId}`,
    (event) => sockets?.repPresence(event),
    logger,
  ).catch((error: unknown) => {
    logger.error({ err: error }, "socket: presence events not followed; sockets carry no state changes");
    return undefined;
  });
  grpc.setServing(true);
  logger.info(
    { grpcPort: grpc.port, grpcHealthPort: grpc.healthPort, httpPort: http.port },
    "session-broker listening",
  );

  installShutdown(logger, config.SHUTDOWN_TIMEOUT_MS, [
    { name: "agent sockets", run: () => Promise.resolve(sockets?.close()) },
    { name: "http", run: () => http.drain(config.SHUTDOWN_TIMEOUT_MS / 2) },
    { name: "offer streams", run: () => Promise.resolve(deps.repOffers.close()) },
    { name: "session feeds", run: () => Promise.resolve(feed.close()).then(() => feedListener.stop()) },
    { name: "grpc", run: () => grpc.drain(config.SHUTDOWN_TIMEOUT_MS / 2) },
    {
      // Each consumer's leave-group takes its own round trip; one after another they held the
      // drain 1.4-3.5 s in the rolling-restart test.
      name: "kafka consumers",
      run: async () =>
        void (await Promise.all([
          routingEvents.disconnect(),
          presenceEvents.disconnect(),
          socketPresence.then((consumer) => consumer?.disconnect()),
        ])),
    },
    { name: "leader duties", run: () => duties.stop() },
    { name: "leadership", run: () => leadership.stop() },
    { name: "kafka", run: async () => void (await Promise.all([producer.disconnect(), kafkaReady.close()])) },
    { name: "acd client", run: () => Promise.resolve(acd.close()) },
    { name: "presence client", run: () => Promise.resolve(presence.close()) },
    { name: "socket presence client", run: () => Promise.resolve(connections.close()) },
    { name: "redis", run: async () => void (await redis.quit()) },
    { name: "postgres", run: () => pool.end() },
    { name: "telemetry", run: stopTelemetry },
  ]);
});
