import { describe, expect, it } from "vitest";
import { createPgPool } from "../../src/postgres/pool";

describe("createPgPool", () => {
  it("survives an idle connection's error (PostgreSQL restarted) and logs it when given a logger", async () => {
    const warnings: unknown[] = [];
    const logger = { warn: (fields: unknown) => void warnings.push(fields) } as never;
    const pool = createPgPool("postgres://nobody@127.0.0.1:1/none", 1, logger);
    // What pg does when an idle client's socket dies: the pool emits `error`, which throws if unheard.
    expect(() => pool.emit("error", new Error("terminating connection due to administrator command"))).not.toThrow();
    expect(warnings).toHaveLength(1);
    const quiet = createPgPool("postgres://nobody@127.0.0.1:1/none", 1);
    expect(() => quiet.emit("error", new Error("connection reset"))).not.toThrow();
    await Promise.all([pool.end(), quiet.end()]);
  });
});
