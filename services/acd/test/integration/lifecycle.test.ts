import { describeServiceLifecycle, infrastructureEnv } from "@handoff/testing";

describeServiceLifecycle("acd", {
  env: () => {
    const { REDIS_URL, KAFKA_BROKERS } = infrastructureEnv();
    return { REDIS_URL, KAFKA_BROKERS };
  },
  http: false,
  badSetting: ["KAFKA_BROKERS", "not a broker list"],
});
