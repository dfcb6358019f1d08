import { context, trace, TraceFlags } from "@opentelemetry/api";
import {
  createEventProducer,
  createKafka,
  createLogger,
  startEventConsumer,
  type ConsumedEvent,
  type EventConsumer,
} from "@handoff/runtime";
import { startTelemetry, stopTelemetry } from "@handoff/runtime/telemetry";
import { infrastructureEnv } from "@handoff/testing";
import { randomUUID } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";

const logger = createLogger("kafka-test", "warn");
// The SDK registers the context manager and W3C propagator the producer injects `traceparent` with.
startTelemetry("kafka-test");

async function waitUntil(predicate: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error("timed out waiting for Kafka messages");
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe("Kafka producer and consumer helpers", () => {
  const kafka = createKafka({
    clientId: "runtime-test",
    brokers: infrastructureEnv().KAFKA_BROKERS.split(","),
    logger,
  });
  const topic = `test.${randomUUID()}`;
  const groupId = `group-${randomUUID()}`;
  const open: EventConsumer[] = [];
  afterAll(async () => {
    await Promise.all(open.map((c) => c.disconnect()));
    await stopTelemetry();
  });

  async function consume(into: ConsumedEvent[]): Promise<EventConsumer> {
    const consumer = await startEventConsumer(kafka, {
      groupId,
      topics: [topic],
      fromBeginning: true,
      handle: (event) => {
        into.push(event);
        return Promise.resolve();
      },
    });
    open.push(consumer);
    return consumer;
  }

  it("delivers protobuf bytes with their headers, and a restarted group member resumes after the committed offset", async () => {
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
    await admin.disconnect();

    const producer = await createEventProducer(kafka);
    const traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
    const parent = trace.setSpanContext(context.active(), {
      traceId,
      spanId: "00f067aa0ba902b7",
      traceFlags: TraceFlags.SAMPLED,
    });
    const event = (n: number) => ({
      key: `session-${n}`,
      value: Uint8Array.of(n, 0, 255),
      eventId: `evt-${n}`,
      eventType: "SessionQueued",
      schemaVersion: 1,
    });
    await context.with(parent, () => producer.publish(topic, [event(1), event(2)]));

    const first: ConsumedEvent[] = [];
    const consumer = await consume(first);
    await waitUntil(() => first.length === 2);
    expect(first[0]).toMatchObject({
      key: "session-1",
      headers: { eventId: "evt-1", eventType: "SessionQueued", schemaVersion: 1 },
    });
    expect([...first[0]!.value]).toEqual([1, 0, 255]);
    expect(first[0]!.headers.traceparent).toContain(traceId);

    await consumer.disconnect();
    open.splice(open.indexOf(consumer), 1);
    await producer.publish(topic, [event(3)]);

    const second: ConsumedEvent[] = [];
    await consume(second);
    await waitUntil(() => second.length >= 1);
    await new Promise((r) => setTimeout(r, 500));
    expect(second.map((e) => e.headers.eventId)).toEqual(["evt-3"]);
    await producer.disconnect();
  });
});
