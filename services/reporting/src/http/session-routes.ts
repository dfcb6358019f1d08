import { HttpProblem } from "@handoff/runtime";
import type { z } from "zod";
import { buildSessionReport } from "../domain/session-report";
import { fileStamp } from "./csv-table";
import {
  encodeCursor,
  sessionListItemSchema,
  sessionReportParams,
  sessionReportQuery,
  sessionReportResponse,
  sessionsQuery,
  sessionsResponse,
} from "./session-schemas";
import { route, type SupervisorRoute } from "./supervisor-route";

/** The session list and the session report of the supervisor API. */
export const SESSION_ROUTES: readonly SupervisorRoute[] = [
  route({
    method: "get",
    path: "/v1/supervisor/sessions",
    operationId: "listSessions",
    summary: "The site's sessions that started in a range, newest first, by team, rep and outcome; a page at a time",
    tag: "sessions",
    query: sessionsQuery,
    status: 200,
    response: sessionsResponse,
    errors: [],
    async handle(deps, principal, query): Promise<z.output<typeof sessionsResponse>> {
      const { items, more } = await deps.sessionList.page(principal.siteId, {
        fromMs: query.from,
        toMs: query.to,
        teamId: query.team,
        repId: query.rep,
        outcome: query.outcome,
        after: query.cursor,
        limit: query.limit,
      });
      const last = items.at(-1);
      return { sessions: items, nextCursor: more && last ? encodeCursor(last) : null };
    },
    csv: (answer, query) => ({
      filename: `sessions-${fileStamp(query.from)}-${fileStamp(query.to)}.csv`,
      row: sessionListItemSchema,
      rows: answer.sessions,
      nextCursor: answer.nextCursor,
    }),
  }),
  route({
    method: "get",
    path: "/v1/supervisor/sessions/{sessionId}/report",
    operationId: "getSessionReport",
    summary: "The full story of one session: timeline, offers and their decisions, consent, permissions, notes, chat",
    tag: "sessions",
    params: sessionReportParams,
    query: sessionReportQuery,
    status: 200,
    response: sessionReportResponse,
    errors: [404],
    async handle(deps, principal, _query, params): Promise<z.input<typeof sessionReportResponse>> {
      const stored = await deps.sessionHistory.read(principal.siteId, params.sessionId);
      // Another site's session reads as no session: its existence is not told either.
      if (!stored)
        throw new HttpProblem(404, "Session not found", `no session ${params.sessionId} in this site`, undefined, {
          reason: "SESSION_NOT_FOUND",
        });
      return { ...buildSessionReport(stored.history), truncated: stored.truncated };
    },
  }),
];
