-- Keep my place: a waiting customer away from the page (his place kept, no rep offered the session),
-- the fencing version the acd was given for it, the callback with its return deadline (the durable
-- timer the leader's away sweep reads, through the partial index), and the resume link's one-time
-- token (an HMAC, as every credential).
alter table sessions
  add column away boolean not null default false,
  add column away_version bigint not null default 0,
  add column called_back_at_ms bigint,
  add column return_by_ms bigint,
  add column resume_token_hash bytea;
create index sessions_return_by on sessions (return_by_ms) where return_by_ms is not null;
