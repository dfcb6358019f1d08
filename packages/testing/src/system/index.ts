// The whole-system harness shared by `npm run bench:e2e` and the fault and rolling-restart tests.
// Free of vitest, so the load tests can import it from dist.
export { erlangC, type ErlangCInput, type ErlangCPrediction } from "./erlang-c";
export {
  loadInfrastructureHarness,
  startPrivateInfrastructure,
  type InfrastructureHarness,
  type PrivateInfrastructure,
} from "./infrastructure";
export {
  SYSTEM_SERVICES,
  SystemStack,
  type Replica,
  type SystemInfrastructure,
  type SystemService,
  type SystemStackOptions,
} from "./system-stack";
export {
  ContactCenter,
  CUSTOMER_RETRIES,
  REP_RETRIES,
  type ContactCenterOptions,
  type CustomerStart,
  type SessionOnRepSide,
} from "./contact-center";
export { loadRunProblems, underLoad, type LoadRun, type LoadRunOptions } from "./load-run";
export {
  checkSystemInvariants,
  countLiveSessions,
  countUnrelayed,
  readBrokerSessions,
  type BrokerSessionRow,
  type InvariantOptions,
  type InvariantReport,
} from "./system-invariants";
export { compareSessionTopic, type SessionTopicComparison } from "./session-topic-check";
