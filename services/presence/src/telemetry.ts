// Imported first by main.ts: instrumentation must hook grpc-js, ioredis, kafkajs, express and pg
// before they are loaded.
import { startTelemetry } from "@handoff/runtime/telemetry";

startTelemetry("presence");
