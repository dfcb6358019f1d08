import type { AwayRegistry } from "./away-registry";
import type { CustomerBroker } from "./customer-broker";
import type { CustomerStreams } from "./customer-streams";
import type { RepDirectory } from "./rep-directory";
import type { SitePortals } from "./site-portals";
import type { WaitPreview } from "./wait-preview";

export interface PortalDeps {
  sites: SitePortals;
  broker: CustomerBroker;
  reps: Pick<RepDirectory, "listed">;
  streams: CustomerStreams;
  waits: Pick<WaitPreview, "estimate">;
  /** Keep my place: who is away (to be called back). */
  away: Pick<AwayRegistry, "add" | "remove">;
  now(): number;
}
