export { infrastructureEnv, type InfrastructureEnv } from "./infrastructure-env";
export { describeServiceLifecycle, type LifecycleSuiteOptions } from "./lifecycle-suite";
export { runServiceExpectingExit, startService, type ExitedService, type ServiceProcess } from "./service-process";
export { promiseClient, type PromiseClient } from "./promise-client";
export { connectAcd, connectPresence, type Acd, type Presence } from "./service-clients";
export {
  connectSessionBroker,
  newSiteId,
  SessionStack,
  teamConfig,
  type BrokerReplica,
  type SessionBroker,
  type SessionStackOptions,
} from "./session-stack";
