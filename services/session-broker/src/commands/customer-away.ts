import type { Logger } from "@handoff/runtime";
import { AbandonReason } from "@handoff/proto/common";
import type { RequesterValue } from "../domain/access";
import { randomToken, type CredentialHasher } from "../domain/credential-hash";
import { CredentialRejectedError, InvalidFieldError, SessionStateConflictError } from "../domain/errors";
import { isLive } from "../domain/session-lifecycle";
import type { AcdPort } from "../routing/acd-port";
import type { SessionRow } from "../store/session-row";
import type { SessionChange, SessionStore } from "../store/session-store";
import type { SessionLifecycle } from "./session-lifecycle";

/** The site's time to return after a callback (intake's portal config bounds it the same way). */
export const RETURN_WITHIN_MS = { min: 60_000, max: 3_600_000 } as const;
export const CALLBACK_CHANNELS = ["stream", "webhook", "none"] as const;
export type CallbackChannel = (typeof CALLBACK_CHANNELS)[number];

export interface CalledBack {
  called: boolean;
  returnByMs: number;
  /** Only when called: the resume link's one-time token (its HMAC is kept, never the token). */
  resumeToken?: string;
}

export interface AwaySweepOptions {
  /** Pause between sweeps when nothing more is due. @default 1_000 */
  sweepIntervalMs?: number;
  /** Expired return deadlines handled per sweep. @default 200 */
  sweepBatch?: number;
}

const SYSTEM: RequesterValue = { kind: "system", id: "", customerToken: "" };
const WAITING = ["waiting", "offered"];

/**
 * Keep my place (docs/keep-my-place.md): the waiting customer leaves the page without losing his place,
 * is called back when his turn is near, and has the site's time to return before the session is
 * abandoned (CUSTOMER_DID_NOT_RETURN). PostgreSQL is changed under the session's row lock and the acd is
 * told inside it (its SetAwayFlag), so an offer a return makes at once is recorded after the return;
 * an acd that does not answer rolls the change back (the customer retries). The away version fences the
 * acd's flag: the next one is above both the last one committed and the clock, so a change the acd
 * applied but PostgreSQL rolled back never shadows a later one.
 */
export class CustomerAway {
  private readonly sweepIntervalMs: number;
  private readonly sweepBatch: number;

  constructor(
    private readonly store: SessionStore,
    private readonly lifecycle: SessionLifecycle,
    private readonly acd: AcdPort,
    private readonly hasher: CredentialHasher,
    private readonly logger: Logger,
    options: AwaySweepOptions = {},
  ) {
    this.sweepIntervalMs = options.sweepIntervalMs ?? 1_000;
    this.sweepBatch = options.sweepBatch ?? 200;
  }

  /** The customer (checked by his token) leaves the page keeping his place, or is back. */
  async setAway(siteId: string, sessionId: string, requester: RequesterValue, away: boolean): Promise<SessionRow> {
    await this.lifecycle.authorize(siteId, sessionId, requester, "customer");
    const { row } = await this.store.change(siteId, sessionId, (c) => this.setAwayIn(c, away));
    return row;
  }

  /**
   * Intake calls him back (his position reached the site's callAtPosition): starts his return deadline
   * and makes the resume link's token, once per absence. Not called (nothing changes) when he is not
   * away, no longer waits, or was called back already.
   */
  async callBack(
    siteId: string,
    sessionId: string,
    returnWithinMs: number,
    channel: CallbackChannel,
  ): Promise<CalledBack> {
    if (
      !Number.isInteger(returnWithinMs) ||
      returnWithinMs < RETURN_WITHIN_MS.min ||
      returnWithinMs > RETURN_WITHIN_MS.max
    )
      throw new InvalidFieldError(
        "return_within_ms",
        `must be from ${RETURN_WITHIN_MS.min} to ${RETURN_WITHIN_MS.max} ms`,
      );
    const { result } = await this.store.change(siteId, sessionId, (c): CalledBack => {
      const row = c.row;
      if (!row.away || !WAITING.includes(row.state) || row.returnByMs !== null)
        return { called: false, returnByMs: row.returnByMs ?? 0 };
      const resumeToken = randomToken(32);
      const returnByMs = c.nowMs + returnWithinMs;
      c.set({
        calledBackAtMs: c.nowMs,
        returnByMs,
        resumeTokenHash: this.hasher.hash("resume_token", siteId, resumeToken),
      });
      c.emit({ $case: "customerCalledBack", customerCalledBack: { returnByMs, channel } });
      return { called: true, returnByMs, resumeToken };
    });
    return result;
  }

