import { defineConfig } from "vitest/config";
import path from "node:path";

export default defineConfig({
  resolve: {
    alias: [
      { find: "@", replacement: path.resolve(import.meta.dirname) },
      // lib/ modules start with `import "server-only"`, whose default export throws outside a
      // React Server environment: tests run them as the server does, on the package's empty
      // module (what its `react-server` export gives; Next and scripts/server-only do the same).
      { find: /^server-only$/, replacement: path.resolve(import.meta.dirname, "node_modules/server-only/empty.js") },
    ],
  },
  test: {
    projects: [
      {
        extends: true,
        test: { name: "unit", include: ["tests/unit/**/*.test.ts"], environment: "node" },
      },
      {
        extends: true,
        test: {
          name: "integration",
          include: ["tests/integration/**/*.test.ts"],
          environment: "node",
          globalSetup: ["tests/setup/database.ts", "tests/setup/sandbox.ts"],
          setupFiles: ["tests/setup/integration-env.ts"],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        extends: true,
        test: {
          // Load, fault, webhook-storm and secret checks (docs/hardening.md). One file at a
          // time: fault rules are global to the run's sandbox.
          name: "hardening",
          include: ["tests/hardening/**/*.test.ts"],
          environment: "node",
          globalSetup: ["tests/setup/database.ts", "tests/setup/sandbox.ts"],
          setupFiles: ["tests/setup/integration-env.ts"],
          fileParallelism: false,
          // After the other projects, not beside them: its load would slow their timed tests.
          sequence: { groupOrder: 1 },
          testTimeout: 300_000,
          hookTimeout: 120_000,
        },
      },
      {
        extends: true,
        test: {
          name: "sandbox",
          include: ["sandbox/test/**/*.test.ts"],
          environment: "node",
          testTimeout: 20_000,
          // Every Plaid response the tests receive is checked against the vendored spec, and every
          // Stripe answer and event against the stripe SDK's types.
          globalSetup: ["sandbox/test/stripe-schema/global-setup.ts"],
          setupFiles: ["sandbox/test/helpers/plaid-spec-hook.ts", "sandbox/test/stripe-schema/setup.ts"],
        },
      },
    ],
  },
});
