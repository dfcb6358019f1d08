import path from "node:path";
import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: {
    // The test-support package imports vitest, which must be loaded as ESM: use its source.
    alias: { "@handoff/testing": path.resolve(import.meta.dirname, "packages/testing/src/index.ts") },
  },
  test: {
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
          globalSetup: ["scripts/infra/vitest-global-setup.ts"],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          pool: "forks",
        },
      },
    ],
  },
});
