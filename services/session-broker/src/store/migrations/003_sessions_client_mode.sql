-- The customer's client mode (click-to-chat or the full client), as intake started the session.
-- Rows from before this migration never recorded it: null, shown as unspecified.
alter table sessions add column client_mode text check (client_mode in ('click_to_chat', 'full_client'));
