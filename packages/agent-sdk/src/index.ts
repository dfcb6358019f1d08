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
  type Invitation,
  type LogFrame,
  type Offer,
  type PresenceEvent,
  type RepInvitation,
  type RepView,
  type ServerFrame,
  type SessionEvent,
  type SessionKey,
  type SessionView,
} from "./events.js";
