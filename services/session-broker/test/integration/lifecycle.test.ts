import { describeServiceLifecycle, infrastructureEnv } from "@handoff/testing";

describeServiceLifecycle("session-broker", {
  env: () => {
    const { DATABASE_URL, KAFKA_BROKERS, REDIS_URL } = infrastructureEnv();
    // The acd and presence are dialled lazily: the broker starts and stops without them.
    return { DATABASE_URL, KAFKA_BROKERS, REDIS_URL, ACD_ADDRESS: "127.0.0.1:1", PRESENCE_ADDRESS: "127.0.0.1:1" };
  },
  http: true,
  badSetting: ["DATABASE_URL", "mysql://nowhere"],
});
