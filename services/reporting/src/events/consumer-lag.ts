import { metrics, type Meter } from "@opentelemetry/api";
import type { Consumer } from "kafkajs";

export const CONSUMER_LAG_METRIC = "handoff.reporting.consumer_lag";

/**
 * Consumer lag as an OpenTelemetry gauge: per topic partition, the events after the last one
 * processed (kafkajs reports the high watermark with every batch it finishes). A partition with no
 * new events reports no batch, and its last figure (0 once it caught up) stands.
 */
export class ConsumerLag {
  private readonly lags = new Map<string, { topic: string; partition: number; lag: number }>();

  constructor(meter: Meter = metrics.getMeter("reporting")) {
    meter
      .createObservableGauge(CONSUMER_LAG_METRIC, {
        description: "Events in the partition after the last one reporting processed",
        unit: "{event}",
      })
      .addCallback((result) => {
        for (const { topic, partition, lag } of this.lags.values())
          result.observe(lag, {
            "messaging.destination.name": topic,
            "messaging.destination.partition.id": String(partition),
          });
      });
  }

  follow(consumer: Consumer): void {
    consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
      this.lags.set(`${payload.topic}/${payload.partition}`, {
        topic: payload.topic,
        partition: payload.partition,
        lag: Number(payload.offsetLag),
      });
    });
  }

  /** The current figures, by "topic/partition" (what the gauge reports). */
  snapshot(): Record<string, number> {
    return Object.fromEntries([...this.lags].map(([key, { lag }]) => [key, lag]));
  }
}
