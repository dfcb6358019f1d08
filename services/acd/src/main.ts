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
import { loadAcdConfig } from "./config";

runMain("acd", async () => {
  const config = loadAcdConfig();
  const logger = createLogger("acd", config.LOG_LEVEL);
  const redis = createRedis(redisOptionsFrom(config, "acd"));
  await redisReady(redis);
  const kafka = createKafka({ clientId: "acd", brokers: config.KAFKA_BROKERS, logger });
  const producer = await createEventProducer(kafka);

  const grpc = await startGrpcServer({ host: config.GRPC_HOST, port: config.GRPC_PORT, services: [] });
  grpc.setServing(true);
  logger.info({ grpcPort: grpc.port }, "acd listening");

  installShutdown(logger, config.SHUTDOWN_TIMEOUT_MS, [
    { name: "grpc", run: () => grpc.drain(config.SHUTDOWN_TIMEOUT_MS / 2) },
    { name: "kafka", run: () => producer.disconnect() },
    { name: "redis", run: async () => void (await redis.quit()) },
    { name: "telemetry", run: stopTelemetry },
  ]);
});
