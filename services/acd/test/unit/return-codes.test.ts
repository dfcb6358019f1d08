import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import * as codes from "../../src/store/return-codes";

const COMMON_LUA = path.join(__dirname, "..", "..", "src", "store", "scripts", "includes", "common.lua");

describe("script return codes", () => {
  it("are the same in the Lua scripts and in TypeScript", () => {
    const lua: Record<string, number> = {};
    for (const [, name, value] of readFileSync(COMMON_LUA, "utf8").matchAll(/^local ([A-Z_]+) = (-\d+)$/gm)) {
      lua[name!] = Number(value);
    }
    expect(lua).toEqual({ ...codes });
    expect(new Set(Object.values(codes)).size).toBe(Object.keys(codes).length);
  });
});
