import { TOPICS } from "@handoff/proto";

/** The topic this service produces: the session's life, keyed by session id. */
export const SESSIONS_TOPIC = TOPICS.sessions;
/** Schema version of the SessionEvent envelope on that topic (the `schema-version` header). */
export const SESSION_EVENT_SCHEMA_VERSION = 1;
