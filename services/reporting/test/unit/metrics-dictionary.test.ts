import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { dictionaryMarkdown } from "../../src/dictionary/dictionary-markdown";
import { METRICS_DICTIONARY } from "../../src/dictionary/metrics-dictionary";

const names = METRICS_DICTIONARY.map((m) => m.name);

describe("metrics dictionary", () => {
  it("names each figure once", () => {
    expect(new Set(names).size).toBe(names.length);
  });

  it("defines every figure of METRICS.md and of the reporting issue", () => {
    expect(names).toEqual(
      expect.arrayContaining([
        "queued",
        "answered",
        "answered_within_x",
        "abandoned",
        "short_abandoned",
        "abandoned_excluding_short",
        "offers_created",
        "offers_rejected",
        "offers_expired",
        "offers_withdrawn",
        "transfers_in",
        "transfers_out",
        "service_level",
        "abandon_rate",
        "asa_ms",
        "asa_p50_ms",
        "asa_p90_ms",
        "longest_wait_ms",
        "aht_ms",
        "offer_accept_rate",
        "csat",
        "csat_top2",
        "state_ms",
        "staffed_ms",
        "engaged_ms",
        "occupancy",
        "load_ms",
        "ewt_abs_error_ms",
        "ewt_p90_coverage",
        "fairness_offers_cv",
        "fairness_idle_spread_ms",
      ]),
    );
  });

  it("says for every figure which events it is computed from and which fact columns it reads", () => {
    for (const metric of METRICS_DICTIONARY) {
      const events = Object.values(metric.events).flat();
      expect(events.length, metric.name).toBeGreaterThan(0);
      expect(metric.facts.length, metric.name).toBeGreaterThan(0);
    }
  });

  it("says when a ratio is null (a zero denominator is never reported as 0)", () => {
    for (const metric of METRICS_DICTIONARY.filter((m) => m.unit === "1" && m.formula?.includes("÷")))
      expect(metric.nullWhen, metric.name).toBeTruthy();
  });

  it("is checked in as METRICS-DICTIONARY.md exactly as generated (npm run metrics-dictionary -w services/reporting)", () => {
    const checkedIn = readFileSync(path.join(__dirname, "..", "..", "METRICS-DICTIONARY.md"), "utf8");
    expect(checkedIn).toBe(dictionaryMarkdown());
  });
});
