/**
 * The only place Redis key strings are built on the Node side. Every key of a site shares the hash tag
 * `{site}`, so a site's keys live in one Redis Cluster slot and one Lua script may touch them all. The
 * scripts build the keys under this prefix themselves (see scripts/includes/*.lua).
 */
export const tenantPrefix = (site: string) => `hq:{${site}}:`;

export const keys = {
  /** Set of every site with a routing config: where the timer sweeper and the relay look. */
  sites: "hq:sites",
  /** The timer and relay leader's lock (outside Kubernetes). */
  leader: "hq:leader:acd",
  outbox: (site: string) => `${tenantPrefix(site)}ob`,
  /** The id of the last outbox entry Kafka acknowledged. */
  relayCursor: (site: string) => `${tenantPrefix(site)}obc`,
  config: (site: string) => `${tenantPrefix(site)}cfg`,
} as const;
