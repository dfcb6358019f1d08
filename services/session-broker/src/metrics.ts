import { metrics } from "@opentelemetry/api";

const meter = metrics.getMeter("session-broker");

/**
 * The broker's business figures (OpenTelemetry; exported as the standard OTEL_METRICS_EXPORTER
 * says, e.g. `prometheus`). Names follow handoff.<service>.<plural noun>.
 */
export const brokerMetrics = {
  /** Accepts refused because their fencing token was stale or already committed. */
  refusedAccepts: meter.createCounter("handoff.session_broker.refused_accepts", {
    description: "Accepts refused as stale or duplicated (FAILED_PRECONDITION)",
    unit: "{accept}",
  }),
  /** Assignments the acd accepted that PostgreSQL could not commit (the acd was told to re-queue). */
  rolledBackAssignments: meter.createCounter("handoff.session_broker.rolled_back_assignments", {
    unit: "{assignment}",
  }),
  /** What the reconciler repaired, by kind. */
  reconcilerRepairs: meter.createCounter("handoff.session_broker.reconciler_repairs", { unit: "{session}" }),
  /** Failed key, invitation or access link redemptions. */
  redemptionFailures: meter.createCounter("handoff.session_broker.redemption_failures", { unit: "{attempt}" }),
  /** Redemptions refused because an address or the whole service is locked out. */
  redemptionLockouts: meter.createCounter("handoff.session_broker.redemption_lockouts", { unit: "{attempt}" }),
  /** Outbox rows not yet acknowledged by Kafka, and the age of the oldest (set by the relay). */
  outboxBacklog: meter.createGauge("handoff.session_broker.outbox_backlog", { unit: "{event}" }),
  outboxLagMs: meter.createGauge("handoff.session_broker.outbox_lag", { unit: "ms" }),
  /** Sessions whose rep disconnected and whose site's fallback rule ran, by rule. */
  disconnectFallbacks: meter.createCounter("handoff.session_broker.disconnect_fallbacks", { unit: "{session}" }),
};
