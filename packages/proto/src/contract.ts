/**
 * Rules every service shares because they are part of the contract between them, next to the
 * generated messages.
 */

/** Ids (sites, sessions, reps, teams, skills...) end up inside Redis keys and comma lists. */
export const ID_PATTERN = /^[A-Za-z0-9_.:@-]+$/;
export const MAX_ID_LENGTH = 128;

/** Team names and problem type labels are shown to people (in characters); longer text belongs in descriptions. */
export const MAX_LABEL_LENGTH = 200;

/** Kafka topics, `handoff.<aggregate>.v1`, keyed by session id or rep id (site id for `sites`). */
export const TOPICS = {
  /** Produced by acd: every routing transition (RoutingEvent). */
  routing: "handoff.routing.v1",
  /** Produced by presence: rep logins, states, connections (PresenceEvent). */
  presence: "handoff.presence.v1",
  /** Produced by session-broker: the durable session's life (SessionEvent). */
  sessions: "handoff.sessions.v1",
  /** Produced by intake: a site's settings as its admin saved them (SiteEvent), compacted by site. */
  sites: "handoff.sites.v1",
} as const;

/**
 * Topic settings a topic needs beyond the cluster's defaults, applied by whoever creates it first
 * (producer or consumer). `sites` is compacted: a site's latest settings outlive any time-based
 * retention, so a consumer replaying from offset 0 always learns every site's settings.
 */
export const TOPIC_CONFIGS: Readonly<Partial<Record<keyof typeof TOPICS, Readonly<Record<string, string>>>>> = {
  sites: { "cleanup.policy": "compact" },
};
