import { TOPICS } from "@handoff/proto";
import { PresenceEvent } from "@handoff/proto/events";
import { createKafka, createLogger, startEventConsumer, type EventConsumer, type RedisClient } from "@handoff/runtime";
import { infrastructureEnv } from "@handoff/testing";
import { randomUUID } from "node:crypto";

/** One presence event as a consumer sees it. */
export interface LoggedPresenceEvent {
  /** `${site}/${streamId}`: stable across relay retries. */
  eventId: string;
  /** The outbox stream id, which orders a site's events. */
  streamId: string;
  event: PresenceEvent;
  /** The `traceparent` header: the trace of the request that made the event. */
  traceparent: string;
}

/** Orders Redis stream ids (`<ms>-<seq>`) numerically. */
function compareStreamIds(a: string, b: string): number {
  const [am = 0, as = 0] = a.split("-").map(Number);
  const [bm = 0, bs = 0] = b.split("-").map(Number);
  return am - bm || as - bs;
}

/**
 * Reads `handoff.presence.v1` from the beginning with a group of its own. The topic holds every
 * test's events, keyed by rep, over several partitions: a site's events are told apart by the site
 * in their event id, deduplicated by it and put back in outbox order by their stream id.
 */
export class PresenceEventLog {
  private readonly bySite = new Map<string, Map<string, LoggedPresenceEvent>>();
  private consumer: EventConsumer | undefined;

  static async start(): Promise<PresenceEventLog> {
    const kafka = createKafka({
      clientId: `presence-test-${randomUUID().slice(0, 8)}`,
      brokers: infrastructureEnv().KAFKA_BROKERS.split(","),
      logger: createLogger("presence-test-event-log", "fatal"),
    });
    const log = new PresenceEventLog();
    log.consumer = await startEventConsumer(kafka, {
      groupId: `presence-test-${randomUUID()}`,
      topics: [TOPICS.presence],
      fromBeginning: true,
      handle: ({ headers, value }) => {
        const slash = headers.eventId.lastIndexOf("/");
        if (slash < 0) return Promise.resolve();
        const site = headers.eventId.slice(0, slash);
        const events = log.bySite.get(site) ?? new Map<string, LoggedPresenceEvent>();
        if (!events.has(headers.eventId)) {
          events.set(headers.eventId, {
            eventId: headers.eventId,
            streamId: headers.eventId.slice(slash + 1),
            event: PresenceEvent.decode(value),
            traceparent: headers.traceparent,
          });
        }
        log.bySite.set(site, events);
        return Promise.resolve();
      },
    });
    return log;
  }

  /** The site's events, deduplicated by event id, in outbox order. */
  events(site: string): LoggedPresenceEvent[] {
    return [...(this.bySite.get(site)?.values() ?? [])].sort((a, b) => compareStreamIds(a.streamId, b.streamId));
  }

  /**
   * Waits until every entry of the site's outbox (`hp:{site}:ob`) is in Kafka and the outbox stopped
   * growing; returns how many entries it holds.
   */
  async waitForRelay(redis: RedisClient, site: string, timeoutMs = 20_000): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    let previousLength = -1;
    for (;;) {
      const outbox = (await redis.xrange(`hp:{${site}}:ob`, "-", "+")).map(([id]) => id);
      const relayed = new Set(this.events(site).map((e) => e.streamId));
      const missing = outbox.filter((id) => !relayed.has(id)).length;
      if (missing === 0 && outbox.length === previousLength) return outbox.length;
      previousLength = outbox.length;
      if (Date.now() > deadline) {
        throw new Error(
          `relay did not catch up in ${timeoutMs} ms: ${missing} of ${outbox.length} entries not in Kafka`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect();
    this.consumer = undefined;
  }
}
