import { HttpProblem } from "@handoff/runtime";
import { route, type AdminRoute } from "./admin-route";
import { routingVersionResponse } from "./admin-schemas";
import {
  routingConfigBody,
  routingConfigFromProto,
  routingConfigToProto,
  routingConfigView,
} from "./routing-config-json";

/** The acd owns routing: these routes forward to its routing-config RPCs for the admin's site. */
export const routingConfigRoutes: AdminRoute[] = [
  route({
    method: "get",
    path: "/v1/admin/routing-config",
    operationId: "getRoutingConfig",
    summary: "The site's routing config (teams, problem types), as the acd holds it.",
    tag: "routing",
    status: 200,
    response: routingConfigView,
    errors: [404, 503],
    handle: async ({ routing }, { principal }) => {
      const config = await routing.get(principal.siteId);
      if (!config)
        throw new HttpProblem(404, "Not found", `site ${principal.siteId} has no routing config yet`, undefined, {
          reason: "ROUTING_CONFIG_NOT_FOUND",
        });
      return { body: routingConfigFromProto(config), version: config.version };
    },
  }),
  route({
    method: "put",
    path: "/v1/admin/routing-config",
    operationId: "putRoutingConfig",
    summary: "Replaces the site's routing config in the acd, which validates it whole (its refusal names the field).",
    tag: "routing",
    body: routingConfigBody,
    status: 200,
    response: routingVersionResponse,
    errors: [413, 503],
    handle: async ({ routing }, { principal, body }) => {
      const version = await routing.put(principal.siteId, routingConfigToProto(body));
      return { body: { version }, version };
    },
  }),
];
