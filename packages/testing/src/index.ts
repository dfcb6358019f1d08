export { infrastructureEnv, privateRedisUrl, type InfrastructureEnv } from "./infrastructure-env";
export { ARTIFACTS_DIR, launchChromium, saveScreenshot, seriousAxeViolations, type AxeViolation } from "./browser";
export { IntakeStack, type IntakeStackOptions } from "./intake-stack";
export { describeServiceLifecycle, type LifecycleSuiteOptions } from "./lifecycle-suite";
export { runServiceExpectingExit, startService, type ExitedService, type ServiceProcess } from "./service-process";
export { promiseClient, type PromiseClient, type TestCaller } from "./promise-client";
export { devClientTls, devServiceTlsEnv } from "./dev-identity";
export { connectAcd, connectPresence, type Acd, type Presence } from "./service-clients";
export {
  connectSessionBroker,
  SessionStack,
  siteWithTeams,
  type BrokerReplica,
  type SessionBroker,
  type SessionStackOptions,
} from "./session-stack";
export { EventLogBuilder, team, type LoggedEvent, type TopicKind } from "./event-log-builder";
export { prng, seedFrom, type Prng } from "./prng";
export { syntheticLog, type SyntheticLogOptions } from "./synthetic-log";
export { processCpuSeconds } from "./process-cpu";
export { cpuPercent, floodSites, offerExpiryLateness } from "./site-flood";
export { refusal } from "./refusal";
export { enqueueInTeam, newSiteId, repTarget, teamConfig, teamTarget } from "./site-fixtures";
export { TcpBalancer } from "./tcp-balancer";
export { testIssuer, TEST_ISSUER, type TestIssuer, type TokenOptions } from "./test-issuer";
export { asCustomer, asRep, asSupervisor, asSystem, createRequest, issueRequest } from "./session-requests";
export { eventually } from "./eventually";
export { countWarnings } from "./log-warnings";
export { TopicReader, type ReadMessage } from "./topic-reader";
export { OutboxEventLog, type LoggedOutboxEvent, type OutboxEventLogOptions } from "./outbox-event-log";
export { offeredEpoch } from "./offered-epoch";
export { tracedCall, traceIdOf } from "./traced-call";
export * from "./system";
export { freePort, PrometheusEndpoint } from "./prometheus-scrape";
