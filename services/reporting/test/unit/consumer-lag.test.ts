import { MeterProvider, MetricReader } from "@opentelemetry/sdk-metrics";
import type { Consumer } from "kafkajs";
import { describe, expect, it } from "vitest";
import { CONSUMER_LAG_METRIC, ConsumerLag } from "../../src/events/consumer-lag";

class CollectingReader extends MetricReader {
  protected onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
  protected onShutdown(): Promise<void> {
    return Promise.resolve();
  }
}

/** The part of a kafkajs consumer the lag follows: its instrumentation events. */
function fakeConsumer() {
  const listeners = new Map<string, (event: { payload: Record<string, unknown> }) => void>();
  const consumer = {
    events: { START_BATCH_PROCESS: "consumer.start_batch_process" },
    on: (name: string, listener: (event: { payload: Record<string, unknown> }) => void) =>
      listeners.set(name, listener),
  };
  const startBatch = (payload: Record<string, unknown>) =>
    listeners.get(consumer.events.START_BATCH_PROCESS)?.({ payload });
  return { consumer: consumer as unknown as Consumer, startBatch };
}

describe("consumer lag", () => {
  it("reports the events left in a partition, lowered by each processed event of a long batch", async () => {
    const reader = new CollectingReader();
    const meters = new MeterProvider({ readers: [reader] });
    const lag = new ConsumerLag(meters.getMeter("reporting"));
    const { consumer, startBatch } = fakeConsumer();
    lag.follow(consumer);

    startBatch({ topic: "handoff.routing.v1", partition: 2, highWatermark: "1000", firstOffset: "0" });
    lag.processed("handoff.routing.v1", 2, "399");
    const { resourceMetrics } = await reader.collect();
    const points = resourceMetrics.scopeMetrics
      .flatMap((s) => s.metrics)
      .filter((m) => m.descriptor.name === CONSUMER_LAG_METRIC)
      .flatMap((m) => m.dataPoints as { attributes: unknown; value: unknown }[]);
    expect(points.map((p) => [p.attributes, p.value])).toEqual([
      [{ "messaging.destination.name": "handoff.routing.v1", "messaging.destination.partition.id": "2" }, 600],
    ]);
    lag.processed("handoff.routing.v1", 2, "999");
    expect(lag.snapshot()).toEqual({ "handoff.routing.v1/2": 0 });
    await meters.shutdown();
  });
});
