-- Every version of every site's portal config; the current one is the highest. A write inserts
-- version N+1 only while N is the highest (optimistic concurrency), and the primary key makes two
-- writers of the same N+1 collide, so exactly one of them wins. Nothing is updated or deleted: the
-- history is the rows.
create table portal_config_versions (
  site_id text not null,
  version integer not null check (version > 0),
  config jsonb not null,
  created_at timestamptz not null default now(),
  -- The admin (token subject) who wrote it.
  created_by text not null,
  primary key (site_id, version)
);
