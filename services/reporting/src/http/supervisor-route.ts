import type { AgentPrincipal, ApiOperation } from "@handoff/runtime";
import type { z } from "zod";
import type { RealtimeStore } from "../store/realtime-store";
import type { RepFactsReader } from "../store/rep-facts-reader";
import type { SessionFactsReader } from "../store/session-facts-reader";
import type { SessionHistoryReader } from "../store/session-history-reader";
import type { SessionListReader } from "../store/session-list-reader";
import type { SiteSettingsStore } from "../store/site-settings-store";
import type { CsvTable } from "./csv-table";

export interface SupervisorApiDeps {
  realtime: RealtimeStore;
  facts: SessionFactsReader;
  repFacts: RepFactsReader;
  sessionList: SessionListReader;
  sessionHistory: SessionHistoryReader;
  siteSettings: SiteSettingsStore;
  now(): number;
}

/**
 * One operation of the supervisor API: the same object drives the express route, its validation and
 * its OpenAPI operation, so the document cannot drift from what is served.
 */
export interface SupervisorRoute<Q = unknown, P = unknown, A = unknown> extends Omit<
  ApiOperation,
  "method" | "params" | "query" | "status"
> {
  method: "get";
  params?: z.ZodType<P>;
  query: z.ZodType<Q>;
  status: 200;
  /** The principal's site is the only one a handler reads. */
  handle(deps: SupervisorApiDeps, principal: AgentPrincipal, query: Q, params: P): Promise<A>;
  /**
   * The answer as CSV, for `?format=csv` or `Accept: text/csv` (the query then has a `format` field):
   * one array of the answer, the query saying which.
   */
  csv?(answer: A, query: Q): CsvTable;
}

/** A route with its types checked at the definition and erased in the table. */
export const route = <Q, P = unknown, A = unknown>(definition: SupervisorRoute<Q, P, A>) =>
  definition as unknown as SupervisorRoute;
