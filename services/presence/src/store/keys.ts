/** The only place presence builds Redis key strings; the Lua scripts build theirs under the prefix. */
export const tenantPrefix = (site: string) => `hp:{${site}}:`;

export const keys = {
  /** Every site with presence data: where the leader's sweeps look. */
  sites: "hp:sites",
  leader: "hp:leader:presence",
  rep: (site: string, rep: string) => `${tenantPrefix(site)}rep:${rep}`,
  conns: (site: string, rep: string) => `${tenantPrefix(site)}conns:${rep}`,
  team: (site: string, team: string) => `${tenantPrefix(site)}team:${team}`,
  dirty: (site: string) => `${tenantPrefix(site)}dirty`,
  settings: (site: string) => `${tenantPrefix(site)}cfg`,
  outbox: (site: string) => `${tenantPrefix(site)}ob`,
  relayCursor: (site: string) => `${tenantPrefix(site)}obc`,
} as const;
