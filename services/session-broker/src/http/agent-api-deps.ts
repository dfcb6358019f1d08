import type { BrokerDeps } from "../grpc/broker-deps";
import type { PresencePort } from "../routing/presence-port";

/** The command objects the agent API calls: the same ones the gRPC adapter calls. */
export type AgentApiDeps = Pick<
  BrokerDeps,
  | "store"
  | "participants"
  | "acd"
  | "lifecycle"
  | "views"
  | "credentials"
  | "participantCommands"
  | "permissionCommands"
  | "conversation"
  | "fileSends"
> & { presence: PresencePort };
