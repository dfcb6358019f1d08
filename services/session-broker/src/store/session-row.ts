import type { Consent } from "@handoff/proto/session_broker_service";
import { Customer } from "@handoff/proto/common";
import type { EndReasonName, SessionStateName } from "../domain/session-lifecycle";
import type { QueueTargetValue } from "../domain/queue-target";

export type StartMethodName = "rep_list" | "issue_submission" | "session_key" | "invitation_link";
export type ClientModeName = "click_to_chat" | "full_client";

/** One row of `sessions`, as the store hands it out. */
export interface SessionRow {
  siteId: string;
  sessionId: string;
  startMethod: StartMethodName;
  state: SessionStateName;
  target: QueueTargetValue;
  problemTypeId: string;
  priority: number;
  requiredSkills: string[];
  customer: Customer;
  consent: Consent;
  customerTokenHash: Buffer;
  /** The primary rep while active; the offered rep while offered. */
  repId: string | null;
  epoch: number;
  committedEpoch: number;
  offerExpiresAtMs: number | null;
  enqueuedAtMs: number;
  createdAtMs: number;
  updatedAtMs: number;
  endedAtMs: number | null;
  endReason: EndReasonName | null;
  lastSequence: number;
  credentialId: string | null;
  /** Null for sessions created before the mode was recorded. */
  clientMode: ClientModeName | null;
  /** Keep my place: the customer left the page keeping his place (docs/keep-my-place.md). */
  away: boolean;
  /** The fencing version of the last away change given to the acd (SetAwayFlag). */
  awayVersion: number;
  /** When he was called back, and the end of his time to return (the away sweep's deadline). */
  calledBackAtMs: number | null;
  returnByMs: number | null;
  /** HMAC of the resume link's one-time token; null once used or before a callback. */
  resumeTokenHash: Buffer | null;
}

/** The fields a change may set. */
export type SessionPatch = Partial<
  Pick<
    SessionRow,
    | "state"
    | "target"
    | "priority"
    | "repId"
    | "epoch"
    | "committedEpoch"
    | "offerExpiresAtMs"
    | "enqueuedAtMs"
    | "endedAtMs"
    | "endReason"
    | "consent"
    | "customerTokenHash"
    | "away"
    | "awayVersion"
    | "calledBackAtMs"
    | "returnByMs"
    | "resumeTokenHash"
  >
>;

/** A row of `sessions` as pg returns it (bigint columns come back as strings). */
export interface SessionRecord {
  site_id: string;
  session_id: string;
  start_method: string;
  state: string;
  target_kind: string;
  target_id: string;
  problem_type_id: string;
  priority: number;
  required_skills: string[];
  customer: Customer;
  consent: Consent;
  customer_token_hash: Buffer;
  rep_id: string | null;
  epoch: string;
  committed_epoch: string;
  offer_expires_at_ms: string | null;
  enqueued_at_ms: string;
  created_at_ms: string;
  updated_at_ms: string;
  ended_at_ms: string | null;
  end_reason: string | null;
  last_sequence: string;
  credential_id: string | null;
  client_mode: string | null;
  away: boolean;
  away_version: string;
  called_back_at_ms: string | null;
  return_by_ms: string | null;
  resume_token_hash: Buffer | null;
}

const num = (value: string): number => Number(value);
const numOrNull = (value: string | null): number | null => (value === null ? null : Number(value));

export function rowFromRecord(r: SessionRecord): SessionRow {
  return {
    siteId: r.site_id,
    sessionId: r.session_id,
    startMethod: r.start_method as StartMethodName,
    state: r.state as SessionStateName,
    target: { kind: r.target_kind as QueueTargetValue["kind"], id: r.target_id },
    problemTypeId: r.problem_type_id,
    priority: r.priority,
    requiredSkills: r.required_skills,
    // Rows written before company codes and verified fields existed lack them.
    customer: Customer.fromPartial(r.customer),
    consent: r.consent,
    customerTokenHash: r.customer_token_hash,
    repId: r.rep_id,
    epoch: num(r.epoch),
    committedEpoch: num(r.committed_epoch),
    offerExpiresAtMs: numOrNull(r.offer_expires_at_ms),
    enqueuedAtMs: num(r.enqueued_at_ms),
    createdAtMs: num(r.created_at_ms),
    updatedAtMs: num(r.updated_at_ms),
    endedAtMs: numOrNull(r.ended_at_ms),
    endReason: r.end_reason as EndReasonName | null,
    lastSequence: num(r.last_sequence),
    credentialId: r.credential_id,
    clientMode: r.client_mode as ClientModeName | null,
    away: r.away,
    awayVersion: num(r.away_version),
    calledBackAtMs: numOrNull(r.called_back_at_ms),
    returnByMs: numOrNull(r.return_by_ms),
    resumeTokenHash: r.resume_token_hash,
  };
}
