import { infrastructureEnv } from "@handoff/testing";

/**
 * The test Redis with a database of its own. The acd's leader lock and due indexes (`keys.leader`,
 * `keys.due`) are global keys, so acd replicas that test files start in parallel on the same database
 * would elect one leader among all of them: a test could not tell which replica fires its timers and
 * relays its outbox, and another file stopping its acd would pause them. A database per test file keeps
 * the leadership among the replicas that file starts. Each file picks a different number.
 */
export function privateRedisUrl(database: number): string {
  const url = new URL(infrastructureEnv().REDIS_URL);
  url.pathname = `/${database}`;
  return url.toString();
}
