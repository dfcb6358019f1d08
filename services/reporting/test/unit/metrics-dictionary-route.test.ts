import { createHttpApp, createLogger, startHttpServer } from "@handoff/runtime";
import { describe, expect, it } from "vitest";
import { METRICS_DICTIONARY } from "../../src/dictionary/metrics-dictionary";
import { mountMetricsDictionary } from "../../src/http/metrics-dictionary-route";

describe("GET /v1/metrics-dictionary", () => {
  it("serves every figure of the dictionary module with its events named by topic and event type", async () => {
    const app = createHttpApp({
      logger: createLogger("test", "silent"),
      readiness: [],
      routes: mountMetricsDictionary,
    });
    const server = await startHttpServer(app, "127.0.0.1", 0);
    try {
      const response = await fetch(`http://127.0.0.1:${server.port}/v1/metrics-dictionary`);
      expect(response.status).toBe(200);
      const body = (await response.json()) as {
        metrics: { name: string; unit: string; events: Record<string, string[]> }[];
      };
      expect(body.metrics.map((m) => m.name)).toEqual(METRICS_DICTIONARY.map((m) => m.name));
      expect(body.metrics.find((m) => m.name === "service_level")).toMatchObject({
        unit: "1",
        events: { "handoff.routing.v1": ["SessionQueued", "SessionTransferred", "OfferAccepted", "SessionAbandoned"] },
      });
    } finally {
      await server.drain(1_000);
    }
  });
});
