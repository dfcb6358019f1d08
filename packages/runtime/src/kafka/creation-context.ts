import { propagation, ROOT_CONTEXT, trace, type Span } from "@opentelemetry/api";
import { HEADER } from "./headers";

/** The kafkajs message fields the instrumentation's producer hook sees. */
interface HookedMessage {
  headers?: Record<string, unknown>;
}

// Messages whose `traceparent` is the context they were created in (an outbox entry's request),
// not the context of the relay that sends them. Keyed by the message object kafkajs is handed.
const creationTraceparents = new WeakMap<object, string>();

/** Marks `message` as carrying the trace context it was created in; returns it. */
export function withCreationContext<M extends object>(message: M, traceparent: string): M {
  if (traceparent) creationTraceparents.set(message, traceparent);
  return message;
}

/**
 * The kafkajs instrumentation's `producerHook`. The instrumentation injects its own send span into
 * every message's headers, replacing the `traceparent` of the request that made the event (an outbox
 * relay sends from its own background trace). OpenTelemetry's messaging conventions want the
 * creation context on the message and the send span linked to it, so this puts the creation
 * `traceparent` back and links the send span to it.
 */
export function keepCreationContext(span: Span, info: { message: HookedMessage }): void {
  const traceparent = creationTraceparents.get(info.message);
  if (!traceparent || !info.message.headers) return;
  info.message.headers[HEADER.traceparent] = traceparent;
  const created = trace.getSpanContext(propagation.extract(ROOT_CONTEXT, { [HEADER.traceparent]: traceparent }));
  if (created) span.addLink({ context: created });
}
