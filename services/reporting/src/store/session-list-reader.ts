import type { PgPool } from "@handoff/runtime";

export const SESSION_OUTCOMES = ["answered", "abandoned", "unanswered", "waiting"] as const;
export type SessionOutcome = (typeof SESSION_OUTCOMES)[number];

/** Where a page ends: the list runs newest first by (start, session id). */
export interface SessionListPlace {
  startedAtMs: number;
  sessionId: string;
}

export interface SessionListFilter {
  fromMs: number;
  toMs: number;
  teamId?: string;
  repId?: string;
  outcome?: SessionOutcome;
  after?: SessionListPlace;
  limit: number;
}

export interface SessionListItem {
  sessionId: string;
  startedAtMs: number;
  startMethod: string | null;
  problemTypeId: string | null;
  outcome: SessionOutcome;
  queuedAtMs: number | null;
  answeredAtMs: number | null;
  abandonedAtMs: number | null;
  abandonReason: string | null;
  endedAtMs: number | null;
  endReason: string | null;
  teamIds: string[];
  repIds: string[];
  transfers: number;
  offers: number;
  satisfaction: number | null;
}

// A session starts when the broker created it, or (without the broker's event) when the acd queued it.
const STARTED = "coalesce(s.created_at_ms, s.queued_at_ms)";
// Answered once a rep accepted it; abandoned if the customer left first; unanswered if it ended
// otherwise (no rep, portal closed...); waiting while none of these happened.
const OUTCOME = `case when s.answered_at_ms is not null then 'answered'
  when s.abandoned_at_ms is not null then 'abandoned'
  when s.ended_at_ms is not null then 'unanswered'
  else 'waiting' end`;

type Row = Record<string, unknown>;
const numOrNull = (value: unknown): number | null => (value === null ? null : Number(value));

/** The site's sessions that started in a range, filtered, a page at a time (expression index sessions_by_start). */
export class SessionListReader {
  constructor(private readonly pool: PgPool) {}

  /** One page, and whether more follow. */
  async page(siteId: string, filter: SessionListFilter): Promise<{ items: SessionListItem[]; more: boolean }> {
    const { rows } = await this.pool.query<Row>(
      `select s.session_id, ${STARTED} as started_at_ms, s.start_method, s.problem_type_id, ${OUTCOME} as outcome,
         s.queued_at_ms, s.answered_at_ms, s.abandoned_at_ms, s.abandon_reason, s.ended_at_ms, s.end_reason,
         s.transfers, s.offers,
         array(select e.queue_id from reporting.queue_entries e
               where e.site_id = s.site_id and e.session_id = s.session_id and e.queue_kind = 'team'
               group by e.queue_id order by min(e.entry_no)) as team_ids,
         array(select p.rep_id from reporting.handled_parts p
               where p.site_id = s.site_id and p.session_id = s.session_id
               group by p.rep_id order by min(p.part_no)) as rep_ids,
         (select v.satisfaction from reporting.surveys v where v.site_id = s.site_id and v.session_id = s.session_id
          order by v.submitted_at_ms desc, v.event_id desc limit 1) as satisfaction
       from reporting.sessions s
       where s.site_id = $1 and ${STARTED} >= $2 and ${STARTED} < $3
         and ($4::text is null or exists (select 1 from reporting.queue_entries e where e.site_id = s.site_id
              and e.session_id = s.session_id and e.queue_kind = 'team' and e.queue_id = $4))
         and ($5::text is null or exists (select 1 from reporting.handled_parts p where p.site_id = s.site_id
              and p.session_id = s.session_id and p.rep_id = $5))
         and ($6::text is null or ${OUTCOME} = $6)
         and ($7::bigint is null or (${STARTED}, s.session_id) < ($7, $8::text))
       order by ${STARTED} desc, s.session_id desc
       limit $9`,
      [
        siteId,
        filter.fromMs,
        filter.toMs,
        filter.teamId ?? null,
        filter.repId ?? null,
        filter.outcome ?? null,
        filter.after?.startedAtMs ?? null,
        filter.after?.sessionId ?? null,
        filter.limit + 1,
      ],
    );
    return { items: rows.slice(0, filter.limit).map(itemOf), more: rows.length > filter.limit };
  }
}

const itemOf = (r: Row): SessionListItem => ({
  sessionId: String(r.session_id),
  startedAtMs: Number(r.started_at_ms),
  startMethod: r.start_method as string | null,
  problemTypeId: r.problem_type_id as string | null,
  outcome: r.outcome as SessionOutcome,
  queuedAtMs: numOrNull(r.queued_at_ms),
  answeredAtMs: numOrNull(r.answered_at_ms),
  abandonedAtMs: numOrNull(r.abandoned_at_ms),
  abandonReason: r.abandon_reason as string | null,
  endedAtMs: numOrNull(r.ended_at_ms),
  endReason: r.end_reason as string | null,
  teamIds: r.team_ids as string[],
  repIds: r.rep_ids as string[],
  transfers: Number(r.transfers),
  offers: Number(r.offers),
  satisfaction: numOrNull(r.satisfaction),
});
