import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";

/**
 * A Redis Functions library assembled from Lua modules that declare what they use.
 *
 * A module file starts with `--- @module <name>` and `--- @uses <name>, ...` and its body returns the
 * module's table. A function file (one per transition) is named `<name>.lua`, starts with its contract
 * header, declares `--- @uses` (and `--- @read-only` when it writes nothing) and its body is the
 * function's: it sees `KEYS` and `ARGV` and returns the reply. The builder orders modules by their
 * declarations, so no order is written by hand, and refuses a module or function that references a
 * module it did not declare (or declares one it does not use), an unknown module, or a cycle.
 *
 * Redis runs a library's top level once per FUNCTION LOAD, where `redis.call` does not exist; the
 * modules are therefore instantiated on the first call (each keeps its state across calls: per-call
 * state belongs in `tenant.begin`). Every function is tenant-scoped: `tenant.begin(KEYS, ARGV)` runs
 * first (KEYS[1] is the tenant prefix, the last ARGV the caller's traceparent).
 */
export interface LuaModule {
  name: string;
  uses: readonly string[];
  body: string;
  /** Where the body came from, for error messages and the line map. */
  source: string;
}

export interface LuaFunction extends LuaModule {
  /** Declared `--- @read-only`: registered with the `no-writes` flag. */
  readOnly: boolean;
}

