import type { ConsumedEvent, Logger, PgPool } from "@handoff/runtime";
import { repFactOf } from "../domain/rep-facts";
import { siteSettingsOf } from "../domain/site-settings";
import { deriveSessionFacts } from "../domain/session-timeline";
import { decodeEvent, type IngestedEvent } from "../events/event-decoding";
import type { TopicKind } from "../events/ingest-topics";
import { DeadLetterStore, type DeadLetter } from "../store/dead-letter-store";
import { EventLog, SESSION_FACT_EVENT_TYPES, type SessionKey } from "../store/event-log";
import { FactStore } from "../store/fact-store";
import { refusedDataReason } from "../store/refused-data";
import { notifySitesChanged } from "../store/site-change-notice";
import { SiteSettingsStore, type SiteSettingsChange } from "../store/site-settings-store";
import { inTransaction, type Tx } from "../store/transaction";

export interface BatchOutcome {
  ingested: number;
  duplicates: number;
  deadLettered: number;
}

interface Decoded {
  message: ConsumedEvent;
  event: IngestedEvent;
}

const sessionScoped = (event: IngestedEvent) => event.sessionId !== "" && SESSION_FACT_EVENT_TYPES.has(event.eventType);

function sessionsOf(events: readonly IngestedEvent[]): SessionKey[] {
  const keys = new Map<string, SessionKey>();
  for (const e of events)
    if (sessionScoped(e)) keys.set(`${e.siteId}/${e.sessionId}`, { siteId: e.siteId, sessionId: e.sessionId });
  return [...keys.values()];
}

/**
 * Writes a batch of consumed events of one topic and their effect on the fact tables in one
 * transaction, deduplicated by source and id in that same transaction. The sessions the new events
 * touch are derived again from all their stored events, once per batch, under a lock per session
 * (the routing and sessions consumers may touch the same session at once), so the facts depend on
 * the set of events only, never on arrival order or on how deliveries were batched. A rep's facts
 * are one row per event, and a site's settings keep its highest version. The sites with new events are
 * notified (live streams) on commit.
 */
export class EventIngester {
  private readonly log = new EventLog();
  private readonly facts = new FactStore();
  private readonly deadLetters = new DeadLetterStore();

  constructor(
    private readonly pool: PgPool,
    private readonly logger: Logger,
  ) {}

  async ingestBatch(kind: TopicKind, messages: readonly ConsumedEvent[]): Promise<BatchOutcome> {
    const letters: DeadLetter[] = [];
    const decoded: Decoded[] = [];
    for (const message of messages) {
      const result = decodeEvent(kind, message);
      if (result.ok) decoded.push({ message, event: result.event });
      else letters.push(this.refused(message, result.reason));
    }
    try {
      const ingested = await inTransaction(this.pool, (tx) => this.write(tx, decoded, letters));
      return { ingested, duplicates: decoded.length - ingested, deadLettered: letters.length };
    } catch (error) {
      if (refusedDataReason(error) === undefined) throw error;
      return this.oneByOne(decoded, letters);
    }
  }

  /**
   * After PostgreSQL refused something in a batch (the whole transaction rolled back): each event in
   * a transaction of its own, so only the one it refuses is dead-lettered and the rest land.
   */
  private async oneByOne(decoded: readonly Decoded[], letters: DeadLetter[]): Promise<BatchOutcome> {
    let ingested = 0;
    let refused = 0;
    for (const one of decoded) {
      try {
        ingested += await inTransaction(this.pool, (tx) => this.write(tx, [one], []));
      } catch (error) {
        const reason = refusedDataReason(error);
        if (reason === undefined) throw error;
        letters.push(this.refused(one.message, reason));
        refused++;
      }
    }
    await inTransaction(this.pool, (tx) => this.deadLetters.add(tx, letters));
    return { ingested, duplicates: decoded.length - ingested - refused, deadLettered: letters.length };
  }

  private async write(tx: Tx, decoded: readonly Decoded[], letters: readonly DeadLetter[]): Promise<number> {
    const events = decoded.map((d) => d.event);
    await this.log.lockSessions(tx, sessionsOf(events));
    const stored = await this.log.append(tx, events);
    const histories = await this.log.sessionHistories(tx, sessionsOf(stored));
    await this.facts.replaceSessionFacts(tx, histories.map(deriveSessionFacts));
    await this.facts.addRepFacts(
      tx,
      stored.flatMap((event) => {
        const fact = event.decoded.kind === "presence" ? repFactOf(event.decoded.event) : null;
        return fact ? [{ event, fact }] : [];
      }),
    );
    await SiteSettingsStore.apply(
      tx,
      stored.flatMap((event): SiteSettingsChange[] => {
        const settings = event.decoded.kind === "sites" ? siteSettingsOf(event.decoded.event) : undefined;
        return settings
          ? [{ siteId: event.siteId, eventId: event.eventId, occurredAtMs: event.occurredAtMs, settings }]
          : [];
      }),
    );
    await this.deadLetters.add(tx, letters);
    await notifySitesChanged(
      tx,
      stored.map((e) => e.siteId),
    );
    return stored.length;
  }

  private refused(message: ConsumedEvent, reason: string): DeadLetter {
    this.logger.warn(
      { topic: message.topic, partition: message.partition, offset: message.offset, reason },
      "event dead-lettered",
    );
    return { message, reason };
  }
}
