import type { Tx } from "./session-store";

/**
 * Marks a Kafka event as applied by `consumer` inside the transaction of its effect; false when it
 * was applied before (a redelivery), in which case the caller must not apply it again.
 */
export async function markProcessed(tx: Tx, consumer: string, eventId: string, atMs: number): Promise<boolean> {
  const result = await tx.query(
    "insert into processed_events (consumer, event_id, processed_at_ms) values ($1, $2, $3) on conflict do nothing",
    [consumer, eventId, atMs],
  );
  return result.rowCount === 1;
}
