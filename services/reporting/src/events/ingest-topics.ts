import { TOPICS } from "@handoff/proto";

export type TopicKind = keyof typeof TOPICS;

/** The topics reporting follows, by what they carry; tests pass their own names. */
export type IngestTopics = Readonly<Record<TopicKind, string>>;

export const INGEST_TOPICS: IngestTopics = TOPICS;

/** Every topic reporting follows, in the order tests publish them (a site's settings first). */
export const INGEST_KINDS: readonly TopicKind[] = ["sites", "routing", "presence", "sessions"];

/**
 * The envelope versions this build reads, per topic (the producers' `schema-version` header: acd's
 * ROUTING_SCHEMA_VERSION, presence's PRESENCE_SCHEMA_VERSION, the broker's SESSION_EVENT_SCHEMA_VERSION,
 * intake's SITE_EVENT_SCHEMA_VERSION).
 * Anything else is dead-lettered rather than guessed at.
 */
export const READABLE_SCHEMA_VERSIONS: Readonly<Record<TopicKind, readonly number[]>> = {
  routing: [1],
  presence: [1],
  sessions: [1],
  sites: [1],
};
