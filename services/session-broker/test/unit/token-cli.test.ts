import { describe, expect, it } from "vitest";
import { tokenRequestFrom } from "../../src/auth/token-cli";

describe("development token command", () => {
  it("npm run token reads --site, --rep and --role", () => {
    expect(tokenRequestFrom(["--site", "demo", "--rep", "alice"])).toMatchObject({ roles: ["rep"] });
    expect(tokenRequestFrom(["--site", "demo", "--rep", "sam", "--role", "supervisor"]).roles).toEqual(["supervisor"]);
    expect(() => tokenRequestFrom(["--site", "demo"])).toThrow(/usage/);
    expect(() => tokenRequestFrom(["--site", "demo", "--rep", "a", "--role", "root"])).toThrow(/unknown role/);
  });
});
