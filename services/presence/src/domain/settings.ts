/** Per-site presence rules; each default is declared here once. */
export interface PresenceSettings {
  /** Upper bound of a rep's capacity in multi-session mode. @default 5 */
  maxCapacity: number;
  /** When an offer expires the rep stays as he is instead of going away/not-responding. @default false */
  keepStateOnNotResponding: boolean;
}

export const DEFAULT_SETTINGS: PresenceSettings = { maxCapacity: 5, keepStateOnNotResponding: false };

/** Hard bound of any site's maximum capacity. */
export const CAPACITY_CEILING = 100;
