-- A dead letter's age for the retention sweep: its Kafka message's timestamp (the producer's create
-- time), the same on every delivery and replay, so the table stays a function of the topics. Rows
-- refused before this column (null) are not swept: they wait for an operator, as all did before.
alter table reporting.dead_letters add column message_at_ms bigint;
create index dead_letters_by_age on reporting.dead_letters (message_at_ms);
