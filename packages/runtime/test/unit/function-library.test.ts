import {
  buildFunctionLibrary,
  luaConstantsModule,
  orderModules,
  runtimeLuaModules,
  type LuaModule,
} from "@handoff/runtime";
import { describe, expect, it } from "vitest";

const module = (name: string, uses: string[], body: string): LuaModule => ({
  name,
  uses,
  body: `--- @module ${name}\n--- @uses ${uses.join(", ")}\nlocal M = {}\n${body}\nreturn M\n`,
  source: `${name}.lua`,
});
const fn = (name: string, uses: string[], body: string, readOnly = false) => ({
  name,
  uses,
  readOnly,
  body: `--- @uses ${uses.join(", ")}\n${body}\n`,
  source: `${name}.lua`,
});

const base = module("base", [], "function M.one() return 1 end");
const mid = module("mid", ["base"], "function M.two() return base.one() + 1 end");
const top = module("top", ["mid", "base"], "function M.three() return mid.two() + base.one() end");

describe("Redis Functions library builder", () => {
  it("orders modules after everything they use, whatever order they are given in", () => {
    for (const given of [
      [top, mid, base],
      [base, top, mid],
      [mid, base, top],
    ]) {
      expect(orderModules(given).map((m) => m.name)).toEqual(["base", "mid", "top"]);
    }
  });

  it("refuses a cycle, naming it", () => {
    const a = module("a", ["b"], "function M.f() return b.f() end");
    const b = module("b", ["a"], "function M.f() return a.f() end");
    expect(() => orderModules([a, b])).toThrow(/cycle: a → b → a/);
  });

  it("refuses a module or function that uses a module it did not declare", () => {
    const sneaky = module("sneaky", ["mid"], "function M.f() return mid.two() + base.one() end");
    expect(() => buildFunctionLibrary("t", [...runtimeLuaModules(), base, mid, sneaky], [])).toThrow(
      /sneaky.lua: references module base without/,
    );
    expect(() =>
      buildFunctionLibrary("t", [...runtimeLuaModules(), base, mid], [fn("f", ["mid"], "return base.one()")]),
    ).toThrow(/f.lua: references module base without/);
  });

  it("refuses a declaration that is not used, and an unknown module", () => {
    expect(() => buildFunctionLibrary("t", [...runtimeLuaModules(), base], [fn("f", ["base"], "return 1")])).toThrow(
      /declares module base but never uses it/,
    );
    expect(() => buildFunctionLibrary("t", [...runtimeLuaModules(), base], [fn("f", ["nope"], "return 1")])).toThrow(
      /uses unknown module nope/,
    );
  });

  it("ignores module names in comments and strings", () => {
    const quiet = module("quiet", [], '-- base.one() is not called here\nfunction M.f() return "base.one" end');
    expect(() => buildFunctionLibrary("t", [...runtimeLuaModules(), base, quiet], [])).not.toThrow();
  });

  it("names the library and its functions by content, flags read-only ones and maps lines to files", () => {
    const modules = [...runtimeLuaModules(), base, luaConstantsModule("constants", { ANSWER: 42, STATE: { on: "a" } })];
    const one = buildFunctionLibrary("t", modules, [
      fn("read", ["base", "constants"], "return base.one() + constants.ANSWER", true),
    ]);
    const again = buildFunctionLibrary("t", modules, [
      fn("read", ["base", "constants"], "return base.one() + constants.ANSWER", true),
    ]);
    const changed = buildFunctionLibrary("t", modules, [
      fn("read", ["base", "constants"], "return base.one() - constants.ANSWER", true),
    ]);
    expect(one.name).toMatch(/^t_[0-9a-f]{12}$/);
    expect(again.name).toBe(one.name);
    expect(changed.name).not.toBe(one.name);
    expect(one.functionNames.get("read")).toBe(`${one.name}_read`);
    expect(one.readOnly.has("read")).toBe(true);
    expect(one.code).toContain('M.STATE = strict({ ["on"] = "a" })');
    const lines = one.code.split("\n");
    const at = lines.findIndex((line) => line.includes("return base.one() + constants.ANSWER")) + 1;
    expect(one.locate(at)).toBe("read.lua:2");
  });
});
