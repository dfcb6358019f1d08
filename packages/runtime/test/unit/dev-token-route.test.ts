import { describe, expect, it } from "vitest";
import { isLoopback } from "../../src/auth/dev-token-route";

describe("development token route", () => {
  it("answers only peers on this machine", () => {
    for (const address of ["127.0.0.1", "127.1.2.3", "::1", "::ffff:127.0.0.1"]) expect(isLoopback(address)).toBe(true);
    for (const address of ["10.0.0.1", "::ffff:10.0.0.1", "1127.0.0.1", "127.0.0.1.evil", "::2", "", undefined])
      expect(isLoopback(address)).toBe(false);
  });
});
