import "./telemetry";
import {
  createEventProducer,
  createKafka,
  createLogger,
  createRedis,
  installShutdown,
  redisOptionsFrom,
  redisReady,
  runMain,
  startGrpcServer,
} from "@handoff/runtime";
import { stopTelemetry } from "@handoff/runtime/telemetry";
import { loadPresenceConfig } from "./config";

runMain("presence", async () => {
  const config = loadPresenceConfig();
  const logger = createLogger("presence", config.LOG_LEVEL);
  const redis = createRedis(redisOptionsFrom(config, "presence"));
  await redisReady(redis);
  const kafka = createKafka({ clientId: "presence", brokers: config.KAFKA_BROKERS, logger });
  const producer = await createEventProducer(kafka);

  const grpc = await startGrpcServer({ host: config.GRPC_HOST, port: config.GRPC_PORT, services: [] });
  grpc.setServing(true);
  logger.info({ grpcPort: grpc.port }, "presence listening");

  installShutdown(logger, config.SHUTDOWN_TIMEOUT_MS, [
    { name: "grpc", run: () => grpc.drain(config.SHUTDOWN_TIMEOUT_MS / 2) },
    { name: "kafka", run: () => producer.disconnect() },
    { name: "redis", run: async () => void (await redis.quit()) },
    { name: "telemetry", run: stopTelemetry },
  ]);
});
