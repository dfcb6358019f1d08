import { currentTraceparent, type PgPool } from "@handoff/runtime";
import type { PoolClient } from "pg";
import type { SessionEvent } from "@handoff/proto/events";
import { SessionAlreadyExistsError, SessionNotFoundError } from "../domain/errors";
import { assertTransition, type SessionStateName } from "../domain/session-lifecycle";
import {
  buildSessionEvent,
  decodeSessionEvent,
  encodeSessionEvent,
  OUTBOX_CHANNEL,
  SESSION_EVENTS_CHANNEL,
  type SessionEventPayload,
} from "./session-events";
import { rowFromRecord, type SessionPatch, type SessionRecord, type SessionRow } from "./session-row";

export type Tx = PoolClient;

/** What a change may do to one locked session; flushed as one UPDATE plus its events on commit. */
export interface SessionChange {
  readonly tx: Tx;
  /** The row as it was locked. */
  readonly before: SessionRow;
  /** The row with this change's patches applied so far. */
  readonly row: SessionRow;
  readonly nowMs: number;
  set(patch: SessionPatch): void;
  emit(payload: SessionEventPayload): void;
}

export interface ChangeResult<T> {
  result: T;
  row: SessionRow;
  events: SessionEvent[];
}

export type NewSession = Omit<
  SessionRow,
  "lastSequence" | "updatedAtMs" | "away" | "awayVersion" | "calledBackAtMs" | "returnByMs" | "resumeTokenHash"
>;

/**
 * The one door to the broker's session tables. Every change of a session locks its row, applies a
 * patch and appends its events to `session_events` **and** `session_outbox` in the same transaction,
 * so history, outbox and state never disagree; a committed event is announced with pg NOTIFY for the
 * WatchSession feeds of every replica.
 */
export class SessionStore {
  constructor(
    readonly pool: PgPool,
    private readonly now: () => number = Date.now,
  ) {}

