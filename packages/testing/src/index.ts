export { infrastructureEnv, type InfrastructureEnv } from "./infrastructure-env";
export { describeServiceLifecycle, type LifecycleSuiteOptions } from "./lifecycle-suite";
export { runServiceExpectingExit, startService, type ExitedService, type ServiceProcess } from "./service-process";
