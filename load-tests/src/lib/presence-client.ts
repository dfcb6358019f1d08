import { credentials } from "@grpc/grpc-js";
import { PresenceServiceClient } from "@handoff/proto/presence_service";
import { callUnary } from "@handoff/runtime";

/** Deadline of every unary call the bench makes; a call that takes longer counts as failed. */
const DEADLINE_MS = 10_000;

/** The PresenceService calls the benchmark makes, promise-returning, each with a deadline. */
export function connectPresence(address: string) {
  const raw = new PresenceServiceClient(address, credentials.createInsecure());
  return {
    raw,
    login: (request: Parameters<PresenceServiceClient["login"]>[0]) => callUnary(raw, "login", request, DEADLINE_MS),
    heartbeat: (request: Parameters<PresenceServiceClient["heartbeat"]>[0]) =>
      callUnary(raw, "heartbeat", request, DEADLINE_MS),
    setState: (request: Parameters<PresenceServiceClient["setState"]>[0]) =>
      callUnary(raw, "setState", request, DEADLINE_MS),
    countTeamStates: (request: Parameters<PresenceServiceClient["countTeamStates"]>[0]) =>
      callUnary(raw, "countTeamStates", request, DEADLINE_MS),
    close: () => raw.close(),
  };
}

export type PresenceClient = ReturnType<typeof connectPresence>;
