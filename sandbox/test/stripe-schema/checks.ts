import { pathToFileURL } from "node:url";
import { beforeAll, inject } from "vitest";
import { recordViolation } from "./violations.js";
import { StripeSchemaValidator, type SchemaProblem, type Validator } from "./validate.js";

/**
 * The schema check every Stripe answer and event in the sandbox's tests goes
 * through (the SDK client's HTTP layer, the webhook receiver, the harness).
 * Violations are collected and fail the running test (setup.ts). The
 * validators are loaded before the tests of any file that imports this
 * (through those helpers), so other files do not pay for them.
 */
let validator: StripeSchemaValidator | undefined;

/** The compiled module's validate functions (a CommonJS module: its exports are the default import). */
export async function importValidators(module: string): Promise<Record<string, Validator>> {
  const loaded = (await import(/* @vite-ignore */ pathToFileURL(module).href)) as { default: Record<string, Validator> };
  return loaded.default;
}

/** The validators compiled once per run (global-setup.ts), loaded by this test file's worker. */
async function load(): Promise<StripeSchemaValidator> {
  const { module, objects } = inject("stripeSchema");
  return new StripeSchemaValidator(await importValidators(module), objects);
}

beforeAll(async () => {
  validator ??= await load();
});

function current(): StripeSchemaValidator {
  if (!validator) throw new Error("the Stripe schema validators are not loaded (stripe-schema/setup.ts)");
  return validator;
}

function record(where: string, problems: SchemaProblem[]): void {
  for (const p of problems.slice(0, 20)) recordViolation(`${where} ${p.path || "/"}: ${p.message}`);
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
