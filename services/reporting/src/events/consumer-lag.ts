import { metrics, type Meter } from "@opentelemetry/api";
import type { Consumer } from "kafkajs";

export const CONSUMER_LAG_METRIC = "handoff.reporting.consumer_lag";

/**
 * Consumer lag as an OpenTelemetry gauge: per topic partition, the events after the last one
 * processed. kafkajs reports the partition's high watermark when it starts a batch; each committed
 * slice of it then lowers the figure, so a long batch (a replay from offset 0) shows its progress. A
 * partition with no new events starts no batch, and its last figure (0 once caught up) stands.
 */
export class ConsumerLag {
  private readonly partitions = new Map<
    string,
    { topic: string; partition: number; highWatermark: number; lag: number }
  >();

  constructor(meter: Meter = metrics.getMeter("reporting")) {
    meter
      .createObservableGauge(CONSUMER_LAG_METRIC, {
        description: "Events in the partition after the last one reporting processed",
        unit: "{event}",
      })
      .addCallback((result) => {
        for (const { topic, partition, lag } of this.partitions.values())
          result.observe(lag, {
            "messaging.destination.name": topic,
            "messaging.destination.partition.id": String(partition),
          });
      });
  }

  follow(consumer: Consumer): void {
    consumer.on(consumer.events.START_BATCH_PROCESS, ({ payload }) => {
      const highWatermark = Number(payload.highWatermark);
      this.partitions.set(`${payload.topic}/${payload.partition}`, {
        topic: payload.topic,
        partition: payload.partition,
        highWatermark,
        lag: highWatermark - Number(payload.firstOffset),
      });
    });
  }

  /** The events up to `offset` were processed (their transaction and offset commit done). */
  processed(topic: string, partition: number, offset: string): void {
    const state = this.partitions.get(`${topic}/${partition}`);
    if (state) state.lag = Math.max(0, state.highWatermark - 1 - Number(offset));
  }

  /** The current figures, by "topic/partition" (what the gauge reports). */
  snapshot(): Record<string, number> {
    return Object.fromEntries([...this.partitions].map(([key, { lag }]) => [key, lag]));
  }
}
