import { getNodeAutoInstrumentations } from "@opentelemetry/auto-instrumentations-node";
import { NodeSDK } from "@opentelemetry/sdk-node";
import { NoopSpanProcessor } from "@opentelemetry/sdk-trace";
import { keepCreationContext } from "../kafka/creation-context";

let sdk: NodeSDK | undefined;

/**
 * Starts the OpenTelemetry SDK with auto-instrumentation of grpc-js, http/express, ioredis, kafkajs,
 * pg and pino. Exporters follow the standard `OTEL_*` variables and are off by default; spans are
 * still created without an exporter so trace ids reach logs and propagate over gRPC and Kafka.
 * Must run before those libraries are first required (each service's `telemetry.ts`, imported first).
 */
export function startTelemetry(serviceName: string, env: NodeJS.ProcessEnv = process.env): NodeSDK {
  if (sdk) return sdk;
  env.OTEL_SERVICE_NAME ??= serviceName;
  env.OTEL_METRICS_EXPORTER ??= "none";
  // Without an exporter nothing is recorded: spans are not sampled, yet each still gets ids, so trace
  // ids reach the logs and `traceparent` propagates over gRPC and Kafka at almost no cost.
  if (!env.OTEL_TRACES_EXPORTER) env.OTEL_TRACES_SAMPLER ??= "parentbased_always_off";
  env.OTEL_LOGS_EXPORTER ??= "none";
  sdk = new NodeSDK({
    spanProcessors: env.OTEL_TRACES_EXPORTER ? undefined : [new NoopSpanProcessor()],
    instrumentations: [
      getNodeAutoInstrumentations({
        "@opentelemetry/instrumentation-fs": { enabled: false },
        "@opentelemetry/instrumentation-dns": { enabled: false },
        "@opentelemetry/instrumentation-net": { enabled: false },
        // An outbox relay sends events made by earlier requests: each keeps its request's trace.
        "@opentelemetry/instrumentation-kafkajs": { producerHook: keepCreationContext },
      }),
    ],
  });
  sdk.start();
  return sdk;
}

/** Flushes and stops the SDK; part of graceful shutdown. */
export async function stopTelemetry(): Promise<void> {
  await sdk?.shutdown();
  sdk = undefined;
}
