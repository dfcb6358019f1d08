-- Intake's site events (handoff.sites.v1) are ingested like the others: into reporting.events for the
-- dedupe, and into reporting.site_settings, one row per site holding the highest version seen, so a
-- redelivered, replayed or late older version changes nothing.
alter table reporting.events drop constraint events_source_check;
alter table reporting.events
  add constraint events_source_check check (source in ('routing', 'presence', 'sessions', 'sites'));

create table reporting.site_settings (
  site_id text primary key,
  version bigint not null,
  time_zone text not null,
  service_level_threshold_ms bigint not null,
  short_abandon_threshold_ms bigint not null,
  changed_at_ms bigint not null,
  event_id text not null
);
