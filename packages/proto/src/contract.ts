/**
 * Rules every service shares because they are part of the contract between them, next to the
 * generated messages.
 */

/** Ids (sites, sessions, reps, teams, skills...) end up inside Redis keys and comma lists. */
export const ID_PATTERN = /^[A-Za-z0-9_.:@-]+$/;
export const MAX_ID_LENGTH = 128;

/** Team names and problem type labels are shown to people (in characters); longer text belongs in descriptions. */
export const MAX_LABEL_LENGTH = 200;

/** Kafka topics, `handoff.<aggregate>.v1`, keyed by session id or rep id. */
export const TOPICS = {
  /** Produced by acd: every routing transition (RoutingEvent). */
  routing: "handoff.routing.v1",
  /** Produced by presence: rep logins, states, connections (PresenceEvent). */
  presence: "handoff.presence.v1",
  /** Produced by session-broker: the durable session's life (SessionEvent). */
  sessions: "handoff.sessions.v1",
} as const;
