import { context, propagation } from "@opentelemetry/api";
import type { IHeaders } from "kafkajs";

/** What every Handoff event carries next to its protobuf payload. */
export interface EventHeaders {
  eventId: string;
  /** The payload case, e.g. `OfferCreated`. */
  eventType: string;
  schemaVersion: number;
  /** W3C trace context of the producer; empty when none was active. */
  traceparent: string;
}

export const HEADER = {
  eventId: "event-id",
  eventType: "event-type",
  schemaVersion: "schema-version",
  traceparent: "traceparent",
} as const;

/** Headers for a new event, with `traceparent` taken from the active (or given) trace context. */
export function encodeEventHeaders(headers: Omit<EventHeaders, "traceparent"> & { traceparent?: string }): IHeaders {
  const carrier: Record<string, string> = {};
  if (headers.traceparent) carrier.traceparent = headers.traceparent;
  else propagation.inject(context.active(), carrier);
  return {
    ...carrier,
    [HEADER.eventId]: headers.eventId,
    [HEADER.eventType]: headers.eventType,
    [HEADER.schemaVersion]: String(headers.schemaVersion),
  };
}

function text(value: IHeaders[string]): string {
  if (value === undefined) return "";
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined ? "" : first.toString();
}

/** Reads the event headers of a consumed message; missing ones come back empty. */
export function decodeEventHeaders(headers: IHeaders | undefined): EventHeaders {
  const h = headers ?? {};
  return {
    eventId: text(h[HEADER.eventId]),
    eventType: text(h[HEADER.eventType]),
    schemaVersion: Number(text(h[HEADER.schemaVersion]) || 0),
    traceparent: text(h[HEADER.traceparent]),
  };
}
