import type { AcdRouting } from "../routing/acd-routing";
import type { PortalConfigCommands } from "./portal-config-commands";
import type { SiteRetirement } from "./site-retirement";

/** What the admin API's handlers use. */
export interface AdminApiDeps {
  portalConfigs: PortalConfigCommands;
  routing: AcdRouting;
  retirement: SiteRetirement;
}
