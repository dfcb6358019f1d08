import { PresenceEvent, RoutingEvent, SessionEvent, SiteEvent } from "@handoff/proto/events";
import type { ConsumedEvent } from "@handoff/runtime";
import { sequenceOrder, streamOrder, type EventOrder } from "../domain/event-order";
import { siteSettingsProblem } from "../domain/site-settings";
import { READABLE_SCHEMA_VERSIONS, type TopicKind } from "./ingest-topics";

/** Kafka's default message limit; a larger value is not an event of ours. */
export const MAX_EVENT_BYTES = 1_048_576;

export type DecodedEvent =
  | { kind: "routing"; event: RoutingEvent }
  | { kind: "presence"; event: PresenceEvent }
  | { kind: "sessions"; event: SessionEvent }
  | { kind: "sites"; event: SiteEvent };

/** An event ready to store: the columns of `reporting.events` and the decoded message. */
export interface IngestedEvent extends EventOrder {
  source: TopicKind;
  eventId: string;
  eventType: string;
  siteId: string;
  sessionId: string;
  repId: string;
  occurredAtMs: number;
  decoded: DecodedEvent;
  /** The message as proto JSON (what `reporting.events.payload` keeps). */
  json: unknown;
}

export type DecodeResult = { ok: true; event: IngestedEvent } | { ok: false; reason: string };

function decodeAs(kind: TopicKind, value: Buffer): DecodedEvent {
  switch (kind) {
    case "routing":
      return { kind, event: RoutingEvent.decode(value) };
    case "presence":
      return { kind, event: PresenceEvent.decode(value) };
    case "sessions":
      return { kind, event: SessionEvent.decode(value) };
    case "sites":
      return { kind, event: SiteEvent.decode(value) };
  }
}

function columnsOf(decoded: DecodedEvent): Omit<IngestedEvent, "source" | "eventType" | "decoded" | "json"> {
  const { event } = decoded;
  switch (decoded.kind) {
    case "routing":
      return {
        ...base(event),
        sessionId: decoded.event.sessionId,
        repId: repIdOf(decoded.event),
        ...streamOrder(event.eventId),
      };
    case "presence":
      return { ...base(event), sessionId: "", repId: decoded.event.repId, ...streamOrder(event.eventId) };
    case "sessions":
      return {
        ...base(event),
        sessionId: decoded.event.sessionId,
        repId: "",
        ...sequenceOrder(decoded.event.sequence),
      };
    case "sites": {
      const payload = decoded.event.payload;
      const version = payload?.$case === "siteSettingsChanged" ? payload.siteSettingsChanged.version : 0;
      return { ...base(event), sessionId: "", repId: "", ...sequenceOrder(version) };
    }
  }
}

const base = (event: { eventId: string; siteId: string; occurredAtMs: number }) => ({
  eventId: event.eventId,
  siteId: event.siteId,
  occurredAtMs: event.occurredAtMs,
});

/** Rep-only routing events (RepCapacityChanged) are about a rep; offers name theirs too. */
function repIdOf(event: RoutingEvent): string {
  const payload = event.payload as Record<string, unknown> | undefined;
  const inner = payload?.[String(payload.$case)] as { repId?: unknown } | undefined;
  return typeof inner?.repId === "string" ? inner.repId : "";
}

function toJson(decoded: DecodedEvent): unknown {
  switch (decoded.kind) {
    case "routing":
      return RoutingEvent.toJSON(decoded.event);
    case "presence":
      return PresenceEvent.toJSON(decoded.event);
    case "sessions":
      return SessionEvent.toJSON(decoded.event);
    case "sites":
      return SiteEvent.toJSON(decoded.event);
  }
}

/**
 * Reads one consumed message of a topic of `kind`, or says why it cannot be ingested (the reason
 * goes to the dead-letter table). A payload case this build does not know decodes without a payload
 * and is refused too, so it can be re-ingested by a newer build instead of being half-read.
 */
export function decodeEvent(kind: TopicKind, message: ConsumedEvent): DecodeResult {
  const { headers, value } = message;
  const versions = READABLE_SCHEMA_VERSIONS[kind];
  if (!versions.includes(headers.schemaVersion))
    return {
      ok: false,
      reason: `unknown schema version ${headers.schemaVersion || "(none)"}; this build reads ${versions.join(", ")}`,
    };
  if (value.length > MAX_EVENT_BYTES) return { ok: false, reason: `${value.length} bytes, above ${MAX_EVENT_BYTES}` };
  let decoded: DecodedEvent;
  try {
    decoded = decodeAs(kind, value);
  } catch (error) {
    return { ok: false, reason: `undecodable: ${error instanceof Error ? error.message : String(error)}` };
  }
  const payloadCase = decoded.event.payload?.$case;
  if (!payloadCase) return { ok: false, reason: `unknown event type "${headers.eventType}"` };
  const columns = columnsOf(decoded);
  const missing = !columns.eventId
    ? "event id"
    : !columns.siteId
      ? "site id"
      : columns.occurredAtMs <= 0
        ? "event time"
        : kind === "presence" && !columns.repId
          ? "rep id"
          : kind === "sessions" && !columns.sessionId
            ? "session id"
            : undefined;
  if (missing) return { ok: false, reason: `no ${missing}` };
  const invalid = decoded.kind === "sites" ? siteSettingsProblem(decoded.event) : undefined;
  if (invalid) return { ok: false, reason: invalid };
  if (headers.eventId && headers.eventId !== columns.eventId)
    return { ok: false, reason: `event-id header ${headers.eventId} differs from the payload's ${columns.eventId}` };
  const json = toJson(decoded);
  // PostgreSQL's jsonb cannot hold a NUL character; such an event would stop the consumer.
  if (JSON.stringify(json).includes("\\u0000")) return { ok: false, reason: "a text field holds a NUL character" };
  const eventType = payloadCase.charAt(0).toUpperCase() + payloadCase.slice(1);
  return { ok: true, event: { ...columns, source: kind, eventType, decoded, json } };
}