  async transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    const tx = await this.pool.connect();
    try {
      await tx.query("begin");
      const result = await fn(tx);
      await tx.query("commit");
      return result;
    } catch (error) {
      await tx.query("rollback").catch(() => undefined);
      throw error;
    } finally {
      tx.release();
    }
  }

  /** Inserts a new session with its first events. */
  async create(session: NewSession, payloads: readonly SessionEventPayload[]): Promise<ChangeResult<void>> {
    return this.transaction((tx) => this.createIn(tx, session, payloads));
  }

  /** As `create`, inside a transaction the caller owns (a key is consumed with the session or not at all). */
  async createIn(tx: Tx, session: NewSession, payloads: readonly SessionEventPayload[]): Promise<ChangeResult<void>> {
    {
      const inserted = await tx.query<SessionRecord>(
        `insert into sessions (site_id, session_id, start_method, state, target_kind, target_id, problem_type_id,
           priority, required_skills, customer, consent, customer_token_hash, rep_id, epoch, committed_epoch,
           offer_expires_at_ms, enqueued_at_ms, created_at_ms, updated_at_ms, ended_at_ms, end_reason, credential_id,
           client_mode)
         values ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$18,$19,$20,$21,$22)
         on conflict do nothing returning *`,
        [
          session.siteId,
          session.sessionId,
          session.startMethod,
          session.state,
          session.target.kind,
          session.target.id,
          session.problemTypeId,
          session.priority,
          session.requiredSkills,
          session.customer,
          session.consent,
          session.customerTokenHash,
          session.repId,
          session.epoch,
          session.committedEpoch,
          session.offerExpiresAtMs,
          session.enqueuedAtMs,
          session.createdAtMs,
          session.endedAtMs,
          session.endReason,
          session.credentialId,
          session.clientMode,
        ],
      );
      const record = inserted.rows[0];
      if (!record) throw new SessionAlreadyExistsError(session.sessionId);
      const row = rowFromRecord(record);
      const events = await this.append(tx, row, payloads, session.createdAtMs);
      return { result: undefined, row: { ...row, lastSequence: events.length }, events };
    }
  }

  /**
   * Locks the session, runs `fn`, then writes the patched row and the emitted events, all in one
   * transaction. A state change is checked against the lifecycle. Throws SessionNotFoundError.
   */
  async change<T>(
    siteId: string,
    sessionId: string,
    fn: (change: SessionChange) => T | Promise<T>,
  ): Promise<ChangeResult<T>> {
    return this.transaction((tx) => this.changeIn(tx, siteId, sessionId, fn));
  }

  /** As `change`, inside a transaction the caller owns (e.g. with a processed-event mark). */
  async changeIn<T>(
    tx: Tx,
    siteId: string,
    sessionId: string,
    fn: (change: SessionChange) => T | Promise<T>,
  ): Promise<ChangeResult<T>> {
    const locked = await tx.query<SessionRecord>(
      "select * from sessions where site_id = $1 and session_id = $2 for update",
      [siteId, sessionId],
    );
    const record = locked.rows[0];
    if (!record) throw new SessionNotFoundError(sessionId);
    const before = rowFromRecord(record);
    const nowMs = this.now();
    let row = before;
    const payloads: SessionEventPayload[] = [];
    const result = await fn({
      tx,
      before,
      get row() {
        return row;
      },
      nowMs,
      set(patch) {
        if (patch.state && patch.state !== row.state) assertTransition(sessionId, row.state, patch.state);
        row = { ...row, ...patch };
      },
      emit(payload) {
        payloads.push(payload);
      },
    });
    if (row === before && payloads.length === 0) return { result, row, events: [] };
    row = { ...row, updatedAtMs: nowMs };
    await tx.query(
      `update sessions set state = $3, target_kind = $4, target_id = $5, priority = $6, rep_id = $7, epoch = $8,
         committed_epoch = $9, offer_expires_at_ms = $10, enqueued_at_ms = $11, ended_at_ms = $12, end_reason = $13,
         consent = $14, updated_at_ms = $15, customer_token_hash = $16, away = $17, away_version = $18,
         called_back_at_ms = $19, return_by_ms = $20, resume_token_hash = $21
       where site_id = $1 and session_id = $2`,
      [
        siteId,
        sessionId,
        row.state,
        row.target.kind,
        row.target.id,
        row.priority,
        row.repId,
        row.epoch,
        row.committedEpoch,
        row.offerExpiresAtMs,
        row.enqueuedAtMs,
        row.endedAtMs,
        row.endReason,
        row.consent,
        row.updatedAtMs,
        row.customerTokenHash,
        row.away,
        row.awayVersion,
        row.calledBackAtMs,
        row.returnByMs,
        row.resumeTokenHash,
      ],
    );
    const events = await this.append(tx, row, payloads, nowMs);
    return { result, row: { ...row, lastSequence: row.lastSequence + events.length }, events };
  }

  /** Appends events after `row.lastSequence` to the history and the outbox, and announces them. */
  private async append(
    tx: Tx,
    row: SessionRow,
    payloads: readonly SessionEventPayload[],
    occurredAtMs: number,
  ): Promise<SessionEvent[]> {
    if (payloads.length === 0) return [];
    const events = payloads.map((payload, i) =>
      buildSessionEvent(row, row.lastSequence + i + 1, occurredAtMs, payload),
    );
    const traceparent = currentTraceparent() || null;
    for (const event of events) {
      const bytes = encodeSessionEvent(event);
      const type = event.payload!.$case;
      await tx.query(
        `insert into session_events (site_id, session_id, sequence, event_id, type, occurred_at_ms, payload)
         values ($1, $2, $3, $4, $5, $6, $7)`,
        [row.siteId, row.sessionId, event.sequence, event.eventId, type, occurredAtMs, bytes],
      );
      await tx.query(
        `insert into session_outbox (site_id, session_id, event_id, type, payload, traceparent, created_at_ms)
         values ($1, $2, $3, $4, $5, $6, $7)`,
        [row.siteId, row.sessionId, event.eventId, type, bytes, traceparent, occurredAtMs],
      );
    }
    const last = events[events.length - 1]!.sequence;
    await tx.query("update sessions set last_sequence = $3 where site_id = $1 and session_id = $2", [
      row.siteId,
      row.sessionId,
      last,
    ]);
    // Delivered at commit, and only then: a rolled-back change announces nothing.
    await tx.query("select pg_notify($1, $2), pg_notify($3, '')", [
      SESSION_EVENTS_CHANNEL,
      `${row.siteId} ${row.sessionId} ${last}`,
      OUTBOX_CHANNEL,
    ]);
    return events;
  }

  async get(siteId: string, sessionId: string): Promise<SessionRow> {
    const found = await this.find(siteId, sessionId);
    if (!found) throw new SessionNotFoundError(sessionId);
    return found;
  }

  async find(siteId: string, sessionId: string): Promise<SessionRow | undefined> {
    const result = await this.pool.query<SessionRecord>(
      "select * from sessions where site_id = $1 and session_id = $2",
      [siteId, sessionId],
    );
    return result.rows[0] && rowFromRecord(result.rows[0]);
  }

  /** Events with a sequence above `afterSequence`, in order, at most `limit`, leaving out `exceptTypes`. */
  async events(
    siteId: string,
    sessionId: string,
    afterSequence: number,
    limit: number,
    exceptTypes: readonly string[] = [],
  ): Promise<SessionEvent[]> {
    const result = await this.pool.query<{ payload: Buffer }>(
      `select payload from session_events where site_id = $1 and session_id = $2 and sequence > $3
         and type <> all($5) order by sequence limit $4`,
      [siteId, sessionId, afterSequence, limit, exceptTypes],
    );
    return result.rows.map((r) => decodeSessionEvent(r.payload));
  }

  /** Every event of the given types, in order (e.g. the permission history). */
  async eventsOfTypes(siteId: string, sessionId: string, types: readonly string[]): Promise<SessionEvent[]> {
    const result = await this.pool.query<{ payload: Buffer }>(
      `select payload from session_events where site_id = $1 and session_id = $2 and type = any($3) order by sequence`,
      [siteId, sessionId, types],
    );
    return result.rows.map((r) => decodeSessionEvent(r.payload));
  }

  /** Sessions in one of `states` of a site, oldest place first, at most `limit`. */
  async sessionsInStates(siteId: string, states: readonly SessionStateName[], limit: number): Promise<SessionRow[]> {
    const result = await this.pool.query<SessionRecord>(
      `select * from sessions where site_id = $1 and state = any($2) order by enqueued_at_ms, created_at_ms limit $3`,
      [siteId, states, limit],
    );
    return result.rows.map(rowFromRecord);
  }

  /** The sites that have at least one session in one of `states`. */
  async sitesWith(states: readonly SessionStateName[]): Promise<string[]> {
    const result = await this.pool.query<{ site_id: string }>(
      "select distinct site_id from sessions where state = any($1)",
      [states],
    );
    return result.rows.map((r) => r.site_id);
  }
}
