-- The durable session: one row per session, its append-only history, and the outbox to Kafka.
-- Times are epoch milliseconds (bigint), as in every event.

create table broker_settings (
  site_id text primary key,
  settings jsonb not null,
  version bigint not null,
  updated_at_ms bigint not null
);

create table sessions (
  site_id text not null,
  session_id text not null,
  start_method text not null,
  state text not null check (state in ('created', 'waiting', 'offered', 'active', 'ended', 'abandoned')),
  -- The queue it waits in or was answered from.
  target_kind text not null check (target_kind in ('team', 'rep')),
  target_id text not null,
  problem_type_id text not null default '',
  priority integer not null default 0,
  required_skills text[] not null default '{}',
  customer jsonb not null,
  consent jsonb not null,
  -- HMAC of the customer's per-session token; the token itself is never stored.
  customer_token_hash bytea not null,
  -- The primary rep while active; the offered rep while offered.
  rep_id text,
  -- The highest fencing token seen for the session, and the one its assignment was committed with.
  epoch bigint not null default 0,
  committed_epoch bigint not null default 0,
  offer_expires_at_ms bigint,
  -- The original place in the queue: kept across transfers and re-queues.
  enqueued_at_ms bigint not null,
  created_at_ms bigint not null,
  updated_at_ms bigint not null,
  ended_at_ms bigint,
  end_reason text,
  last_sequence bigint not null default 0,
  -- The session key, invitation or access link it came from.
  credential_id text,
  primary key (site_id, session_id)
);
create index sessions_live on sessions (site_id, state) where state in ('created', 'waiting', 'offered', 'active');
create index sessions_live_sites on sessions (state, site_id) where state in ('created', 'waiting', 'offered', 'active');

create table session_participants (
  site_id text not null,
  session_id text not null,
  rep_id text not null,
  is_primary boolean not null,
  joined_at_ms bigint not null,
  left_at_ms bigint,
  -- Set while the rep's last connection is lost; cleared when he is back or the fallback ran.
  disconnected_at_ms bigint,
  grace_until_ms bigint,
  primary key (site_id, session_id, rep_id),
  foreign key (site_id, session_id) references sessions (site_id, session_id)
);
create index session_participants_rep on session_participants (site_id, rep_id) where left_at_ms is null;
create index session_participants_grace on session_participants (grace_until_ms) where grace_until_ms is not null;

-- Append-only: every transition of a session, in sequence order. payload is the encoded SessionEvent.
create table session_events (
  site_id text not null,
  session_id text not null,
  sequence bigint not null,
  event_id uuid not null unique,
  type text not null,
  occurred_at_ms bigint not null,
  payload bytea not null,
  primary key (site_id, session_id, sequence),
  foreign key (site_id, session_id) references sessions (site_id, session_id)
);

-- Written in the same transaction as session_events; the leader's relay publishes and marks it.
create table session_outbox (
  id bigserial primary key,
  site_id text not null,
  session_id text not null,
  event_id uuid not null unique,
  type text not null,
  payload bytea not null,
  traceparent text,
  created_at_ms bigint not null,
  published_at_ms bigint
);
create index session_outbox_unpublished on session_outbox (id) where published_at_ms is null;

-- The acd's decision record of every offer made for a session, and how the offer ended.
create table session_offers (
  site_id text not null,
  session_id text not null,
  epoch bigint not null,
  rep_id text not null,
  offered_at_ms bigint not null,
  expires_at_ms bigint not null,
  decision jsonb not null,
  outcome text not null default 'pending'
    check (outcome in ('pending', 'accepted', 'rejected', 'expired', 'withdrawn', 'superseded')),
  primary key (site_id, session_id, epoch),
  foreign key (site_id, session_id) references sessions (site_id, session_id)
);

-- Kafka events a consumer has applied, in the same transaction as their effect (dedupe by event id).
create table processed_events (
  consumer text not null,
  event_id text not null,
  processed_at_ms bigint not null,
  primary key (consumer, event_id)
);

-- Permission requests a rep made and the customer has not answered yet (answers need the request).
create table permission_requests (
  site_id text not null,
  session_id text not null,
  request_id text not null,
  permission text not null,
  application text not null default '',
  requested_by text not null,
  requested_at_ms bigint not null,
  answer text check (answer in ('granted', 'denied')),
  answered_at_ms bigint,
  primary key (site_id, session_id, request_id),
  foreign key (site_id, session_id) references sessions (site_id, session_id)
);

-- A rep invited into a session: a named rep, or anyone of a team (the first to accept joins).
create table rep_invitations (
  site_id text not null,
  session_id text not null,
  invitation_id text not null,
  invitee_kind text not null check (invitee_kind in ('team', 'rep')),
  invitee_id text not null,
  invited_by text not null,
  created_at_ms bigint not null,
  state text not null default 'pending' check (state in ('pending', 'accepted', 'declined', 'cancelled')),
  answered_by text,
  answered_at_ms bigint,
  primary key (site_id, session_id, invitation_id),
  foreign key (site_id, session_id) references sessions (site_id, session_id)
);

-- One survey per side and session.
create table session_surveys (
  site_id text not null,
  session_id text not null,
  kind text not null check (kind in ('customer', 'rep')),
  rep_id text not null default '',
  submitted_at_ms bigint not null,
  primary key (site_id, session_id, kind, rep_id),
  foreign key (site_id, session_id) references sessions (site_id, session_id)
);

-- Rep- or team-bound one-time session keys, stored only as an HMAC of the key.
create table session_keys (
  key_hash bytea primary key,
  key_id text not null unique,
  site_id text not null,
  target_kind text not null check (target_kind in ('team', 'rep')),
  target_id text not null,
  created_by text not null,
  created_at_ms bigint not null,
  expires_at_ms bigint not null,
  redeemed_at_ms bigint,
  session_id text
);
create index session_keys_expiry on session_keys (expires_at_ms) where redeemed_at_ms is null;

-- Outbound invitation links (a rep invites a customer), stored only as an HMAC of the token.
create table customer_invitations (
  invitation_id text primary key,
  token_hash bytea not null unique,
  site_id text not null,
  rep_id text not null,
  channel text not null,
  customer_address text not null default '',
  customer_name text not null default '',
  created_at_ms bigint not null,
  expires_at_ms bigint not null,
  used_at_ms bigint,
  revoked_at_ms bigint,
  session_id text
);

-- Time-limited access links to a session's customer, with a separate secret; both stored as HMACs.
create table access_links (
  link_id text primary key,
  token_hash bytea not null unique,
  secret_hash bytea not null,
  site_id text not null,
  session_id text not null,
  created_by text not null,
  created_at_ms bigint not null,
  expires_at_ms bigint not null,
  revoked_at_ms bigint,
  last_used_at_ms bigint,
  foreign key (site_id, session_id) references sessions (site_id, session_id)
);

-- Who created, sent, redeemed, used or revoked a key or link, and every failed redemption.
create table credential_audit (
  id bigserial primary key,
  site_id text not null,
  kind text not null check (kind in ('session_key', 'invitation', 'access_link')),
  credential_id text,
  action text not null,
  actor text not null,
  client_address text,
  at_ms bigint not null
);

-- Failed redemptions, for the per-address and global limits (rows older than the window are pruned).
create table redemption_failures (
  id bigserial primary key,
  client_address text not null,
  at_ms bigint not null
);
create index redemption_failures_address on redemption_failures (client_address, at_ms);
create index redemption_failures_time on redemption_failures (at_ms);
