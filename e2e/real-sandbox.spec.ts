import { test } from "@playwright/test";
import { missingRealSandboxKeys } from "./support/keys";

// Only the real-sandbox project runs this file, and only when its keys are missing
// (playwright.config.ts); with the keys, that project runs every other spec instead.
test("real Plaid Sandbox + Stripe test mode: skipped without keys", () => {
  test.skip(true, `set ${missingRealSandboxKeys().join(", ")} to run every journey against Plaid Sandbox + Stripe test mode (docs/e2e.md)`);
});
