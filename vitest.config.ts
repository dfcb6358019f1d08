import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "unit",
          include: ["{packages,services}/*/test/unit/**/*.test.ts"],
        },
      },
      {
        test: {
          name: "integration",
          include: ["{packages,services}/*/test/integration/**/*.test.ts"],
          globalSetup: ["scripts/infra/vitest-global-setup.ts"],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          pool: "forks",
        },
      },
    ],
  },
});
