import "./telemetry";
import {
  createHttpApp,
  createLogger,
  grpcDependencyReadiness,
  installShutdown,
  runMain,
  startGrpcServer,
  startHttpServer,
} from "@handoff/runtime";
import { stopTelemetry } from "@handoff/runtime/telemetry";
import { loadIntakeConfig } from "./config";

runMain("intake", async () => {
  const config = loadIntakeConfig();
  const logger = createLogger("intake", config.LOG_LEVEL);

  const grpc = await startGrpcServer({ host: config.GRPC_HOST, port: config.GRPC_PORT, services: [] });
  const app = createHttpApp({
    logger,
    readiness: [grpcDependencyReadiness("session-broker", config.SESSION_BROKER_ADDRESS)],
    rateLimitPerMinute: config.RATE_LIMIT_PER_MINUTE,
  });
  const http = await startHttpServer(app, config.HTTP_HOST, config.HTTP_PORT);
  grpc.setServing(true);
  logger.info({ grpcPort: grpc.port, httpPort: http.port }, "intake listening");

  installShutdown(logger, config.SHUTDOWN_TIMEOUT_MS, [
    { name: "http", run: () => http.drain(config.SHUTDOWN_TIMEOUT_MS / 2) },
    { name: "grpc", run: () => grpc.drain(config.SHUTDOWN_TIMEOUT_MS / 2) },
    { name: "telemetry", run: stopTelemetry },
  ]);
});
