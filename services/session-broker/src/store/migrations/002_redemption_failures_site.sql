-- Failed redemptions are limited per client address (over every site) and per site (from every
-- address): a guesser at one site must not lock out the others. Rows from before this migration
-- belong to no site; they age out of the windows within minutes.
alter table redemption_failures add column site_id text not null default '';
create index redemption_failures_site on redemption_failures (site_id, at_ms);
