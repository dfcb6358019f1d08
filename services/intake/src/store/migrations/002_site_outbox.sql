-- The site events (handoff.sites.v1) each portal config save publishes, written in the save's
-- transaction so a saved config is never left unannounced; intake's relay publishes them in id order
-- and marks them. A row per save, kept like the versions it announces: the start-up backfill finds
-- the sites whose current version was never announced (saved before this table) by its absence.
create table site_outbox (
  id bigserial primary key,
  site_id text not null,
  version integer not null,
  event_id text not null unique,
  type text not null,
  payload bytea not null,
  traceparent text,
  created_at_ms bigint not null,
  published_at_ms bigint,
  unique (site_id, version)
);
create index site_outbox_unpublished on site_outbox (id) where published_at_ms is null;
