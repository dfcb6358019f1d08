-- A customer's requests to send the reps a file, and their answers. At most one unanswered request
-- per session (the partial unique index), so the rule holds across replicas too.
create table file_send_requests (
  site_id text not null,
  session_id text not null,
  request_id text not null,
  file_name text not null,
  size_bytes bigint not null,
  requested_at_ms bigint not null,
  answer text check (answer in ('allowed', 'denied')),
  answered_by text,
  answered_at_ms bigint,
  primary key (site_id, session_id, request_id),
  foreign key (site_id, session_id) references sessions (site_id, session_id)
);
create unique index file_send_requests_one_open on file_send_requests (site_id, session_id) where answer is null;
