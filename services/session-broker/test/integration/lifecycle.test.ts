import { describeServiceLifecycle, infrastructureEnv } from "@handoff/testing";

describeServiceLifecycle("session-broker", {
  env: () => {
    const { DATABASE_URL, KAFKA_BROKERS } = infrastructureEnv();
    return { DATABASE_URL, KAFKA_BROKERS };
  },
  http: true,
  badSetting: ["DATABASE_URL", "mysql://nowhere"],
});
