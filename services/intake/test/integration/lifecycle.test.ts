import { describeServiceLifecycle, infrastructureEnv, startService, type ServiceProcess } from "@handoff/testing";
import { afterAll, beforeAll } from "vitest";

// intake is ready only when the session-broker it forwards to answers; run a real one.
let broker: ServiceProcess;
beforeAll(async () => {
  const { DATABASE_URL, KAFKA_BROKERS, REDIS_URL } = infrastructureEnv();
  // The broker dials the acd and presence lazily: it serves without them.
  broker = await startService("session-broker", {
    DATABASE_URL,
    KAFKA_BROKERS,
    REDIS_URL,
    ACD_ADDRESS: "127.0.0.1:1",
    PRESENCE_ADDRESS: "127.0.0.1:1",
  });
});
afterAll(async () => {
  await broker.stop();
});

describeServiceLifecycle("intake", {
  env: () => ({
    DATABASE_URL: infrastructureEnv().DATABASE_URL,
    KAFKA_BROKERS: infrastructureEnv().KAFKA_BROKERS,
    REDIS_URL: infrastructureEnv().REDIS_URL,
    SESSION_BROKER_ADDRESS: `127.0.0.1:${broker.grpcPort}`,
    // Only the admin API's routing routes call the acd, and lazily.
    ACD_ADDRESS: "127.0.0.1:1",
    // The portal asks presence only when a site's rep list is read.
    PRESENCE_ADDRESS: "127.0.0.1:1",
    ADMIN_HTTP_PORT: "0",
  }),
  http: true,
  badSetting: ["RATE_LIMIT_PER_MINUTE", "-5"],
});
