export { ConfigInvalidError, loadConfig } from "./config/load-config";
export {
  commonSettings,
  durationMs,
  grpcAddress,
  hostPortList,
  kafkaSettings,
  port,
  postgresUrl,
  redisSettings,
  redisUrl,
} from "./config/settings";
export { redisOptionsFrom } from "./config/redis-options";
export { createLogger, type Logger } from "./logging/logger";
export { failedPrecondition, GrpcStatusError, InvalidArgumentError, isGrpcStatusError, notFound } from "./grpc/errors";
export { serverStream, unary } from "./grpc/handlers";
export {
  attachStatusDetails,
  decodeRichStatus,
  encodeRichStatus,
  ERROR_INFO_TYPE_URL,
  errorInfo,
  errorReason,
  STATUS_DETAILS_TRAILER,
  withErrorInfo,
  type ErrorInfo,
  type RichStatus,
} from "./grpc/error-info";
export {
  optionalId,
  requireDisplayName,
  requireEnumValue,
  requireEpoch,
  requireId,
  requireIdList,
  requireQueueTarget,
  requireText,
} from "./grpc/validation";
export { startGrpcServer, type GrpcServiceBinding, type RunningGrpcServer } from "./grpc/server";
export { checkGrpcHealth, type HealthCheckOptions } from "./grpc/health-client";
export {
  channelCredentials,
  grpcTlsSettings,
  loadGrpcTls,
  serverCredentials,
  tlsChannelOptions,
  type GrpcTls,
  type GrpcTlsSettings,
} from "./grpc/tls";
export {
  callerIdentity,
  identityUri,
  SERVICE_IDENTITIES,
  type PeerAuth,
  type ServiceIdentity,
} from "./grpc/service-identity";
export { ACD_CALLERS, PRESENCE_CALLERS, SESSION_BROKER_CALLERS, type ServiceCallers } from "./grpc/service-callers";
export { authorizeMethods, methodCallers, type MethodCallers } from "./grpc/method-authorization";
export {
  DEFAULT_DEV_CA_DIR,
  devTlsEnv,
  loadOrCreateDevCertificates,
  type DevCertificates,
} from "./grpc/dev-certificates";
export { callUnary, createGrpcClient, DEFAULT_DEADLINE_MS } from "./grpc/client";
export { MAX_GRPC_MESSAGE_BYTES, messageSizeOptions } from "./grpc/message-size";
export { StreamsPerCaller } from "./grpc/streams-per-caller";
export { createKafka } from "./kafka/client";
export { fetchTopicEnds } from "./kafka/topic-leaders";
export { decodeEventHeaders, encodeEventHeaders, HEADER, type EventHeaders } from "./kafka/headers";
export { createEventProducer, type EventProducer, type OutgoingEvent } from "./kafka/producer";
export {
  ensureTopics,
  startBatchConsumer,
  startEventConsumer,
  type BatchConsumerOptions,
  type ConsumedEvent,
  type EventConsumer,
} from "./kafka/consumer";
export { createRedis, redisReady, type RedisClient, type RedisOptions } from "./redis/connection";
export { DueIndexes, sweepDue, type DueClaim, type DueClaims, type DueSweepOptions } from "./due/due-index";
export { followRedisHealth, type RedisHealthOptions } from "./redis/redis-health";
export {
  buildFunctionLibrary,
  luaConstantsModule,
  orderModules,
  readLuaDir,
  readLuaFunction,
  readLuaModule,
  runtimeLuaModules,
  serviceFunctionLibrary,
  type FunctionLibrary,
  type LuaFunction,
  type LuaModule,
} from "./redis/function-library";
export { FunctionClient, type FunctionArg } from "./redis/function-client";
export { compareStreamIds } from "./redis/stream-ids";
export { removeTenantKeys } from "./redis/tenant-keys";
export { createPgPool, type PgPool } from "./postgres/pool";
export { migrate } from "./postgres/migrate";
export { badRequest, HttpProblem, invalidFields, unavailableProblem, type FieldProblem } from "./http/problem";
export {
  openApiDocument,
  problemBodySchema,
  writeOpenApi,
  type ApiOperation,
  type OpenApiOptions,
} from "./http/openapi";
export { fieldProblems, parseRequest } from "./http/request-parsing";
export { clientAddressKey, sharedRateLimit, type SharedRateLimitOptions } from "./http/shared-rate-limit";
export { grpcDependencyReadiness, kafkaReadiness, postgresReadiness, redisReadiness } from "./http/readiness";
export {
  createHttpApp,
  rateLimitPerMinute,
  startHttpServer,
  type ReadinessCheck,
  type RunningHttpServer,
} from "./http/server";
export { AGENT_ROLES, principalFromClaims, type AgentPrincipal, type AgentRole } from "./auth/agent-principal";
export {
  AgentAuthError,
  AgentTokenVerifier,
  ALLOWED_ALGORITHMS,
  bearerToken,
  CLOCK_TOLERANCE_S,
  publicKeyFrom,
  remoteKeySet,
  type TokenVerifierOptions,
  type VerificationKey,
} from "./auth/token-verifier";
export {
  DEFAULT_DEV_KEY_DIR,
  DEV_AUDIENCE,
  DEV_ISSUER,
  loadOrCreateDevSigningKey,
  signDevToken,
  type DevSigningKey,
  type DevTokenInput,
} from "./auth/dev-signing-key";
export {
  tokenSettingNames,
  tokenSettingProblems,
  tokenSettings,
  type TokenSettingNames,
  type TokenSettings,
  type TokenSettingsShape,
} from "./auth/token-settings";
export { tokenVerifierFromSettings, type TokenVerifierSetupOptions } from "./auth/token-verifier-setup";
export { isLoopback, mountDevTokenRoute, type DevTokenRouteOptions } from "./auth/dev-token-route";
export { mountStaticPage, type StaticPageOptions } from "./http/static-page";
export { authenticate, authProblem, principalKey, principalOf, requireRole } from "./auth/bearer-auth";
export { installShutdown, type ShutdownStep } from "./shutdown";
export { runMain } from "./run-main";
export { currentTraceparent } from "./telemetry/traceparent";
export { startBackgroundLoop, type BackgroundLoop } from "./background-loop";
export { PostgresOutboxRelay, type PostgresOutboxRelayOptions } from "./outbox/postgres-outbox-relay";
export {
  parseOutboxEntry,
  streamEntry,
  StreamOutboxRelay,
  waitForOutboxRelayed,
  type OutboxEntry,
  type StreamEntry,
  type StreamOutboxRelayOptions,
} from "./outbox/stream-outbox-relay";
export {
  runLeaderDuties,
  startKubernetesLeadership,
  startLeadership,
  startRedisLeadership,
  type KubernetesLeadershipOptions,
  type LeaderDuty,
  type Leadership,
  type LeadershipOptions,
  type RedisLeadershipOptions,
} from "./leadership";
export {
  DEPENDENCY_RETRY_AFTER_S,
  DEPENDENCY_UNAVAILABLE,
  dependencyFailureOf,
  dependencyUnavailableText,
  unavailableDependency,
  type Dependency,
  type DependencyFailure,
} from "./dependency-failure";
export { MAX_PEER_RETRY_AFTER_S, peerUnavailable } from "./grpc/peer-unavailable";
