import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import * as codes from "../../src/store/return-codes";
import { LUA_CONSTANTS, routingLibrary } from "../../src/store/routing-library";

const LIBRARY = path.join(__dirname, "..", "..", "src", "store", "library");

describe("function return codes and constants", () => {
  it("are generated into the Lua library from TypeScript", () => {
    const { code } = routingLibrary();
    for (const [name, value] of Object.entries(codes)) expect(code).toContain(`M.${name} = ${value}\n`);
    expect(new Set(Object.values(codes)).size).toBe(Object.keys(codes).length);
    expect(LUA_CONSTANTS).toMatchObject(codes);
  });

  it("are never written as numbers or state letters in the Lua sources", () => {
    for (const folder of ["modules", "functions"]) {
      for (const file of readdirSync(path.join(LIBRARY, folder))) {
        const lua = readFileSync(path.join(LIBRARY, folder, file), "utf8").replace(/--[^\n]*/g, "");
        expect(lua, file).not.toMatch(/\{ -\d+/);
        expect(lua, file).not.toMatch(/st [~=]= "\w"/);
        expect(lua, file).not.toMatch(/(?:strategy|strat|st) [~=]= "(?:li|lb|rr|mn)"/);
        // Triggers come from constants.TRIGGER (domain/decision-record.ts), never as literals.
        expect(lua, file).not.toMatch(/match(?:Session|Rep)\([^)]*,\s*"|trigger = "/);
      }
    }
  });
});
