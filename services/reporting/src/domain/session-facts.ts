/** The fact rows of one session, as reporting stores them (times in ms since the epoch). */

export type QueueKind = "team" | "rep";

export interface QueueRef {
  kind: QueueKind;
  id: string;
}

export interface SessionRow {
  createdAtMs: number | null;
  startMethod: string | null;
  problemTypeId: string | null;
  queuedAtMs: number | null;
  firstOfferedAtMs: number | null;
  answeredAtMs: number | null;
  abandonedAtMs: number | null;
  abandonReason: string | null;
  endedAtMs: number | null;
  endReason: string | null;
  finalState: string | null;
  transfers: number;
  offers: number;
}

export type EntryCause = "queued" | "transferred" | "rebuilt";
export type EntryOutcome = "answered" | "abandoned" | "requeued";

export interface QueueEntryRow {
  entryNo: number;
  queue: QueueRef;
  cause: EntryCause;
  enteredAtMs: number;
  waitStartedAtMs: number;
  priority: number;
  outcome: EntryOutcome | null;
  endedAtMs: number | null;
  waitMs: number | null;
  answeredByRepId: string | null;
  abandonReason: string | null;
  acdWaitedMs: number | null;
}

export type OfferOutcome = "accepted" | "rejected" | "expired" | "withdrawn" | "abandoned" | "requeued";

export interface OfferRow {
  epoch: number;
  entryNo: number | null;
  repId: string;
  fromQueue: QueueRef | null;
  createdAtMs: number;
  expiresAtMs: number;
  outcome: OfferOutcome | null;
  endedAtMs: number | null;
  strategy: string;
  trigger: string;
  candidatesConsidered: number;
}

export type PartEndCause = "ended" | "transferred" | "requeued";

export interface HandledPartRow {
  partNo: number;
  repId: string;
  entryNo: number | null;
  acceptedAtMs: number;
  endedAtMs: number | null;
  endCause: PartEndCause | null;
  acdHandleMs: number | null;
}

export interface WaitEstimateRow {
  eventId: string;
  entryNo: number | null;
  givenAtMs: number;
  position: number;
  p50Ms: number;
  p90Ms: number;
  known: boolean;
  answeredAtMs: number | null;
}

export interface SurveyRow {
  eventId: string;
  submittedAtMs: number;
  satisfaction: number;
  queue: QueueRef | null;
}

export interface SessionFacts {
  siteId: string;
  sessionId: string;
  session: SessionRow;
  entries: QueueEntryRow[];
  offers: OfferRow[];
  parts: HandledPartRow[];
  estimates: WaitEstimateRow[];
  surveys: SurveyRow[];
}
