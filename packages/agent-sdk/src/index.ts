export {
  AgentClient,
  type AgentClientOptions,
  type TokenSource,
  type WebSocketFactory,
  type WebSocketLike,
} from "./agent-client.js";
export { AgentApiError, type Problem } from "./agent-api-error.js";
export {
  CLOSE_CODES,
  FINAL_CLOSE_CODES,
  type AgentEvents,
  type ControlFrame,
  type LogFrame,
  type Offer,
  type PresenceEvent,
  type RepInvitation,
  type ServerFrame,
  type SessionEvent,
} from "./events.js";
export type {
  Invitation,
  QueuePosition,
  QueueTargetView,
  QueueView,
  RepView,
  SessionKey,
  SessionView,
  SessionWithPosition,
} from "./views.js";
