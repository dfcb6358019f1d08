-- Retired sites: the portal config versions up to `through_version` belong to a retired site, so the
-- site has no current config (the portal answers 404 for it) while its history stays readable. A save
-- after the retirement starts the site afresh as the next version number; retiring again moves the
-- mark. Nothing of the history is deleted.
create table site_retirements (
  site_id text primary key,
  through_version integer not null check (through_version >= 0),
  retired_at timestamptz not null default now(),
  -- The admin (token subject) who retired it.
  retired_by text not null
);
