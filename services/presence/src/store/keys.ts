/** The only place presence builds Redis key strings on the Node side; the library builds the same under the prefix (library/modules/keys.lua). */
export const tenantPrefix = (site: string) => `hp:{${site}}:`;

export const keys = {
  /**
   * Every site with presence data; read only when a replica starts or becomes leader (runtime `DueIndexes.markAll`).
   * Not `hp:sites` of versions before the due indexes, whose leaders sweep every site in it.
   */
  sites: "hp:known-sites",
  /**
   * Prefix of the due indexes (runtime `DueIndexes`): `heartbeats` (sites with connection deadlines),
   * `pushes` (sites with reps the acd may not have heard of yet) and `relay` (outbox entries to relay).
   * `#` is not allowed in ids, so no site shares the hash tag.
   */
  due: "hp:{#presence-due}:",
  /** Renamed with the due indexes, so during an upgrade a leader of each version serves its own sites. */
  leader: "hp:leader:presence-due",
  rep: (site: string, rep: string) => `${tenantPrefix(site)}rep:${rep}`,
  conns: (site: string, rep: string) => `${tenantPrefix(site)}conns:${rep}`,
  team: (site: string, team: string) => `${tenantPrefix(site)}team:${team}`,
  dirty: (site: string) => `${tenantPrefix(site)}dirty`,
  settings: (site: string) => `${tenantPrefix(site)}cfg`,
  outbox: (site: string) => `${tenantPrefix(site)}ob`,
  relayCursor: (site: string) => `${tenantPrefix(site)}obc`,
} as const;
