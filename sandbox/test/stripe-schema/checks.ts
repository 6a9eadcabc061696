import { inject } from "vitest";
import { StripeSchemaValidator, type SchemaProblem } from "./validate.js";

/**
 * The schema check every Stripe answer and event in the sandbox's tests goes
 * through (the SDK client's HTTP layer, the webhook receiver, the harness).
 * Violations are collected and fail the running test (setup.ts).
 */
let validator: StripeSchemaValidator | undefined;
const violations: string[] = [];

function current(): StripeSchemaValidator {
  validator ??= new StripeSchemaValidator(inject("stripeSchema"));
  return validator;
}

function record(where: string, problems: SchemaProblem[]): void {
  for (const p of problems.slice(0, 20)) violations.push(`${where} ${p.path || "/"}: ${p.message}`);
}

/** An HTTP answer of the Stripe emulator (object, list or error). */
export function checkStripeAnswer(where: string, body: unknown): void {
  guarded(where, () => current().answer(body));
}

/** An event, as delivered by webhook or kept by the emulator. */
export function checkStripeEvent(where: string, event: unknown): void {
  guarded(where, () => current().problems(event, "", ["event"]));
}

/** A failing check is itself a violation (it runs inside the SDK's transport, where a throw would look like a network error). */
function guarded(where: string, check: () => SchemaProblem[]): void {
  try {
    record(where, check());
  } catch (err) {
    record(where, [{ path: "", message: `schema check failed: ${String(err)}` }]);
  }
}

/** The violations since the last call, emptied. */
export function takeViolations(): string[] {
  return violations.splice(0);
}
