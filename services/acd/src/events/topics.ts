import { TOPICS } from "@handoff/proto";

/** Every routing transition, keyed by session id (rep id for rep-only events). */
export const ROUTING_TOPIC = TOPICS.routing;
/** Version of the RoutingEvent envelope, sent as the `schema-version` header. */
export const ROUTING_SCHEMA_VERSION = 1;
