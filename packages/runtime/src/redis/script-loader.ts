import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { currentTraceparent } from "../telemetry/traceparent";
import type { RedisClient } from "./connection";

/** `enqueueSession-4.lua`: command name, then the number of KEYS. */
const SCRIPT_FILE = /^([A-Za-z][A-Za-z0-9]*)-(\d+)\.lua$/;
/** `--- @include "includes/appendOutbox"` (the `.lua` suffix is optional). */
const INCLUDE_LINE = /^---\s*@include\s+"([^"]+)"\s*$/gm;
/** Includes under this name come from the runtime's own Lua folder (`@handoff/runtime/tenant`). */
const RUNTIME_INCLUDE = "@handoff/runtime/";
const RUNTIME_LUA_DIR = path.join(__dirname, "lua");

export type ScriptArg = string | number | Buffer;
export type ScriptCall = (keys: readonly string[], args: readonly ScriptArg[]) => Promise<unknown>;

/**
 * Inlines `--- @include` files (relative to the including file, or the runtime's shared ones under
 * `@handoff/runtime/`; each at most once, recursively) so a script is one self-contained body.
 */
export function resolveIncludes(file: string, seen = new Set<string>()): string {
  seen.add(file);
  return readFileSync(file, "utf8").replace(INCLUDE_LINE, (_line, name: string) => {
    const relative = name.endsWith(".lua") ? name : `${name}.lua`;
    const included = relative.startsWith(RUNTIME_INCLUDE)
      ? path.join(RUNTIME_LUA_DIR, relative.slice(RUNTIME_INCLUDE.length))
      : path.resolve(path.dirname(file), relative);
    return seen.has(included) ? "" : resolveIncludes(included, seen);
  });
}

/**
 * Registers every `<name>-<numkeys>.lua` of `dir` with ioredis `defineCommand`, which sends EVALSHA
 * and falls back to EVAL after NOSCRIPT, and returns a typed caller per script. Every call passes the
 * active trace context as its last ARGV, so events a script appends carry the caller's trace.
 */
export function loadScripts(client: RedisClient, dir: string): Record<string, ScriptCall> {
  const calls: Record<string, ScriptCall> = {};
  for (const entry of readdirSync(dir)) {
    const match = SCRIPT_FILE.exec(entry);
    if (!match) continue;
    const [, name, numberOfKeys] = match as unknown as [string, string, string];
    client.defineCommand(name, { numberOfKeys: Number(numberOfKeys), lua: resolveIncludes(path.join(dir, entry)) });
    const command = (client as unknown as Record<string, (...a: ScriptArg[]) => Promise<unknown>>)[name];
    if (!command) throw new Error(`ioredis did not define command ${name}`);
    calls[name] = (keys, args) => command.call(client, ...keys, ...args, currentTraceparent());
  }
  return calls;
}
