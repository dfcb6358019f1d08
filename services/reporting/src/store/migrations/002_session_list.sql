-- The supervisor's session list: a site's sessions newest first by start (the broker's creation, or
-- the acd's queueing without it), paged by (start, session id).
create index sessions_by_start
  on reporting.sessions (site_id, (coalesce(created_at_ms, queued_at_ms)) desc, session_id desc);
