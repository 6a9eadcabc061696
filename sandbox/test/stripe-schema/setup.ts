import { afterEach } from "vitest";
import { takeViolations } from "./violations.js";

// A Stripe answer or event that differs from the SDK's types fails the test that received it.
afterEach(() => {
  const violations = takeViolations();
  if (violations.length > 0) {
    throw new Error(`Stripe answers differ from the stripe SDK's types:\n${[...new Set(violations)].join("\n")}`);
  }
});
