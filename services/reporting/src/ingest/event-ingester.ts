import type { ConsumedEvent, Logger, PgPool } from "@handoff/runtime";
import { repFactOf } from "../domain/rep-facts";
import { deriveSessionFacts } from "../domain/session-timeline";
import { decodeEvent, type IngestedEvent } from "../events/event-decoding";
import type { TopicKind } from "../events/ingest-topics";
import { DeadLetterStore } from "../store/dead-letter-store";
import { EventLog, SESSION_FACT_EVENT_TYPES } from "../store/event-log";
import { FactStore } from "../store/fact-store";
import { notifySiteChanged } from "../store/site-change-notice";
import { inTransaction, type Tx } from "../store/transaction";

export type IngestOutcome = "ingested" | "duplicate" | "dead-lettered";

/**
 * Writes one consumed event and its effect on the fact tables in one transaction, deduplicated by
 * its source and id. A session's facts are derived again from all its events, under a lock per
 * session (the routing and sessions consumers may touch the same session at once), so they depend on
 * the set of events only, never on arrival order. A rep's facts are one row per event.
 */
export class EventIngester {
  private readonly log = new EventLog();
  private readonly facts = new FactStore();
  private readonly deadLetters: DeadLetterStore;

  constructor(
    private readonly pool: PgPool,
    private readonly logger: Logger,
  ) {
    this.deadLetters = new DeadLetterStore(pool);
  }

  async ingest(kind: TopicKind, message: ConsumedEvent): Promise<IngestOutcome> {
    const decoded = decodeEvent(kind, message);
    if (!decoded.ok) {
      this.logger.warn(
        { topic: message.topic, partition: message.partition, offset: message.offset, reason: decoded.reason },
        "event dead-lettered",
      );
      await this.deadLetters.add(message, decoded.reason);
      return "dead-lettered";
    }
    const { event } = decoded;
    const fed = await inTransaction(this.pool, async (tx) => {
      const sessionScoped = event.sessionId !== "" && SESSION_FACT_EVENT_TYPES.has(event.eventType);
      if (sessionScoped)
        await tx.query("select pg_advisory_xact_lock(hashtext('reporting.session'), hashtext($1))", [
          `${event.siteId}/${event.sessionId}`,
        ]);
      if (!(await this.log.append(tx, event))) return false;
      if (sessionScoped) await this.rederiveSession(tx, event);
      else if (event.decoded.kind === "presence") {
        const fact = repFactOf(event.decoded.event);
        if (fact) await this.facts.addRepFact(tx, event, fact);
      }
      await notifySiteChanged(tx, event.siteId);
      return true;
    });
    return fed ? "ingested" : "duplicate";
  }

  private async rederiveSession(tx: Tx, event: IngestedEvent): Promise<void> {
    const history = await this.log.sessionHistory(tx, event.siteId, event.sessionId);
    await this.facts.replaceSessionFacts(tx, deriveSessionFacts(history));
  }
}
