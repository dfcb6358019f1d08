import { TOPICS } from "@handoff/proto";
import { RoutingEvent } from "@handoff/proto/events";
import { AbandonReason } from "@handoff/proto/common";
import { startEventConsumer, type EventConsumer, type Logger } from "@handoff/runtime";
import type { Kafka } from "kafkajs";
import type { SessionLifecycle } from "../commands/session-lifecycle";
import { isLive } from "../domain/session-lifecycle";
import { SessionNotFoundError } from "../domain/errors";
import { markProcessed } from "../store/processed-events";
import type { SessionStore, Tx } from "../store/session-store";
import { sessionWaiting } from "./session-payloads";

/** The dedupe name of applied events: shared by every deployment writing the same database. */
const CONSUMER = "session-broker.routing";

/**
 * Keeps each session's state in step with the acd by following `handoff.routing.v1`: offers made,
 * rejected, expired or withdrawn, abandons the acd decided (queue timeout), overflow steps, and the
 * acd's exact enqueue time (the session's place, used to rebuild queues). Every event is applied once
 * (dedupe by event id in the same transaction); sessions the broker does not own are skipped.
 */
export class RoutingEventConsumer {
  constructor(
    private readonly store: SessionStore,
    private readonly lifecycle: SessionLifecycle,
    private readonly logger: Logger,
  ) {}

  start(kafka: Kafka, groupPrefix: string): Promise<EventConsumer> {
    return startEventConsumer(kafka, {
      groupId: `${groupPrefix}.routing`,
      topics: [TOPICS.routing],
      handle: async (message) => {
        let event: RoutingEvent;
        try {
          event = RoutingEvent.decode(message.value);
        } catch (error) {
          this.logger.warn({ err: error, offset: message.offset }, "undecodable routing event skipped");
          return;
        }
        await this.apply(event);
      },
    });
  }

  async apply(event: RoutingEvent): Promise<void> {
    if (!event.sessionId || !event.payload) return;
    if (!(await this.store.find(event.siteId, event.sessionId))) return;
    try {
      await this.store.transaction(async (tx) => {
        if (!(await markProcessed(tx, CONSUMER, event.eventId, Date.now()))) return;
        await this.applyIn(tx, event);
      });
    } catch (error) {
      if (error instanceof SessionNotFoundError) return;
      throw error;
    }
  }

  private async applyIn(tx: Tx, event: RoutingEvent): Promise<void> {
    const { siteId, sessionId, payload } = event;
    switch (payload?.$case) {
      case "sessionQueued":
        if (payload.sessionQueued.rebuilt) return;
        // The acd's own enqueue time is the session's place; the broker's first guess is its create time.
        await this.store.changeIn(tx, siteId, sessionId, (c) => {
          if (!isLive(c.row.state) || c.row.state === "active") return;
          c.set({ enqueuedAtMs: payload.sessionQueued.enqueuedAtMs, priority: payload.sessionQueued.priority });
          if (c.row.state === "created") {
            c.set({ state: "waiting" });
            c.emit(sessionWaiting(c.row, "created"));
          }
        });
        return;
      case "offerCreated":
        await this.lifecycle.offerSeen(tx, siteId, sessionId, {
          repId: payload.offerCreated.repId,
          epoch: event.epoch,
          expiresAtMs: payload.offerCreated.expiresAtMs,
          decision: payload.offerCreated.decision,
        });
        return;
      case "offerRejected":
        return this.lifecycle.offerLapsed(tx, siteId, sessionId, payload.offerRejected.repId, event.epoch, "rejected");
      case "offerExpired":
        return this.lifecycle.offerLapsed(tx, siteId, sessionId, payload.offerExpired.repId, event.epoch, "expired");
      case "offerWithdrawn":
        return this.lifecycle.offerLapsed(
          tx,
          siteId,
          sessionId,
          payload.offerWithdrawn.repId,
          event.epoch,
          "withdrawn",
        );
      case "sessionAbandoned":
        await this.store.changeIn(tx, siteId, sessionId, async (c) => {
          if (!isLive(c.row.state) || c.row.state === "active") return;
          await this.lifecycle.closeIn(
            c,
            { kind: "system", id: "", customerToken: "" },
            "abandoned",
            payload.sessionAbandoned.reason || AbandonReason.ABANDON_REASON_QUEUE_TIMEOUT,
          );
        });
        return;
      case "sessionTransferred":
        // Only an offered session is moved by the acd on its own (a requeue after an uncommitted accept).
        return this.lifecycle.requeuedByAcd(tx, siteId, sessionId, event.epoch, "requeued");
      case "sessionOverflowed":
        await this.store.changeIn(tx, siteId, sessionId, (c) => {
          if (c.row.state !== "waiting" && c.row.state !== "offered") return;
          c.set({ priority: payload.sessionOverflowed.priority });
          c.emit(sessionWaiting(c.row, `overflowed:${payload.sessionOverflowed.addedTeamIds.join(",")}`));
        });
        return;
      default:
        // Accepts, ends and active transfers are the broker's own doing; the rest is not about a session.
        return;
    }
  }
}
