import { defineConfig } from "vitest/config";
import path from "node:path";

export default defineConfig({
  resolve: { alias: { "@": path.resolve(import.meta.dirname) } },
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
        test: { name: "sandbox", include: ["sandbox/test/**/*.test.ts"], environment: "node", testTimeout: 20_000 },
      },
    ],
  },
});
