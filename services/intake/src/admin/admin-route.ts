import type { AgentPrincipal, ApiOperation } from "@handoff/runtime";
import type { z } from "zod";
import type { AdminApiDeps } from "./admin-api-deps";

/** What a handler receives: the admin (his site is the only one he reaches) and the parsed request. */
export interface AdminCall<P, Q, B> {
  principal: AgentPrincipal;
  params: P;
  query: Q;
  body: B;
  /** The raw `If-Match` header, for writes under optimistic concurrency. */
  ifMatch: string | undefined;
}

/** A handler's answer: the JSON body, and the version of what it holds (sent as the `ETag`). */
export interface AdminAnswer {
  body: unknown;
  version?: number;
}

/**
 * One operation of the admin API. The same object drives the express route, its validation and its
 * OpenAPI operation, so the document cannot drift from what is served.
 */
export interface AdminRoute<P = unknown, Q = unknown, B = unknown> extends Omit<
  ApiOperation,
  "method" | "params" | "query" | "body" | "status"
> {
  method: "get" | "put" | "delete";
  params?: z.ZodType<P>;
  query?: z.ZodType<Q>;
  body?: z.ZodType<B>;
  status: 200;
  handle(deps: AdminApiDeps, call: AdminCall<P, Q, B>): Promise<AdminAnswer>;
}

/** A route with its types checked at the definition and erased in the table. */
// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion -- erases P, Q and B on purpose
export const route = <P, Q, B>(definition: AdminRoute<P, Q, B>): AdminRoute => definition as unknown as AdminRoute;
