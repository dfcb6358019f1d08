-- Retention (src/store/retention-store.ts) deletes by age across every site, a bounded batch at a
-- time: each age it selects by is indexed on its own. A session's age is its start, as the session
-- list reads it (002): the broker's creation, or the acd's queueing without it.
create index events_by_time on reporting.events (occurred_at_ms);
create index sessions_by_age on reporting.sessions ((coalesce(created_at_ms, queued_at_ms)));
create index rep_state_changes_by_time on reporting.rep_state_changes (changed_at_ms);
create index rep_profile_changes_by_time on reporting.rep_profile_changes (changed_at_ms);
