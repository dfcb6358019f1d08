import { credentials } from "@grpc/grpc-js";
import { SessionBrokerServiceClient } from "@handoff/proto/session_broker_service";
import { callUnary } from "@handoff/runtime";

/** Deadline of every unary call the bench makes; a call that takes longer counts as failed. */
const DEADLINE_MS = 10_000;

/** The SessionBrokerService calls the benchmark makes, promise-returning, each with a deadline. */
export function connectBroker(address: string) {
  const raw = new SessionBrokerServiceClient(address, credentials.createInsecure());
  return {
    raw,
    createSession: (request: Parameters<SessionBrokerServiceClient["createSession"]>[0]) =>
      callUnary(raw, "createSession", request, DEADLINE_MS),
    acceptSessionOffer: (request: Parameters<SessionBrokerServiceClient["acceptSessionOffer"]>[0]) =>
      callUnary(raw, "acceptSessionOffer", request, DEADLINE_MS),
    closeSession: (request: Parameters<SessionBrokerServiceClient["closeSession"]>[0]) =>
      callUnary(raw, "closeSession", request, DEADLINE_MS),
    close: () => raw.close(),
  };
}

export type BrokerClient = ReturnType<typeof connectBroker>;
