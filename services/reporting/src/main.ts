import "./telemetry";
import {
  createHttpApp,
  createKafka,
  createLogger,
  createPgPool,
  installShutdown,
  kafkaReadiness,
  postgresReadiness,
  runMain,
  startGrpcServer,
  startHttpServer,
} from "@handoff/runtime";
import { stopTelemetry } from "@handoff/runtime/telemetry";
import { loadReportingConfig } from "./config";

runMain("reporting", async () => {
  const config = loadReportingConfig();
  const logger = createLogger("reporting", config.LOG_LEVEL);
  const pool = createPgPool(config.DATABASE_URL);
  await pool.query("select 1");
  const kafka = createKafka({ clientId: "reporting", brokers: config.KAFKA_BROKERS, logger });
  const kafkaReady = kafkaReadiness(kafka);

  const grpc = await startGrpcServer({ host: config.GRPC_HOST, port: config.GRPC_PORT, services: [] });
  const app = createHttpApp({ logger, readiness: [postgresReadiness(pool), kafkaReady] });
  const http = await startHttpServer(app, config.HTTP_HOST, config.HTTP_PORT);
  grpc.setServing(true);
  logger.info({ grpcPort: grpc.port, httpPort: http.port }, "reporting listening");

  installShutdown(logger, config.SHUTDOWN_TIMEOUT_MS, [
    { name: "http", run: () => http.drain(config.SHUTDOWN_TIMEOUT_MS / 2) },
    { name: "grpc", run: () => grpc.drain(config.SHUTDOWN_TIMEOUT_MS / 2) },
    { name: "kafka", run: () => kafkaReady.close() },
    { name: "postgres", run: () => pool.end() },
    { name: "telemetry", run: stopTelemetry },
  ]);
});
