/** Where an event stands among events with the same `occurred_at_ms`. */
export interface EventOrder {
  streamMs: number;
  streamSeq: number;
}

/** `<site>/<ms>-<seq>`: the outbox stream id acd and presence put in their event ids. */
const STREAM_EVENT_ID = /\/(\d{1,15})-(\d{1,15})$/;

/**
 * The order of an outbox event among its producer's events: Redis stream ids only grow, and one Lua
 * script writes several events at the same millisecond (SessionQueued then OfferCreated), so the
 * event time alone cannot order them. Ids of another shape order by time alone (0, 0).
 */
export function streamOrder(eventId: string): EventOrder {
  const match = STREAM_EVENT_ID.exec(eventId);
  return match ? { streamMs: Number(match[1]), streamSeq: Number(match[2]) } : { streamMs: 0, streamSeq: 0 };
}

/** Session events carry their own per-session sequence. */
export const sequenceOrder = (sequence: number): EventOrder => ({ streamMs: 0, streamSeq: sequence });
