import type { z } from "zod";
import type { AgentPrincipal } from "@handoff/runtime";
import type { AgentApiDeps } from "./agent-api-deps";

export type HttpMethod = "get" | "post" | "put";

/** What a handler receives: the caller and the parsed request. */
export interface AgentCall<P, B> {
  principal: AgentPrincipal;
  params: P;
  body: B;
  /** For rep routes: the rep acted on (the caller himself under /v1/me), already checked. */
  repId: string;
}

/**
 * One command or read of the agent API. The same object drives the express route, its validation and
 * its OpenAPI operation, so the document cannot drift from what is served.
 */
export interface AgentRoute<P = unknown, B = unknown> {
  method: HttpMethod;
  /** OpenAPI form, e.g. `/v1/sessions/{sessionId}/accept`. Rep routes start `/v1/reps/{repId}`. */
  path: string;
  operationId: string;
  summary: string;
  tag: "rep" | "session" | "credentials";
  params?: z.ZodType<P>;
  body?: z.ZodType<B>;
  /** The 2xx answer: 204 has no body. */
  status: 200 | 201 | 204;
  response?: z.ZodType;
  /** Statuses besides 400, 401, 429 that the operation may answer. */
  errors: number[];
  handle(deps: AgentApiDeps, call: AgentCall<P, B>): Promise<unknown>;
}

/** A route with its types checked at the definition and erased in the table. */
// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion -- erases P and B on purpose
export const route = <P, B>(definition: AgentRoute<P, B>): AgentRoute => definition as unknown as AgentRoute;

/** The prefix of routes that act on one rep; each is also served under `/v1/me` for the caller. */
export const REP_PREFIX = "/v1/reps/{repId}";
export const ME_PREFIX = "/v1/me";
