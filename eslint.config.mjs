import js from "@eslint/js";
import { importX } from "eslint-plugin-import-x";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["**/dist/**", "**/node_modules/**", ".cache/**", "packages/proto/src/gen/**", "**/*.mjs"] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        project: [
          "./tsconfig.eslint.json",
          "./scripts/tsconfig.json",
          "./examples/agent-console/tsconfig.json",
          "./services/reporting/wallboard/tsconfig.json",
          "./packages/widget/tsconfig.json",
          "./packages/widget/test/tsconfig.json",
        ],
        tsconfigRootDir: import.meta.dirname,
      },
    },
    plugins: { "import-x": importX },
    rules: {
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/consistent-type-imports": "error",
      "import-x/no-cycle": "error",
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            { group: ["@handoff/*/src/*", "**/packages/*/src/*"], message: "import a workspace by its package name" },
            {
              group: [
                "@handoff/acd",
                "@handoff/intake",
                "@handoff/presence",
                "@handoff/reporting",
                "@handoff/session-broker",
                "**/services/*/src/*",
              ],
              message: "a service never imports another service; share through packages/*",
            },
          ],
        },
      ],
    },
  },
);
