import type { Express } from "express";
import { sourceEventsByTopic } from "../dictionary/dictionary-markdown";
import { METRICS_DICTIONARY } from "../dictionary/metrics-dictionary";

/** The dictionary module as JSON, with each figure's events named by topic and event type. */
export const metricsDictionaryBody = {
  metrics: METRICS_DICTIONARY.map((metric) => ({ ...metric, events: sourceEventsByTopic(metric.events) })),
};

/** `GET /v1/metrics-dictionary`: definitions only, no site's data, so no token is asked for. */
export function mountMetricsDictionary(app: Express): void {
  app.get("/v1/metrics-dictionary", (_req, res) => {
    res.set("Cache-Control", "public, max-age=300").json(metricsDictionaryBody);
  });
}