  /**
   * The resume link: its one-time token becomes a new customer token (the one before stops working: the
   * link may be opened on another device), and a customer still waiting is back. An ended session is
   * resumed too, so he learns how it ended. A wrong or used token is CredentialRejectedError.
   */
  async resume(
    siteId: string,
    sessionId: string,
    resumeToken: string,
  ): Promise<{ row: SessionRow; customerToken: string }> {
    const customerToken = randomToken(32);
    const { row } = await this.store.change(siteId, sessionId, async (c) => {
      const stored = c.row.resumeTokenHash;
      if (!stored || !this.hasher.matches(stored, "resume_token", siteId, resumeToken))
        throw new CredentialRejectedError();
      c.set({ resumeTokenHash: null, customerTokenHash: this.hasher.hash("customer_token", siteId, customerToken) });
      if (c.row.away && isLive(c.row.state)) await this.setAwayIn(c, false);
    });
    return { row, customerToken };
  }

  /**
   * The durable timer (leader duty): every waiting session whose return deadline passed is abandoned
   * with CUSTOMER_DID_NOT_RETURN (no exit survey: he never was served). Returns the pause before the
   * next sweep.
   */
  async sweepOnce(): Promise<number> {
    const due = await this.store.pool.query<{ site_id: string; session_id: string }>(
      `select site_id, session_id from sessions where return_by_ms <= $1 and state = any($2)
       order by return_by_ms limit $3`,
      [Date.now(), WAITING, this.sweepBatch],
    );
    for (const { site_id: siteId, session_id: sessionId } of due.rows) {
      try {
        await this.abandonIfDue(siteId, sessionId);
      } catch (error) {
        this.logger.warn({ err: error, siteId, sessionId }, "no-return abandon failed; retried on the next sweep");
      }
    }
    return due.rows.length === this.sweepBatch ? 0 : this.sweepIntervalMs;
  }

  private async abandonIfDue(siteId: string, sessionId: string): Promise<void> {
    const reason = AbandonReason.ABANDON_REASON_CUSTOMER_DID_NOT_RETURN;
    const { result: previous } = await this.store.change(siteId, sessionId, async (c) => {
      const row = c.row;
      if (!WAITING.includes(row.state) || !row.away || row.returnByMs === null || row.returnByMs > c.nowMs)
        return undefined;
      await this.lifecycle.closeIn(c, SYSTEM, "abandoned", reason);
      return row;
    });
    if (!previous) return;
    this.logger.info({ siteId, sessionId }, "customer did not return in time: session abandoned");
    await this.lifecycle.releaseInAcd(previous, reason);
  }

  /** Applies an away change to the locked session and tells the acd; a repeated one is told again. */
  private async setAwayIn(c: SessionChange, away: boolean): Promise<void> {
    const row = c.row;
    if (away && !WAITING.includes(row.state))
      throw new SessionStateConflictError(row.sessionId, row.state, "only a waiting customer keeps his place");
    if (!away && !row.away) return;
    if (row.away !== away) {
      const awayVersion = Math.max(row.awayVersion + 1, c.nowMs);
      // Back: his callback and its deadline are over; a later absence is called back anew.
      c.set(
        away
          ? { away, awayVersion }
          : { away, awayVersion, calledBackAtMs: null, returnByMs: null, resumeTokenHash: null },
      );
      c.emit({ $case: "customerAwaySet", customerAwaySet: { away, version: awayVersion } });
    }
    await this.acd.setAway(row.siteId, row.sessionId, away, c.row.awayVersion);
  }
}
