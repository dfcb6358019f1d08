import type { PresenceEvent, RoutingEvent, SessionEvent, SiteEvent } from "@handoff/proto/events";

type CaseOf<E extends { payload?: { $case: string } | undefined }> = NonNullable<E["payload"]>["$case"];

/** The events a figure is computed from, by topic, as the payload cases of each envelope. */
export interface SourceEvents {
  routing?: readonly CaseOf<RoutingEvent>[];
  presence?: readonly CaseOf<PresenceEvent>[];
  sessions?: readonly CaseOf<SessionEvent>[];
  /** The site's settings (time zone, thresholds) the figure is computed with. */
  sites?: readonly CaseOf<SiteEvent>[];
}

export type MetricGroup = "Queue counts" | "Queue ratios and times" | "Real time" | "Reps" | "Handoff's own";

/** UCUM units, as OpenTelemetry writes them: `1` is a ratio between 0 and 1. */
export type MetricUnit = "{contact}" | "{offer}" | "{transfer}" | "{rep}" | "ms" | "1" | "{score}";

export type AnchorProduct = "Amazon Connect" | "Twilio TaskRouter" | "Genesys Cloud";

/** A figure of another product that this one matches, or resembles with the stated difference. */
export interface MetricAnchor {
  product: AnchorProduct;
  /** The API it is read from: `GetMetricDataV2`, `GetCurrentMetricData`, `TaskQueue cumulative statistics`... */
  api: string;
  metric: string;
  /** Empty when it is the same figure; otherwise how theirs differs. */
  difference: string;
}

export interface MetricDefinition {
  /** The name used by the API and the interval tables (METRICS.md). */
  name: string;
  label: string;
  group: MetricGroup;
  /** What it counts or measures, in words. */
  definition: string;
  /** The formula over other figures, when it is a ratio or a derived figure. */
  formula?: string;
  unit: MetricUnit;
  /** What one value is reported for: queue × interval, rep × interval, queue now... */
  grain: string;
  /** When it is null instead of a number. */
  nullWhen?: string;
  events: SourceEvents;
  /** The fact table columns it is computed from (schema `reporting`). */
  facts: readonly string[];
  anchors: readonly MetricAnchor[];
}
