import { MAX_PRIORITY } from "./limits";

/**
 * The one queue order used everywhere (the Lua library, rebuild, tests): higher priority first, then earlier
 * enqueue time, then lower enqueue sequence number.
 *
 * In Redis a queue is a sorted set with score `queueScore(priority)` and member
 * `orderMember(enqueuedAtMs, seq, sessionId)`. ZSET members of equal score sort bytewise, and the member
 * starts with a fixed-width 18-character hex prefix, so equal-priority sessions sort by enqueue time, then
 * seq: FIFO without a floating-point composite score that would lose precision.
 */
export interface WaitingOrderKey {
  priority: number;
  enqueuedAtMs: number;
  /** The site's enqueue counter at enqueue time (INCR), which orders sessions enqueued in the same ms. */
  seq: number;
  /** Last resort, as in the ZSET member; never needed while seqs are unique. */
  sessionId?: string;
}

export const TIME_HEX_DIGITS = 13;
export const SEQ_HEX_DIGITS = 5;
/**
 * Only the low 20 bits of seq fit the member. They decide only between sessions enqueued in the same
 * millisecond, and 2^20 enqueues of one site in one millisecond do not happen; the comparator uses the same
 * modulus so that it agrees with Redis exactly, also at a wrap of the counter.
 */
const SEQ_MODULUS = 16 ** SEQ_HEX_DIGITS;
const MAX_ENQUEUED_AT_MS = 16 ** TIME_HEX_DIGITS - 1;

export const ORDER_MEMBER_PREFIX_LENGTH = TIME_HEX_DIGITS + SEQ_HEX_DIGITS;

/** Lower scores come first in a ZSET, so the highest priority gets the lowest score. */
export function queueScore(priority: number): number {
  return MAX_PRIORITY - priority;
}

export function orderMember(enqueuedAtMs: number, seq: number, sessionId: string): string {
  if (!Number.isSafeInteger(enqueuedAtMs) || enqueuedAtMs < 0 || enqueuedAtMs > MAX_ENQUEUED_AT_MS) {
    throw new RangeError(`enqueuedAtMs must be an integer in 0..${MAX_ENQUEUED_AT_MS}, got ${enqueuedAtMs}`);
  }
  if (!Number.isSafeInteger(seq) || seq < 0) throw new RangeError(`seq must be a non-negative integer, got ${seq}`);
  return (
    enqueuedAtMs.toString(16).padStart(TIME_HEX_DIGITS, "0") +
    (seq % SEQ_MODULUS).toString(16).padStart(SEQ_HEX_DIGITS, "0") +
    sessionId
  );
}

export function sessionIdOfMember(member: string): string {
  return member.slice(ORDER_MEMBER_PREFIX_LENGTH);
}

export function compareWaiting(a: WaitingOrderKey, b: WaitingOrderKey): number {
  return (
    b.priority - a.priority ||
    a.enqueuedAtMs - b.enqueuedAtMs ||
    (a.seq % SEQ_MODULUS) - (b.seq % SEQ_MODULUS) ||
    compareBytes(a.sessionId ?? "", b.sessionId ?? "")
  );
}

/** Ids are ASCII (ID_PATTERN), where UTF-16 code unit order equals Redis's bytewise order. */
function compareBytes(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
