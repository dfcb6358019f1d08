// The frames of GET /v1/supervisor/stream (services/reporting/README.md "Live stream"): the page
// reads them as JSON and trusts nothing else about them.

export interface QueueNow {
  queue: { kind: "team" | "rep"; id: string };
  waiting: number;
  longestWaitMs: number | null;
  ewtP50Ms: number | null;
  reps: { available: number; busy: number; away: number; onSession: number } | null;
}

export interface TeamDay {
  teamId: string;
  queued: number;
  answered: number;
  abandoned: number;
  serviceLevel: number | null;
}

export interface DayPoint {
  startMs: number;
  endMs: number;
  waiting: number;
  serviceLevel: number | null;
}

export interface Snapshot {
  atMs: number;
  /** The time zone and thresholds the day's figures were computed with (the site's, or the URL's). */
  settings: { timeZone: string; answerThresholdS: number; shortAbandonS: number };
  queues: QueueNow[];
  reps: { repId: string; state: string; load: number }[];
  day: { fromMs: number; teams: TeamDay[]; points: DayPoint[] };
}
