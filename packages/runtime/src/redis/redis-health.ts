import type { RedisClient } from "./connection";

export interface RedisHealthOptions {
  /** How often each connection is pinged. @default 1000 */
  pingEveryMs?: number;
  /** A ping not answered within this counts as a failure. @default 1000 */
  pingTimeoutMs?: number;
}

const CONNECTION_EVENTS = ["ready", "close", "end", "reconnecting", "error"] as const;

/**
 * Follows whether every connection a service needs is up: ready, and answering a ping in time (a
 * connected socket can still hang, e.g. behind a stalled proxy). Calls `onChange` with the new
 * verdict whenever it changes, so a gRPC health status never says SERVING while Redis is out of reach.
 * Pings work on pub/sub connections too.
 */
export function followRedisHealth(
  connections: readonly RedisClient[],
  onChange: (healthy: boolean) => void,
  options: RedisHealthOptions = {},
): { stop(): void } {
  const pingEveryMs = options.pingEveryMs ?? 1_000;
  const pingTimeoutMs = options.pingTimeoutMs ?? 1_000;
  const answered = connections.map(() => true);
  let healthy: boolean | undefined;
  let stopped = false;

  const judge = () => {
    if (stopped) return;
    const now = connections.every((client, i) => client.status === "ready" && answered[i]);
    if (now === healthy) return;
    healthy = now;
    onChange(now);
  };

  const ping = (client: RedisClient, i: number) => {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), pingTimeoutMs);
    });
    const pong = client.ping().then(
      () => true,
      () => false,
    );
    void Promise.race([pong, timeout]).then((ok) => {
      clearTimeout(timer);
      answered[i] = ok;
      judge();
    });
  };

  for (const client of connections) for (const event of CONNECTION_EVENTS) client.on(event, judge);
  const interval = setInterval(() => connections.forEach(ping), pingEveryMs);
  interval.unref();
  judge();
  return {
    stop: () => {
      stopped = true;
      clearInterval(interval);
      for (const client of connections) for (const event of CONNECTION_EVENTS) client.off(event, judge);
    },
  };
}
