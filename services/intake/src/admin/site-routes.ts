import { route, type AdminRoute } from "./admin-route";
import { siteRetiredView } from "./admin-schemas";

/** The admin's site itself: retiring it in the acd, presence and intake (SiteRetirement). */
export const siteRoutes: AdminRoute[] = [
  route({
    method: "delete",
    path: "/v1/admin/site",
    operationId: "retireSite",
    summary:
      "Retires the site: refused (409 SITE_IN_USE) while sessions wait, are offered or are active; otherwise " +
      "its routing config, reps' presence and every routing key go, and the portal answers 404. Asking " +
      "again finishes a retirement cut short. Session history and reporting facts stay. Saving a routing " +
      "and portal config again starts the site afresh.",
    tag: "site",
    status: 200,
    response: siteRetiredView,
    errors: [409, 503],
    handle: async ({ retirement }, { principal }) => {
      const retired = await retirement.retire(principal.siteId, principal.repId);
      return {
        body: {
          siteId: principal.siteId,
          retiredAt: retired.retiredAt.toISOString(),
          retiredBy: retired.retiredBy,
          throughVersion: retired.throughVersion,
          removedKeys: retired.removedKeys,
        },
      };
    },
  }),
];
