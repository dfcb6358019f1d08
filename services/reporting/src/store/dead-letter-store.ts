import type { ConsumedEvent } from "@handoff/runtime";
import type { Tx } from "./transaction";

/** The bytes of a refused event kept for inspection; the reason says the rest. */
export const MAX_DEAD_LETTER_BYTES = 65_536;

/** Header text as PostgreSQL can hold it: without NUL characters, at most 256 characters. */
const headerText = (value: string) => value.replaceAll("\u0000", "").slice(0, 256);

/** A header that was not a number is kept as -1. */
const int32 = (value: number) => (Number.isInteger(value) && Math.abs(value) < 2 ** 31 ? value : -1);

export interface DeadLetter {
  message: ConsumedEvent;
  reason: string;
}

/** `reporting.dead_letters`: events that could not be ingested, keyed by their place in Kafka. */
export class DeadLetterStore {
  async add(tx: Tx, letters: readonly DeadLetter[]): Promise<void> {
    if (letters.length === 0) return;
    const messages = letters.map((l) => l.message);
    await tx.query(
      `insert into reporting.dead_letters (topic, partition, "offset", event_id, event_type, schema_version, reason, value, message_at_ms)
       select * from unnest($1::text[], $2::int[], $3::bigint[], $4::text[], $5::text[], $6::int[], $7::text[], $8::bytea[], $9::bigint[])
       on conflict do nothing`,
      [
        messages.map((m) => m.topic),
        messages.map((m) => m.partition),
        messages.map((m) => m.offset),
        messages.map((m) => headerText(m.headers.eventId)),
        messages.map((m) => headerText(m.headers.eventType)),
        messages.map((m) => int32(m.headers.schemaVersion)),
        letters.map((l) => l.reason),
        messages.map((m) => m.value.subarray(0, MAX_DEAD_LETTER_BYTES)),
        messages.map((m) => m.timestampMs ?? null),
      ],
    );
  }
}
