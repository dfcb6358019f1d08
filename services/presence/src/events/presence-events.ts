import { TOPICS } from "@handoff/proto";
import { actorFromJSON, repStateFromJSON } from "@handoff/proto/common";
import { PresenceEvent } from "@handoff/proto/events";
import { parseOutboxEntry, type OutgoingEvent, type StreamEntry } from "@handoff/runtime";
import { recordPresenceEvent } from "./presence-metrics";

export const PRESENCE_TOPIC = TOPICS.presence;
export const PRESENCE_SCHEMA_VERSION = 1;

/** Lua's cjson writes an empty table as `{}`; the proto wants a list. */
const list = (value: unknown): string[] => (Array.isArray(value) ? value.map(String) : []);

function payloadFields(data: Record<string, unknown>): Record<string, unknown> {
  const fields: Record<string, unknown> = { ...data };
  for (const key of ["teamIds", "skills"]) if (key in data) fields[key] = list(data[key]);
  for (const key of ["previousState", "state"]) if (key in data) fields[key] = repStateFromJSON(data[key]);
  if ("actor" in data) fields.actor = actorFromJSON(data.actor);
  return fields;
}

/** The Kafka message of one presence outbox entry, keyed by rep id (and the event counted in the metrics). */
export function toPresenceMessage(site: string, raw: StreamEntry): OutgoingEvent {
  const entry = parseOutboxEntry(raw);
  const $case = entry.type.charAt(0).toLowerCase() + entry.type.slice(1);
  const eventId = `${site}/${entry.id}`;
  const event = PresenceEvent.fromPartial({
    eventId,
    occurredAtMs: entry.at,
    siteId: site,
    repId: entry.key,
    payload: { $case, [$case]: payloadFields(entry.data) } as unknown as PresenceEvent["payload"],
  });
  recordPresenceEvent(event);
  return {
    key: entry.key,
    value: PresenceEvent.encode(event).finish(),
    eventId,
    eventType: entry.type,
    schemaVersion: PRESENCE_SCHEMA_VERSION,
    traceparent: entry.traceparent,
  };
}
