import { SessionBrokerServiceClient } from "@handoff/proto/session_broker_service";
import { SESSION_BROKER_CALLERS } from "@handoff/runtime";
import { promiseClient } from "@handoff/testing/dist/promise-client";

/**
 * The SessionBrokerService calls the benchmark makes, promise-returning with a 10 s deadline (a call that takes longer
 * counts as failed), each made over mutual TLS as the service allowed to call it.
 */
export function connectBroker(address: string) {
  return promiseClient(SessionBrokerServiceClient, address, SESSION_BROKER_CALLERS);
}

export type BrokerClient = ReturnType<typeof connectBroker>;
