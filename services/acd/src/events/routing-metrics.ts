import { metrics } from "@opentelemetry/api";
import { abandonReasonToJSON } from "@handoff/proto/common";
import type { RoutingEvent } from "@handoff/proto/events";

const meter = metrics.getMeter("acd");

/** Waits and handle times span seconds to an hour; the default buckets stop at 10 s. */
const DURATION_BUCKETS_MS = [
  250, 500, 1_000, 5_000, 10_000, 20_000, 30_000, 60_000, 120_000, 300_000, 600_000, 1_800_000, 3_600_000,
];

/**
 * The routing figures operators watch (OpenTelemetry; exported as OTEL_METRICS_EXPORTER says, e.g.
 * `prometheus`). Counted as the leader relays each event to Kafka, so every event is counted once
 * whichever replica made it (a relay retry after a crash may count one twice). Names follow
 * handoff.<service>.<noun>; no site or session label, so the series stay few (reporting has the per-site figures).
 */
const routingMetrics = {
  events: meter.createCounter("handoff.acd.routing_events", {
    description: "Routing events published, by type (SessionQueued, OfferCreated, OfferAccepted, ...)",
    unit: "{event}",
  }),
  answerWait: meter.createHistogram("handoff.acd.answer_wait", {
    description: "How long accepted sessions waited in the queue (speed of answer)",
    unit: "ms",
    advice: { explicitBucketBoundaries: DURATION_BUCKETS_MS },
  }),
  abandonWait: meter.createHistogram("handoff.acd.abandon_wait", {
    description: "How long abandoned sessions waited before leaving, by reason",
    unit: "ms",
    advice: { explicitBucketBoundaries: DURATION_BUCKETS_MS },
  }),
  handleTime: meter.createHistogram("handoff.acd.handle_time", {
    description: "From accept to end of the sessions that ended",
    unit: "ms",
    advice: { explicitBucketBoundaries: DURATION_BUCKETS_MS },
  }),
};

/** Counts one relayed routing event and records the durations it carries. */
export function recordRoutingEvent(event: RoutingEvent): void {
  const payload = event.payload;
  if (!payload) return;
  const type = payload.$case.charAt(0).toUpperCase() + payload.$case.slice(1);
  routingMetrics.events.add(1, { type });
  switch (payload.$case) {
    case "offerAccepted":
      routingMetrics.answerWait.record(payload.offerAccepted.waitedMs);
      break;
    case "sessionAbandoned":
      routingMetrics.abandonWait.record(payload.sessionAbandoned.waitedMs, {
        reason: abandonReasonToJSON(payload.sessionAbandoned.reason),
      });
      break;
    case "sessionEnded":
      routingMetrics.handleTime.record(payload.sessionEnded.handleMs);
      break;
  }
}