export interface FunctionLibrary {
  /** `<prefix>_<content hash>`: a changed library is a new one, so versions side by side never mix. */
  name: string;
  /** The `FUNCTION LOAD` payload. */
  code: string;
  /** Name given to FCALL for each function of the library. */
  functionNames: ReadonlyMap<string, string>;
  /** Functions that write nothing. */
  readOnly: ReadonlySet<string>;
  /** Maps a line of `code` (Redis error messages name `user_function:<line>`) to its source file and line. */
  locate(line: number): string;
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const MODULE_LINE = /^--- @module\s+(\S+)\s*$/m;
const USES_LINE = /^--- @uses\s+(.*)$/m;
const READ_ONLY_LINE = /^--- @read-only\s*$/m;
/** The runtime's own modules (the tenant prologue). */
export const RUNTIME_LUA_DIR = path.join(__dirname, "lua");

function parseUses(text: string): string[] {
  const line = USES_LINE.exec(text);
  return line
    ? line[1]!
        .split(",")
        .map((name) => name.trim())
        .filter(Boolean)
    : [];
}

export function readLuaModule(file: string): LuaModule {
  const text = readFileSync(file, "utf8");
  const name = MODULE_LINE.exec(text)?.[1];
  if (!name || !NAME.test(name)) throw new Error(`${file}: needs a "--- @module <name>" line`);
  return { name, uses: parseUses(text), body: text, source: file };
}

export function readLuaFunction(file: string): LuaFunction {
  const text = readFileSync(file, "utf8");
  const name = path.basename(file, ".lua");
  if (!NAME.test(name)) throw new Error(`${file}: a function's file name must be a Lua name`);
  return { name, uses: parseUses(text), readOnly: READ_ONLY_LINE.test(text), body: text, source: file };
}

/** Every `.lua` of `dir`, read as modules (`kind` "module") or functions. */
export function readLuaDir<K extends "module" | "function">(
  dir: string,
  kind: K,
): K extends "module" ? LuaModule[] : LuaFunction[] {
  const files = readdirSync(dir)
    .filter((entry) => entry.endsWith(".lua"))
    .sort()
    .map((entry) => path.join(dir, entry));
  return files.map((file) => (kind === "module" ? readLuaModule(file) : readLuaFunction(file))) as never;
}

type LuaConstant = number | string | boolean | { readonly [key: string]: number | string };

function luaValue(value: LuaConstant): string {
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (typeof value === "string") return JSON.stringify(value);
  const fields = Object.entries(value).map(([key, v]) => `[${JSON.stringify(key)}] = ${luaValue(v)}`);
  return `strict({ ${fields.join(", ")} })`;
}

/**
 * A module of constants generated from TypeScript values, so a constant shared by TypeScript and Lua
 * has one source. Tables map strings to strings or numbers.
 */
export function luaConstantsModule(name: string, constants: Readonly<Record<string, LuaConstant>>): LuaModule {
  const lines = Object.entries(constants).map(([key, value]) => {
    if (!NAME.test(key)) throw new Error(`constant ${key} is not a Lua name`);
    return `M.${key} = ${luaValue(value)}`;
  });
  return {
    name,
    uses: [],
    body: [
      "-- Generated from TypeScript by the function library builder; not a file.",
      "-- A table of constants raises on a name it lacks, so a misspelt constant fails where it is read.",
      "local function strict(t)",
      '  return setmetatable(t, { __index = function(_, name) error("no constant " .. tostring(name), 2) end })',
      "end",
      "local M = {}",
      ...lines,
      "return strict(M)",
      "",
    ].join("\n"),
    source: `(generated ${name})`,
  };
}

/** The body without comments and string literals, for the reference check. */
function codeOnly(body: string): string {
  return body
    .replace(/--\[(=*)\[[\s\S]*?\]\1\]/g, " ")
    .replace(/--[^\n]*/g, " ")
    .replace(/"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'/g, '""');
}

/** Throws unless `unit` references exactly the modules it declares (and no module is its own). */
function checkReferences(unit: LuaModule, moduleNames: ReadonlySet<string>, implicit: readonly string[] = []): void {
  const code = codeOnly(unit.body);
  for (const name of unit.uses) {
    if (!moduleNames.has(name)) throw new Error(`${unit.source}: uses unknown module ${name}`);
  }
  for (const name of moduleNames) {
    if (name === unit.name || implicit.includes(name)) continue;
    const referenced = new RegExp(`(?<![\\w.:])${name}(?![\\w])`).test(code);
    const declared = unit.uses.includes(name);
    if (referenced && !declared) throw new Error(`${unit.source}: references module ${name} without "--- @uses" it`);
    if (declared && !referenced) throw new Error(`${unit.source}: declares module ${name} but never uses it`);
  }
}

/** The modules in an order where each follows every module it uses; throws on a cycle. */
export function orderModules(modules: readonly LuaModule[]): LuaModule[] {
  const byName = new Map(modules.map((m) => [m.name, m]));
  if (byName.size !== modules.length) throw new Error("two Lua modules share a name");
  const ordered: LuaModule[] = [];
  const state = new Map<string, "visiting" | "done">();
  const visit = (module: LuaModule, path: string[]) => {
    const seen = state.get(module.name);
    if (seen === "done") return;
    if (seen === "visiting")
      throw new Error(`Lua modules use each other in a cycle: ${[...path, module.name].join(" → ")}`);
    state.set(module.name, "visiting");
    for (const name of module.uses) {
      const dependency = byName.get(name);
      if (!dependency) throw new Error(`${module.source}: uses unknown module ${name}`);
      visit(dependency, [...path, module.name]);
    }
    state.set(module.name, "done");
    ordered.push(module);
  };
  for (const module of [...modules].sort((a, b) => a.name.localeCompare(b.name))) visit(module, []);
  return ordered;
}

const indent = (body: string) => body.replace(/^(?=.)/gm, "  ");

/**
 * Assembles the library. `modules` must include the runtime's `tenant` module (see
 * `runtimeLuaModules`); every function uses it implicitly.
 */
export function buildFunctionLibrary(
  prefix: string,
  modules: readonly LuaModule[],
  functions: readonly LuaFunction[],
): FunctionLibrary {
  if (!NAME.test(prefix)) throw new Error(`library prefix ${prefix} is not a Lua name`);
  const moduleNames = new Set(modules.map((m) => m.name));
  if (!moduleNames.has("tenant")) throw new Error("a function library needs the runtime's tenant module");
  const ordered = orderModules(modules);
  for (const module of ordered) checkReferences(module, moduleNames);
  for (const fn of functions) checkReferences(fn, moduleNames, ["tenant"]);

  // Chunks with the source each line came from.
  const chunks: { text: string; source?: string }[] = [];
  const emit = (text: string, source?: string) =>
    chunks.push({ text: text.endsWith("\n") ? text : `${text}\n`, source });
  emit("local modules");
  emit("local function instantiate()");
  emit("  local m = {}");
  for (const module of ordered) {
    emit(`  m.${module.name} = (function(${module.uses.join(", ")})`);
    emit(indent(indent(module.body)), module.source);
    emit(`  end)(${module.uses.map((name) => `m.${name}`).join(", ")})`);
  }
  emit("  modules = m");
  emit("  return m");
  emit("end");
  for (const fn of functions) {
    const uses = [...new Set(["tenant", ...fn.uses])];
    emit(
      `redis.register_function{ function_name = "@LIB@_${fn.name}",${fn.readOnly ? ` flags = { "no-writes" },` : ""}`,
    );
    emit(`  callback = (function()`);
    emit(`    local ${uses.join(", ")}`);
    emit(`    local function body(KEYS, ARGV)`);
    emit(indent(indent(indent(fn.body))), fn.source);
    emit(`    end`);
    emit(`    return function(KEYS, ARGV)`);
    emit(`      if not tenant then`);
    emit(`        local m = modules or instantiate()`);
    emit(`        ${uses.join(", ")} = ${uses.map((name) => `m.${name}`).join(", ")}`);
    emit(`      end`);
    emit(`      tenant.begin(KEYS, ARGV)`);
    emit(`      return body(KEYS, ARGV)`);
    emit(`    end`);
    emit(`  end)() }`);
  }
  const body = chunks.map((c) => c.text).join("");
  const name = `${prefix}_${createHash("sha1").update(body).digest("hex").slice(0, 12)}`;
  const code = `#!lua name=${name}\n${body.replaceAll("@LIB@", name)}`;

  // Line map: the shebang is line 1; each chunk starts where the previous ended.
  const starts: { line: number; count: number; source?: string }[] = [];
  let line = 2;
  for (const chunk of chunks) {
    const count = chunk.text.split("\n").length - 1;
    starts.push({ line, count, source: chunk.source });
    line += count;
  }
  const locate = (at: number) => {
    const chunk = starts.find((c) => at >= c.line && at < c.line + c.count);
    return chunk?.source ? `${path.basename(chunk.source)}:${at - chunk.line + 1}` : `library line ${at}`;
  };
  return {
    name,
    code,
    functionNames: new Map(functions.map((fn) => [fn.name, `${name}_${fn.name}`])),
    readOnly: new Set(functions.filter((fn) => fn.readOnly).map((fn) => fn.name)),
    locate,
  };
}

/** The runtime's modules every library needs (the tenant prologue). */
export function runtimeLuaModules(): LuaModule[] {
  return readLuaDir(RUNTIME_LUA_DIR, "module");
}

/**
 * A service's library: the runtime's modules, a `constants` module generated from `constants`, and the
 * modules and functions of `dir/modules` and `dir/functions`.
 */
export function serviceFunctionLibrary(
  prefix: string,
  dir: string,
  constants: Readonly<Record<string, LuaConstant>>,
): FunctionLibrary {
  return buildFunctionLibrary(
    prefix,
    [
      ...runtimeLuaModules(),
      luaConstantsModule("constants", constants),
      ...readLuaDir(path.join(dir, "modules"), "module"),
    ],
    readLuaDir(path.join(dir, "functions"), "function"),
  );
}
