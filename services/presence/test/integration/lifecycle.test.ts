import { describeServiceLifecycle, infrastructureEnv } from "@handoff/testing";

describeServiceLifecycle("presence", {
  env: () => {
    const { REDIS_URL, KAFKA_BROKERS } = infrastructureEnv();
    // No call reaches the acd during start and stop; presence dials it lazily.
    return { REDIS_URL, KAFKA_BROKERS, ACD_ADDRESS: "127.0.0.1:1" };
  },
  http: false,
  badSetting: ["KAFKA_BROKERS", "not a broker list"],
});
