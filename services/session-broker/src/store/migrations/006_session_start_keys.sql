-- Idempotency keys of session starts: a customer's retry with the same key answers the session his
-- first attempt started instead of a second one, whichever broker replica (or intake replica) it
-- reaches. The key is written in the transaction that creates the session, so a key names a committed
-- session or none. `fingerprint` is a SHA-256 of the request's fields: the same key with other fields
-- is refused. Kept START_KEY_TTL_MS (the leader deletes older ones through the index); an expired key
-- may start a new session.
create table session_start_keys (
  site_id text not null,
  idempotency_key text not null,
  fingerprint bytea not null,
  session_id text not null,
  created_at_ms bigint not null,
  primary key (site_id, idempotency_key),
  -- Checked at commit: the key is claimed first in the creating transaction, before its session row.
  foreign key (site_id, session_id) references sessions (site_id, session_id) deferrable initially deferred
);
create index session_start_keys_created on session_start_keys (created_at_ms);
