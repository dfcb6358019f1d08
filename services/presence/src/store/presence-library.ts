import { Actor, actorToJSON, repStateToJSON } from "@handoff/proto/common";
import { serviceFunctionLibrary, type FunctionLibrary } from "@handoff/runtime";
import path from "node:path";
import { stateToProto } from "../grpc/mappers";
import { DEFAULT_REP_CAPACITY, STATE_CODES } from "../domain/rep-state";
import * as codes from "./return-codes";

/** The Lua sits next to this module (the build copies it into dist/): modules/ and functions/. */
const LIBRARY_DIR = path.join(__dirname, "library");

/**
 * Every constant presence's Lua shares with TypeScript, from its TypeScript source: the library's
 * `constants` module is generated from this object.
 */
export const LUA_CONSTANTS = {
  ...codes,
  /** State name → the one letter the rep hash stores. */
  STATE: STATE_CODES,
  /** Stored letter → the RepState name events carry. */
  STATE_NAMES: Object.fromEntries(
    Object.entries(STATE_CODES).map(([name, code]) => [
      code,
      repStateToJSON(stateToProto(name as keyof typeof STATE_CODES)),
    ]),
  ),
  ACTOR_SYSTEM: actorToJSON(Actor.ACTOR_SYSTEM),
  ACTOR_REP: actorToJSON(Actor.ACTOR_REP),
  /** A rep's capacity until he sets one. */
  DEFAULT_CAPACITY: DEFAULT_REP_CAPACITY,
} as const;

let built: FunctionLibrary | undefined;

/** Presence's Redis Functions library (`presence_<hash>`), assembled once per process. */
export function presenceLibrary(): FunctionLibrary {
  built ??= serviceFunctionLibrary("presence", LIBRARY_DIR, LUA_CONSTANTS);
  return built;
}
