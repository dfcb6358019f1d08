import { metrics } from "@opentelemetry/api";
import { repStateToJSON } from "@handoff/proto/common";
import type { PresenceEvent } from "@handoff/proto/events";

const meter = metrics.getMeter("presence");

/** Rep states last seconds to hours; the default buckets stop at 10 s. */
const STATE_DURATION_BUCKETS_MS = [1_000, 10_000, 60_000, 300_000, 900_000, 1_800_000, 3_600_000, 14_400_000];

/**
 * The presence figures operators watch (OpenTelemetry, exported as OTEL_METRICS_EXPORTER says).
 * Events are counted as the leader relays them, once whichever replica made them (a relay retry
 * after a crash may count one twice); heartbeats by the replica that took them. No site or rep
 * label, so the series stay few (reporting has the per-rep figures).
 */
export const presenceMetrics = {
  events: meter.createCounter("handoff.presence.presence_events", {
    description: "Presence events published, by type (RepLoggedIn, RepStateChanged, RepConnectionDropped, ...)",
    unit: "{event}",
  }),
  stateDurations: meter.createHistogram("handoff.presence.state_duration", {
    description: "How long reps stayed in a state before leaving it, by that state",
    unit: "ms",
    advice: { explicitBucketBoundaries: STATE_DURATION_BUCKETS_MS },
  }),
  heartbeats: meter.createCounter("handoff.presence.heartbeats", {
    description: "Connection heartbeats taken by this replica",
    unit: "{heartbeat}",
  }),
};

/** Counts one relayed presence event and records the state duration it carries. */
export function recordPresenceEvent(event: PresenceEvent): void {
  const payload = event.payload;
  if (!payload) return;
  presenceMetrics.events.add(1, { type: payload.$case.charAt(0).toUpperCase() + payload.$case.slice(1) });
  if (payload.$case === "repStateChanged")
    presenceMetrics.stateDurations.record(payload.repStateChanged.previousDurationMs, {
      state: repStateToJSON(payload.repStateChanged.previousState),
    });
}
