/**
 * The only place Redis key strings are built on the Node side. Every key of a site shares the hash tag
 * `{site}`, so a site's keys live in one Redis Cluster slot and one Redis function may touch them all. The
 * library builds the keys under this prefix itself (library/modules/keys.lua).
 */
export const tenantPrefix = (site: string) => `hq:{${site}}:`;

export const keys = {
  /**
   * Set of every site with a routing config; read only when a replica starts or becomes leader (see RoutingStore).
   * Not `hq:sites` of versions before the due indexes: their leaders sweep every site in it, with scripts
   * that mark nothing, and this version's sites must not be left to them.
   */
  sites: "hq:configured-sites",
  /**
   * Prefix of the due indexes (runtime `DueIndexes`): `timers` (sites with deadlines) and `relay`
   * (sites with outbox entries to relay). `#` is not allowed in ids, so no site shares the hash tag.
   */
  due: "hq:{#acd-due}:",
  /**
   * The timer and relay leader's lock (outside Kubernetes); renamed with the due indexes, so during an
   * upgrade a leader of each version serves the sites its version registered.
   */
  leader: "hq:leader:acd-due",
  outbox: (site: string) => `${tenantPrefix(site)}ob`,
  /** The id of the last outbox entry Kafka acknowledged. */
  relayCursor: (site: string) => `${tenantPrefix(site)}obc`,
  config: (site: string) => `${tenantPrefix(site)}cfg`,
  /**
   * Pub/sub channel that offers.offer (library/modules/offers.lua) publishes to with every OfferCreated:
   * the offer feed's wake-up; the outbox stays the record.
   */
  offerChannel: (site: string) => `${tenantPrefix(site)}of`,
} as const;
