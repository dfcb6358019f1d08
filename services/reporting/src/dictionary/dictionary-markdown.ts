import { INGEST_KINDS, INGEST_TOPICS } from "../events/ingest-topics";
import type { MetricDefinition, SourceEvents } from "./metric-definition";
import { METRICS_DICTIONARY } from "./metrics-dictionary";

const eventName = (payloadCase: string) => payloadCase.charAt(0).toUpperCase() + payloadCase.slice(1);

/** The source events by topic name, as event types (the `event-type` header): `{ "handoff.routing.v1": ["SessionQueued"] }`. */
export function sourceEventsByTopic(events: SourceEvents): Record<string, string[]> {
  return Object.fromEntries(
    INGEST_KINDS.filter((kind) => events[kind]?.length).map((kind) => [
      INGEST_TOPICS[kind],
      (events[kind] ?? []).map(eventName),
    ]),
  );
}

const sourceEventsText = (events: SourceEvents) =>
  Object.entries(sourceEventsByTopic(events))
    .map(([topic, types]) => `\`${topic}\` ${types.join(", ")}`)
    .join("; ");

function section(metric: MetricDefinition): string[] {
  const lines = [`### \`${metric.name}\` — ${metric.label}`, "", metric.definition, ""];
  const rows: [string, string][] = [];
  if (metric.formula) rows.push(["formula", `\`${metric.formula}\``]);
  rows.push(["unit", `\`${metric.unit}\``], ["per", metric.grain]);
  if (metric.nullWhen) rows.push(["null when", metric.nullWhen]);
  rows.push(["events", sourceEventsText(metric.events)], ["facts", metric.facts.map((f) => `\`${f}\``).join(", ")]);
  const anchors = metric.anchors.map(
    (a) => `${a.product} ${a.api} \`${a.metric}\`${a.difference ? ` (${a.difference})` : ""}`,
  );
  rows.push(["anchors", anchors.length > 0 ? anchors.join("; ") : "none: Handoff's own"]);
  lines.push(...rows.map(([k, v]) => `- **${k}**: ${v}`), "");
  return lines;
}

/** METRICS-DICTIONARY.md, generated from the dictionary module (`npm run metrics-dictionary -w services/reporting`). */
export function dictionaryMarkdown(dictionary: readonly MetricDefinition[] = METRICS_DICTIONARY): string {
  const lines = [
    "# Reporting — metrics dictionary",
    "",
    "<!-- Generated from services/reporting/src/dictionary/metrics-dictionary.ts by",
    "     `npm run metrics-dictionary -w services/reporting`; edit that module, not this file. -->",
    "",
    "Every figure reporting serves: its definition, unit, grain, the events it is computed from and the",
    "fact table columns it is read from (schema `reporting`). The same content is served as JSON at",
    "`GET /v1/metrics-dictionary`. The definitions implement `../shared/METRICS.md`: times are event",
    "times (`occurred_at_ms`), a count belongs to the interval of its deciding event, ratios with a zero",
    "denominator are null, percentiles are nearest rank. The site's time zone, X and short-abandon",
    "threshold are the site's own settings (its admin saves them in intake's portal config `reporting`,",
    "published as `SiteSettingsChanged` on `handoff.sites.v1`; defaults UTC, 20 s, 5 s); a query may",
    "override each. They are applied when a figure is read, so a changed threshold re-reads history.",
    "",
  ];
  let group = "";
  for (const metric of dictionary) {
    if (metric.group !== group) {
      group = metric.group;
      lines.push(`## ${group}`, "");
    }
    lines.push(...section(metric));
  }
  return lines.join("\n");
}
