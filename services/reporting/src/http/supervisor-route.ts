import type { AgentPrincipal, ApiOperation } from "@handoff/runtime";
import type { z } from "zod";
import type { RealtimeStore } from "../store/realtime-store";
import type { RepFactsReader } from "../store/rep-facts-reader";
import type { SessionFactsReader } from "../store/session-facts-reader";

export interface SupervisorApiDeps {
  realtime: RealtimeStore;
  facts: SessionFactsReader;
  repFacts: RepFactsReader;
  now(): number;
}

/**
 * One operation of the supervisor API: the same object drives the express route, its validation and
 * its OpenAPI operation, so the document cannot drift from what is served.
 */
export interface SupervisorRoute<Q = unknown> extends Omit<ApiOperation, "method" | "query" | "status"> {
  method: "get";
  query: z.ZodType<Q>;
  status: 200;
  /** The principal's site is the only one a handler reads. */
  handle(deps: SupervisorApiDeps, principal: AgentPrincipal, query: Q): Promise<unknown>;
}

/** A route with its query type checked at the definition and erased in the table. */
// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion -- erases Q on purpose
export const route = <Q>(definition: SupervisorRoute<Q>): SupervisorRoute => definition as unknown as SupervisorRoute;
