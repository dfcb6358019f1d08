import { globSync } from "node:fs";
import path from "node:path";
import { defineConfig } from "vitest/config";

/**
 * The whole-system files start their own Redis, Kafka, PostgreSQL and two replicas of every service:
 * each runs alone, after the rest (a group of its own, in order), so nothing else shares the cores
 * while they time recoveries.
 */
const SYSTEM_TESTS = "deploy/test/integration/system-*.test.ts";
const systemFiles = globSync(SYSTEM_TESTS, { cwd: import.meta.dirname }).sort();

const integration = {
  globalSetup: ["scripts/infra/vitest-global-setup.ts"],
  testTimeout: 60_000,
  hookTimeout: 120_000,
  pool: "forks" as const,
};

export default defineConfig({
  resolve: {
    // The test-support package imports vitest, which must be loaded as ESM: use its source.
    alias: { "@handoff/testing": path.resolve(import.meta.dirname, "packages/testing/src/index.ts") },
  },
  test: {
    // Two files at a time: most integration time is waiting (Kafka groups, timers, child processes).
    maxWorkers: 2,
    projects: [
      {
        extends: true,
        test: {
          name: "unit",
          include: ["{packages,services,examples}/*/test/unit/**/*.test.ts", "deploy/test/unit/**/*.test.ts"],
        },
      },
      {
        extends: true,
        test: {
          name: "integration",
          include: ["{packages,services}/*/test/integration/**/*.test.ts", "deploy/test/integration/**/*.test.ts"],
          exclude: [SYSTEM_TESTS],
          ...integration,
        },
      },
      ...systemFiles.map((file, i) => ({
        extends: true as const,
        test: {
          name: `system:${path.basename(file, ".test.ts")}`,
          include: [file],
          sequence: { groupOrder: i + 1 },
          testTimeout: 60_000,
          hookTimeout: 300_000,
          pool: "forks" as const,
        },
      })),
    ],
  },
});
