import type { z } from "zod";
import type { CustomerCredential } from "./customer-broker";
import type { PortalDeps } from "./portal-deps";

/** What a handler receives: the parsed request, the caller's address, his session credential. */
export interface PortalCall<P, B> {
  params: P;
  body: B;
  clientAddress: string;
  /** For session routes: the session in the path and the bearer token. */
  credential: CustomerCredential;
  /** The request's Idempotency-Key header (routes that take one), checked against IDEMPOTENCY_KEY. */
  idempotencyKey?: string;
}

/**
 * One operation of the public portal API: the same object drives the express route, its validation
 * and its OpenAPI operation, so the document cannot drift from what is served.
 */
export interface PortalRoute<P = unknown, B = unknown> {
  method: "get" | "post";
  /** OpenAPI form, e.g. `/v1/sites/{siteId}/sessions/{sessionId}/end`. */
  path: string;
  operationId: string;
  summary: string;
  tag: "portal" | "session";
  /** Session routes need the customer's token (`Authorization: Bearer`). */
  customer: boolean;
  params: z.ZodType<P>;
  body?: z.ZodType<B>;
  status: 200 | 201 | 204;
  response?: z.ZodType;
  /** The operation takes an optional Idempotency-Key header (a retry answers the first request's result). */
  idempotent?: boolean;
  /** Statuses besides 400, 403 (origin), 429 and 503 that the operation may answer. */
  errors: number[];
  handle(deps: PortalDeps, call: PortalCall<P, B>): Promise<unknown>;
}

// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion -- erases P and B on purpose
export const route = <P, B>(definition: PortalRoute<P, B>): PortalRoute => definition as unknown as PortalRoute;
