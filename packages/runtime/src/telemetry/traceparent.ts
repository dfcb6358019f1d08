import { context, propagation } from "@opentelemetry/api";

/** The active trace context as a W3C `traceparent` value; empty when there is none. */
export function currentTraceparent(): string {
  const carrier: { traceparent?: string } = {};
  propagation.inject(context.active(), carrier);
  return carrier.traceparent ?? "";
}
