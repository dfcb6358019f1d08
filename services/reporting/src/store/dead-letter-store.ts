import type { ConsumedEvent, PgPool } from "@handoff/runtime";

/** The bytes of a refused event kept for inspection; the reason says the rest. */
export const MAX_DEAD_LETTER_BYTES = 65_536;

/** Header text as PostgreSQL can hold it: without NUL characters, at most 256 characters. */
const headerText = (value: string) => value.replaceAll("\u0000", "").slice(0, 256);

/** A header that was not a number is kept as -1. */
const int32 = (value: number) => (Number.isInteger(value) && Math.abs(value) < 2 ** 31 ? value : -1);

/** `reporting.dead_letters`: events that could not be ingested, keyed by their place in Kafka. */
export class DeadLetterStore {
  constructor(private readonly pool: PgPool) {}

  async add(message: ConsumedEvent, reason: string): Promise<void> {
    await this.pool.query(
      `insert into reporting.dead_letters (topic, partition, "offset", event_id, event_type, schema_version, reason, value)
       values ($1, $2, $3, $4, $5, $6, $7, $8)
       on conflict do nothing`,
      [
        message.topic,
        message.partition,
        message.offset,
        headerText(message.headers.eventId),
        headerText(message.headers.eventType),
        int32(message.headers.schemaVersion),
        reason,
        message.value.subarray(0, MAX_DEAD_LETTER_BYTES),
      ],
    );
  }
}
