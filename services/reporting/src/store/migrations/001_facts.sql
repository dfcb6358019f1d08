-- Reporting's own schema, so its tables never meet another service's in a shared database.
create schema if not exists reporting;

-- Every event ingested, once. Event ids are unique per topic only (acd and presence both name theirs
-- "<site>/<outbox stream id>"), so the dedupe key is the source topic with the id. The payload is the event's proto JSON:
-- session facts are re-derived from it and session reports read it. No arrival time is stored, so a
-- replay from offset 0 rebuilds identical rows.
create table reporting.events (
  source text not null check (source in ('routing', 'presence', 'sessions')),
  event_id text not null,
  event_type text not null,
  site_id text not null,
  session_id text not null,
  rep_id text not null,
  occurred_at_ms bigint not null,
  -- Order of events with the same time: the outbox stream id (routing, presence) or the sequence (sessions).
  stream_ms bigint not null,
  stream_seq bigint not null,
  payload jsonb not null,
  primary key (source, event_id)
);
create index events_by_session on reporting.events (site_id, session_id, occurred_at_ms) where session_id <> '';

-- Events that could not be ingested, with why; the consumer went on. Keyed by their place in Kafka so a
-- redelivery or a replay lands on the same row.
create table reporting.dead_letters (
  topic text not null,
  partition integer not null,
  "offset" bigint not null,
  event_id text not null,
  event_type text not null,
  schema_version integer not null,
  reason text not null,
  value bytea not null,
  primary key (topic, partition, "offset")
);

-- One row per session: its timeline (times in ms since the epoch; null when it did not happen).
create table reporting.sessions (
  site_id text not null,
  session_id text not null,
  created_at_ms bigint,
  start_method text,
  problem_type_id text,
  queued_at_ms bigint,
  first_offered_at_ms bigint,
  answered_at_ms bigint,
  abandoned_at_ms bigint,
  abandon_reason text,
  ended_at_ms bigint,
  end_reason text,
  final_state text,
  transfers integer not null,
  offers integer not null,
  primary key (site_id, session_id)
);

-- Each time a session entered a queue (SessionQueued, every SessionTransferred) and how that ended.
create table reporting.queue_entries (
  site_id text not null,
  session_id text not null,
  entry_no integer not null,
  queue_kind text not null check (queue_kind in ('team', 'rep')),
  queue_id text not null,
  cause text not null check (cause in ('queued', 'transferred', 'rebuilt')),
  -- The deciding event's time (counts as queued in its interval) and the start of the wait.
  entered_at_ms bigint not null,
  wait_started_at_ms bigint not null,
  priority integer not null,
  outcome text check (outcome in ('answered', 'abandoned', 'requeued')),
  ended_at_ms bigint,
  wait_ms bigint,
  answered_by_rep_id text,
  abandon_reason text,
  -- The acd's own figure, measured from the session's first place in the queue.
  acd_waited_ms bigint,
  primary key (site_id, session_id, entry_no)
);

-- Every offer (a reservation of a rep), keyed by its fencing token.
create table reporting.offers (
  site_id text not null,
  session_id text not null,
  epoch bigint not null,
  entry_no integer,
  rep_id text not null,
  from_queue_kind text,
  from_queue_id text,
  created_at_ms bigint not null,
  expires_at_ms bigint not null,
  outcome text check (outcome in ('accepted', 'rejected', 'expired', 'withdrawn', 'abandoned', 'requeued')),
  ended_at_ms bigint,
  strategy text not null,
  trigger text not null,
  candidates_considered integer not null,
  primary key (site_id, session_id, epoch)
);

-- A rep's part of a session: from his acceptance to the end, his transfer out or a requeue.
create table reporting.handled_parts (
  site_id text not null,
  session_id text not null,
  part_no integer not null,
  rep_id text not null,
  entry_no integer,
  accepted_at_ms bigint not null,
  ended_at_ms bigint,
  end_cause text check (end_cause in ('ended', 'transferred', 'requeued')),
  acd_handle_ms bigint,
  primary key (site_id, session_id, part_no)
);

-- Every wait estimate shown to a customer, with the answer of the queue entry it was given in.
create table reporting.wait_estimates (
  site_id text not null,
  session_id text not null,
  event_id text not null,
  entry_no integer,
  given_at_ms bigint not null,
  position integer not null,
  p50_ms bigint not null,
  p90_ms bigint not null,
  known boolean not null,
  answered_at_ms bigint,
  primary key (site_id, session_id, event_id)
);

-- Exit surveys, with the queue of the session's last entry (the queue CSAT is reported for).
create table reporting.surveys (
  site_id text not null,
  session_id text not null,
  event_id text not null,
  submitted_at_ms bigint not null,
  satisfaction integer not null,
  queue_kind text,
  queue_id text,
  primary key (site_id, session_id, event_id)
);

-- Every rep state change: it closes the previous state's interval and opens the new one. One row per
-- event, so arrival order cannot change it; the current state is a rep's latest row.
create table reporting.rep_state_changes (
  event_id text primary key,
  site_id text not null,
  rep_id text not null,
  changed_at_ms bigint not null,
  stream_ms bigint not null,
  stream_seq bigint not null,
  previous_state text not null,
  previous_reason_code text not null,
  previous_started_at_ms bigint not null,
  state text not null,
  reason_code text not null,
  actor text not null
);
create index rep_state_changes_by_rep on reporting.rep_state_changes (site_id, rep_id, changed_at_ms);

-- Team logins and capacity/skill settings over time: equally skilled reps are grouped from these.
create table reporting.rep_profile_changes (
  event_id text primary key,
  site_id text not null,
  rep_id text not null,
  changed_at_ms bigint not null,
  kind text not null check (kind in ('teams', 'capacity')),
  team_ids text[],
  capacity integer,
  skills text[]
);
create index rep_profile_changes_by_rep on reporting.rep_profile_changes (site_id, rep_id, changed_at_ms);
