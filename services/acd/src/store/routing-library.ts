import { serviceFunctionLibrary, type FunctionLibrary } from "@handoff/runtime";
import path from "node:path";
import { DECISION_TRIGGERS } from "../domain/decision-record";
import { DEFAULT_OFFER_TIMEOUT_MS, MAX_PRIORITY } from "../domain/limits";
import { SEQ_HEX_DIGITS, TIME_HEX_DIGITS } from "../domain/queue-order";
import * as codes from "./return-codes";
import { SESSION_STATES } from "./session-states";
import { STRATEGY_CODES } from "./stored-config";

/** The Lua sits next to this module (the build copies it into dist/): modules/ and functions/. */
const LIBRARY_DIR = path.join(__dirname, "library");

const invert = (record: Record<string, string>) =>
  Object.fromEntries(Object.entries(record).map(([key, value]) => [value, key]));

/**
 * Every constant the Lua shares with TypeScript, from its TypeScript source: the library's
 * `constants` module is generated from this object, so there is nothing to keep in step by hand.
 */
export const LUA_CONSTANTS = {
  ...codes,
  /** Session state name → the one letter the session hash stores. */
  STATE: invert(SESSION_STATES),
  /** Strategy name → stored code, and back. */
  STRATEGY: STRATEGY_CODES,
  STRATEGY_NAMES: invert(STRATEGY_CODES),
  /** The decision record's triggers (domain/decision-record.ts). */
  TRIGGER: Object.fromEntries(DECISION_TRIGGERS.map((trigger) => [trigger, trigger])),
  MAX_PRIORITY,
  DEFAULT_OFFER_TIMEOUT_MS,
  /** Widths of a queue member's hex enqueue time and sequence (domain/queue-order.ts). */
  ORDER_TIME_DIGITS: TIME_HEX_DIGITS,
  ORDER_SEQ_DIGITS: SEQ_HEX_DIGITS,
  /** A match reads a queue or rep index in pages that grow to SCAN_PAGE entries, at most MAX_SCAN. */
  SCAN_PAGE: 64,
  MAX_SCAN: 4096,
  /** Terminal sessions stay readable this long (s), so late duplicates get a precise answer. */
  TOMBSTONE_TTL_S: 3600,
  /** Recent handle times kept per queue for the wait estimator. */
  HANDLE_SAMPLES: 50,
} as const;

let built: FunctionLibrary | undefined;

/** The acd's Redis Functions library (`acd_<hash>`), assembled once per process. */
export function routingLibrary(): FunctionLibrary {
  built ??= serviceFunctionLibrary("acd", LIBRARY_DIR, LUA_CONSTANTS);
  return built;
}
