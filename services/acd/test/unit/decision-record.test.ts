import { describe, expect, it } from "vitest";
import { strategyScoreDescription } from "../../src/domain/decision-record";
import { ROUTING_STRATEGIES } from "../../src/domain/routing-config";

describe("decision records", () => {
  it("describes the score of every strategy and of personal queues", () => {
    for (const strategy of [...ROUTING_STRATEGIES, "personal" as const]) {
      expect(strategyScoreDescription(strategy).length).toBeGreaterThan(0);
    }
    expect(strategyScoreDescription("longest_idle")).toBe("idle since (ms), lowest first");
  });
});
